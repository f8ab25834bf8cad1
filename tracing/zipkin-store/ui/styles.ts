// The UI's stylesheet, served once as /zipkin/static/app.css (no build step). Colours are CSS
// variables: light by default, dark with prefers-color-scheme or the header toggle (data-theme).

import { TRACE_STYLES } from './styles-trace.ts'

const BASE = `
:root { color-scheme: light; --bg:#f6f7f9; --card:#fff; --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --soft:#f1f5f9;
  --hover:#f8fafc; --accent:#2563eb; --error:#dc2626; --ok:#059669; --top:#111827; --top-ink:#f9fafb; --top-muted:#d1d5db;
  --field:#fff; --notice:#fef3c7; --notice-line:#fcd34d; --bad:#fee2e2; --bad-line:#fca5a5; --mark:#fde68a; --selected:#eff6ff; }
@media (prefers-color-scheme: dark) { :root:not([data-theme=light]) { color-scheme: dark; --bg:#0f1115; --card:#171a21; --ink:#e5e7eb;
  --muted:#9ca3af; --line:#2a2f3a; --soft:#1d212a; --hover:#1f2430; --accent:#60a5fa; --error:#f87171; --ok:#34d399; --top:#05070a;
  --field:#11141a; --notice:#3b2f0b; --notice-line:#7c5e10; --bad:#3f1416; --bad-line:#7f1d1d; --mark:#854d0e; --selected:#172554; } }
:root[data-theme=dark] { color-scheme: dark; --bg:#0f1115; --card:#171a21; --ink:#e5e7eb; --muted:#9ca3af; --line:#2a2f3a;
  --soft:#1d212a; --hover:#1f2430; --accent:#60a5fa; --error:#f87171; --ok:#34d399; --top:#05070a; --field:#11141a;
  --notice:#3b2f0b; --notice-line:#7c5e10; --bad:#3f1416; --bad-line:#7f1d1d; --mark:#854d0e; --selected:#172554; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--ink); }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { background:var(--top); color:var(--top-ink); display:flex; flex-wrap:wrap; align-items:center; gap:8px 24px; padding:10px 24px; }
header.top .brand { font-weight:700; font-size:16px; color:var(--top-ink); letter-spacing:.02em; display:flex; gap:8px; align-items:center; }
header.top nav { display:flex; flex-wrap:wrap; gap:4px 16px; }
header.top nav a { color:var(--top-muted); } header.top nav a.active { color:#fff; font-weight:600; }
header.top form { margin-left:auto; display:flex; gap:6px; }
header.top input { width:280px; max-width:50vw; padding:5px 8px; border-radius:4px; border:1px solid #374151; background:#1f2937; color:#f9fafb; font-family:ui-monospace,monospace; }
#theme-toggle { background:transparent; border:1px solid #374151; color:var(--top-ink); padding:4px 10px; }
main { padding:20px 24px; max-width:1500px; margin:0 auto; }
h1 { font-size:20px; margin:0 0 12px; overflow-wrap:anywhere; } h2 { font-size:16px; margin:20px 0 8px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin-bottom:16px; }
.filters { display:flex; flex-wrap:wrap; gap:12px; align-items:flex-end; }
.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:3px; }
.filters label.wide { flex:1 1 260px; }
select, input, textarea { padding:5px 8px; border:1px solid var(--line); border-radius:4px; font:inherit; background:var(--field); color:var(--ink); min-width:0; }
.filters select, .filters input { min-width:130px; }
.filters .custom-range[hidden] { display:none; }
button, .button { padding:6px 14px; border:0; border-radius:4px; background:var(--accent); color:#fff; font:inherit; cursor:pointer; display:inline-block; }
button.secondary, .button.secondary { background:var(--soft); color:var(--ink); border:1px solid var(--line); }
table.list { width:100%; border-collapse:collapse; background:var(--card); }
table.list th { text-align:left; font-size:12px; color:var(--muted); font-weight:600; padding:8px 10px; border-bottom:1px solid var(--line); }
table.list td { padding:8px 10px; border-bottom:1px solid var(--line); vertical-align:middle; }
table.list tr:hover td { background:var(--hover); }
.mono { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:12.5px; overflow-wrap:anywhere; }
.muted { color:var(--muted); }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; color:#fff; margin:1px 4px 1px 0; white-space:nowrap; }
.badge .n { opacity:.85; }
.badge.error { background:var(--error); }
.ok { color:var(--ok); }
.duration-cell { min-width:160px; }
.duration-bar { height:6px; background:var(--accent); opacity:.35; border-radius:3px; margin-top:4px; }
.notice { padding:10px 14px; border-radius:6px; background:var(--notice); border:1px solid var(--notice-line); margin-bottom:16px; }
.notice.error { background:var(--bad); border-color:var(--bad-line); }
.summary { display:flex; flex-wrap:wrap; gap:12px 28px; } .summary > div > span:first-child { display:block; font-size:12px; color:var(--muted); }
.legend { display:flex; gap:6px 12px; flex-wrap:wrap; margin:8px 0 12px; }
.toolbar { display:flex; flex-wrap:wrap; gap:8px; align-items:center; margin:0 0 12px; }
.toolbar input[type=search] { flex:1 1 220px; }
.result-count { font-size:12px; color:var(--muted); margin:0 0 6px; }
.dep-graph { width:100%; height:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; }
.dep-graph text { fill:var(--ink); } .dep-graph .node-label { fill:#fff; }
.drop-zone { border:2px dashed var(--line); border-radius:8px; padding:24px; text-align:center; }
.live-status { font-size:12px; color:var(--muted); }
@media (max-width: 720px) {
  header.top { padding:8px 12px; } header.top form { margin-left:0; width:100%; } header.top input { flex:1; width:auto; max-width:none; }
  main { padding:12px; }
  table.list .hide-narrow { display:none; }
  table.list td, table.list th { padding:6px; }
  table.list td { overflow-wrap:anywhere; } .duration-cell { min-width:70px; }
  .badge { white-space:normal; overflow-wrap:anywhere; }
  .filters label, .filters select, .filters input { min-width:0; width:100%; } .filters label { flex:1 1 45%; }
}
`

export const STYLES = BASE + TRACE_STYLES
