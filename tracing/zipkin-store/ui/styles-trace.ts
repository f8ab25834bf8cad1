// Styles of the trace view: the waterfall, its minimap, rows, bars and the span detail.

export const TRACE_STYLES = `
.waterfall { background:var(--card); border:1px solid var(--line); border-radius:8px; overflow:hidden; --label:380px; }
.wf-head, .span-row > summary { display:grid; grid-template-columns: var(--label) 1fr; }
.wf-head { border-bottom:1px solid var(--line); font-size:12px; color:var(--muted); background:var(--soft); }
.wf-head .label { padding:6px 10px; }
.ticks { position:relative; height:28px; }
.ticks span { position:absolute; top:6px; transform:translateX(-50%); white-space:nowrap; }
.ticks span:first-child { transform:none; } .ticks span:last-child { transform:translateX(-100%); }
.span-row { border-bottom:1px solid var(--soft); }
.span-row[hidden] { display:none; }
.span-row > summary { list-style:none; cursor:pointer; }
.span-row > summary::-webkit-details-marker { display:none; }
.span-row > summary:hover { background:var(--hover); }
.span-row[open] > summary { background:var(--selected); }
.span-row.match > summary { box-shadow: inset 4px 0 0 var(--accent); }
.span-row.match .name { background:var(--mark); }
.span-row.flash > summary { animation: flash 1.2s ease-out; }
@keyframes flash { from { background:var(--mark); } to { background:transparent; } }
.span-label { padding:5px 10px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; display:flex; align-items:center; gap:6px; }
.span-label .svc { font-weight:600; }
.span-label .kind { font-size:10px; color:var(--muted); border:1px solid var(--line); border-radius:3px; padding:0 4px; }
.toggle { width:18px; height:18px; padding:0; line-height:16px; text-align:center; border-radius:3px; background:var(--soft); color:var(--ink); border:1px solid var(--line); font-size:11px; flex:none; }
.toggle.leaf { visibility:hidden; }
.hidden-count { font-size:11px; color:var(--muted); }
.track { position:relative; height:30px; border-left:1px solid var(--line);
  background-image:linear-gradient(to right, var(--soft) 1px, transparent 1px); background-size:25% 100%; }
.bar { position:absolute; top:7px; height:16px; border-radius:3px; min-width:2px; }
.bar.error { outline:2px solid var(--error); outline-offset:1px; }
.bar-label { position:absolute; top:7px; font-size:11px; color:var(--muted); white-space:nowrap; padding-left:6px; }
.err-mark { color:var(--error); font-weight:700; }
.span-detail { padding:10px 16px 14px 24px; background:var(--hover); border-top:1px solid var(--line); display:grid; grid-template-columns:repeat(auto-fit, minmax(280px, 1fr)); gap:8px 24px; }
.span-detail h3 { font-size:12px; color:var(--muted); margin:4px 0; text-transform:uppercase; letter-spacing:.04em; }
.span-detail table { border-collapse:collapse; font-size:12.5px; width:100%; }
.span-detail td { padding:3px 14px 3px 0; vertical-align:top; }
.span-detail td:first-child { color:var(--muted); white-space:nowrap; }
.span-detail tr.error-tag td { color:var(--error); font-weight:600; }
.span-detail pre { margin:0; max-height:320px; overflow:auto; background:var(--card); border:1px solid var(--line); border-radius:4px; padding:8px; font-size:12px; }
.span-detail .raw { grid-column:1 / -1; }
.minimap { position:relative; height:64px; background:var(--card); border:1px solid var(--line); border-radius:8px; margin-bottom:8px; overflow:hidden; cursor:crosshair; }
.minimap .mm-bar { position:absolute; height:3px; min-width:1px; border-radius:1px; }
.minimap .mm-window { position:absolute; top:0; bottom:0; background:var(--accent); opacity:.15; pointer-events:none; }
.zoom-note { font-size:12px; color:var(--muted); }
.compare { display:grid; grid-template-columns:1fr 1fr; gap:16px; }
.delta-up { color:var(--error); } .delta-down { color:var(--ok); }
@media (max-width: 720px) {
  .waterfall { --label:150px; }
  .ticks span:nth-child(2), .ticks span:nth-child(4) { display:none; }
  .span-label .kind, .span-label .svc { display:none; }
  .span-detail { padding:8px; }
  .compare { grid-template-columns:1fr; }
}
`
