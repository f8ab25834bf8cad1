// The UI's whole stylesheet, inlined into every page so there is nothing to build or serve.

export const STYLES = `
:root { --bg:#f6f7f9; --card:#fff; --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --accent:#2563eb; --error:#dc2626; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--ink); }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { background:#111827; color:#f9fafb; display:flex; align-items:center; gap:24px; padding:10px 24px; }
header.top .brand { font-weight:700; font-size:16px; color:#f9fafb; letter-spacing:.02em; }
header.top nav a { color:#d1d5db; margin-right:16px; } header.top nav a.active { color:#fff; font-weight:600; }
header.top form { margin-left:auto; display:flex; gap:6px; }
header.top input { width:300px; padding:5px 8px; border-radius:4px; border:1px solid #374151; background:#1f2937; color:#f9fafb; font-family:ui-monospace,monospace; }
main { padding:20px 24px; max-width:1400px; margin:0 auto; }
h1 { font-size:20px; margin:0 0 12px; } h2 { font-size:16px; margin:20px 0 8px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin-bottom:16px; }
.filters { display:flex; flex-wrap:wrap; gap:12px; align-items:flex-end; }
.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:3px; }
.filters select, .filters input { padding:5px 8px; border:1px solid var(--line); border-radius:4px; font:inherit; min-width:140px; }
button { padding:6px 14px; border:0; border-radius:4px; background:var(--accent); color:#fff; font:inherit; cursor:pointer; }
table.list { width:100%; border-collapse:collapse; background:var(--card); }
table.list th { text-align:left; font-size:12px; color:var(--muted); font-weight:600; padding:8px 10px; border-bottom:1px solid var(--line); }
table.list td { padding:8px 10px; border-bottom:1px solid var(--line); vertical-align:middle; }
table.list tr:hover td { background:#f9fafb; }
.mono { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:12.5px; }
.muted { color:var(--muted); }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; color:#fff; margin:1px 4px 1px 0; white-space:nowrap; }
.badge.error { background:var(--error); }
.ok { color:#059669; }
.duration-cell { min-width:180px; }
.duration-bar { height:6px; background:#bfdbfe; border-radius:3px; margin-top:4px; }
.notice { padding:10px 14px; border-radius:6px; background:#fef3c7; border:1px solid #fcd34d; margin-bottom:16px; }
.notice.error { background:#fee2e2; border-color:#fca5a5; }
.summary { display:flex; flex-wrap:wrap; gap:28px; } .summary > div > span:first-child { display:block; font-size:12px; color:var(--muted); }
.waterfall { background:var(--card); border:1px solid var(--line); border-radius:8px; overflow:hidden; }
.wf-head, .span-row > summary { display:grid; grid-template-columns: 380px 1fr; }
.wf-head { border-bottom:1px solid var(--line); font-size:12px; color:var(--muted); background:#f9fafb; }
.wf-head .label { padding:6px 10px; }
.ticks { position:relative; height:28px; }
.ticks span { position:absolute; top:6px; transform:translateX(-50%); white-space:nowrap; }
.ticks span:first-child { transform:none; } .ticks span:last-child { transform:translateX(-100%); }
.span-row { border-bottom:1px solid #f1f5f9; }
.span-row > summary { list-style:none; cursor:pointer; }
.span-row > summary::-webkit-details-marker { display:none; }
.span-row > summary:hover { background:#f8fafc; }
.span-row[open] > summary { background:#eff6ff; }
.span-label { padding:5px 10px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; display:flex; align-items:center; gap:6px; }
.span-label .svc { font-weight:600; }
.span-label .kind { font-size:10px; color:var(--muted); border:1px solid var(--line); border-radius:3px; padding:0 4px; }
.track { position:relative; height:30px; border-left:1px solid var(--line);
  background-image:linear-gradient(to right, #f1f5f9 1px, transparent 1px); background-size:25% 100%; }
.bar { position:absolute; top:7px; height:16px; border-radius:3px; min-width:2px; }
.bar.error { outline:2px solid var(--error); outline-offset:1px; }
.bar-label { position:absolute; top:7px; font-size:11px; color:var(--muted); white-space:nowrap; padding-left:6px; }
.err-mark { color:var(--error); font-weight:700; }
.span-detail { padding:10px 16px 14px 24px; background:#f8fafc; border-top:1px solid var(--line); }
.span-detail table { border-collapse:collapse; font-size:12.5px; }
.span-detail td { padding:3px 14px 3px 0; vertical-align:top; }
.span-detail td:first-child { color:var(--muted); white-space:nowrap; }
.span-detail tr.error-tag td { color:var(--error); font-weight:600; }
.legend { display:flex; gap:12px; flex-wrap:wrap; margin:8px 0 12px; }
.dep-graph { width:100%; height:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; }
`
