/** The trace view's CSS, inlined in every page (nothing is fetched). Red is kept for errors. */
export const TRACE_VIEW_STYLE = `
:root { color-scheme: light; --err: #d62728; --ink: #1f2328; --muted: #656d76; --line: #d8dee4; --grid: #eef1f4; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
code, pre, .tw-line-time, .tw-facts { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; }
.tw-nav { display: flex; gap: 16px; align-items: center; padding: 10px 20px; background: #24292f; color: #fff; }
.tw-nav a { color: #fff; font-weight: 600; text-decoration: none; }
.tw-nav form { display: flex; gap: 6px; margin-left: auto; }
.tw-nav input { width: 22em; padding: 4px 8px; border: 1px solid #57606a; border-radius: 4px; font: inherit; }
.tw-nav button { padding: 4px 10px; border: 0; border-radius: 4px; background: #2da44e; color: #fff; font: inherit; cursor: pointer; }
.tw-head { padding: 14px 20px 10px; border-bottom: 1px solid var(--line); }
.tw-head h1 { margin: 0 0 4px; font-size: 18px; font-weight: 600; }
.tw-head h1 code { font-size: 16px; }
.tw-summary { margin: 0; color: var(--muted); }
.tw-total { color: var(--ink); font-weight: 600; }
.tw-error-count { color: var(--err); font-weight: 600; }
.tw-warning { margin: 6px 0 0; color: #9a6700; }
.tw-main { display: grid; grid-template-columns: minmax(0, 1fr) 400px; align-items: start; }
.tw-chart { padding: 8px 12px 24px 20px; min-width: 0; }
.tw-axis, .tw-lane, .tw-row { display: grid; grid-template-columns: 320px minmax(0, 1fr); align-items: center; }
.tw-axis { height: 24px; margin-top: 10px; border-bottom: 1px solid var(--line); color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.tw-axis .tw-track { height: 24px; margin-right: 60px; }
.tw-axis-label { position: absolute; bottom: 3px; transform: translateX(-50%); text-transform: none; letter-spacing: 0; white-space: nowrap; }
.tw-axis-label:first-child { transform: none; }
.tw-label { display: flex; align-items: center; gap: 4px; min-width: 0; padding-right: 8px; white-space: nowrap; overflow: hidden; }
.tw-track { position: relative; height: 100%; margin-right: 60px; }
.tw-grid { position: absolute; inset: 0; pointer-events: none; }
.tw-grid i { position: absolute; top: 0; bottom: 0; width: 1px; background: var(--grid); }
.tw-lanes { padding: 4px 0 6px; }
.tw-lane { height: 24px; }
.tw-lane .tw-label { font-weight: 600; }
.tw-lane .tw-bar { top: 5px; height: 14px; cursor: pointer; }
.tw-row { height: 24px; border-radius: 3px; }
/* display: grid above would override the hidden attribute of collapsed rows. */
.tw-row[hidden] { display: none; }
.tw-row:hover { background: #f6f8fa; }
.tw-row.tw-selected { background: #ddf4ff; }
.tw-dot { flex: none; display: inline-block; width: 9px; height: 9px; margin-right: 5px; border-radius: 50%; }
.tw-toggle, .tw-toggle-space { flex: none; width: 16px; }
.tw-toggle { padding: 0; border: 0; background: none; color: var(--muted); font: inherit; cursor: pointer; }
.tw-name { display: flex; align-items: center; min-width: 0; padding: 0; border: 0; background: none; color: inherit; font: inherit; text-align: left; cursor: pointer; overflow: hidden; text-overflow: ellipsis; }
.tw-service { font-weight: 600; margin-right: 4px; }
.tw-row.tw-error .tw-name { color: #b3261e; }
.tw-badge { flex: none; margin-left: 4px; padding: 0 5px; border-radius: 8px; background: #eaeef2; color: var(--muted); font-size: 10px; line-height: 15px; }
.tw-badge-error { background: var(--err); color: #fff; }
.tw-badge-skew { background: #fff8c5; color: #7d4e00; }
.tw-bar { position: absolute; top: 6px; height: 12px; min-width: 2px; border-radius: 3px; background: var(--c); }
.tw-bar-open { opacity: .45; outline: 1px dashed var(--c); outline-offset: -1px; }
.tw-bar-aborted { border-right: 3px solid var(--ink); }
.tw-bar-failed { box-shadow: 0 0 0 2px var(--err); }
.tw-bar-error { background: repeating-linear-gradient(135deg, var(--err) 0 6px, #e8595a 6px 12px); box-shadow: 0 0 0 1px #a11d1e; opacity: 1; }
.tw-duration { position: absolute; top: 4px; margin-left: 6px; color: var(--muted); font-size: 11px; white-space: nowrap; pointer-events: none; }
.tw-tick { position: absolute; top: 4px; width: 2px; height: 16px; margin-left: -1px; background: rgba(31, 35, 40, .55); cursor: pointer; }
.tw-tick:hover { background: var(--ink); width: 4px; margin-left: -2px; }
.tw-tick-error { z-index: 1; top: 2px; width: 4px; height: 20px; margin-left: -2px; background: var(--err); box-shadow: 0 0 0 1px #fff; }
.tw-details { position: sticky; top: 0; max-height: 100vh; overflow: auto; padding: 14px 18px; border-left: 1px solid var(--line); background: #fbfcfd; }
.tw-details h2 { margin: 0 0 4px; font-size: 15px; overflow-wrap: anywhere; }
.tw-error-text { color: #b3261e; }
.tw-hint, .tw-facts { margin: 0 0 6px; color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.tw-flag { margin: 0 0 4px; padding: 2px 6px; border-radius: 4px; background: #fff8c5; color: #7d4e00; font-size: 12px; }
.tw-lines { margin-top: 10px; }
.tw-line { border-top: 1px solid var(--grid); }
.tw-line summary { display: flex; gap: 8px; padding: 3px 0; cursor: pointer; list-style-position: outside; }
.tw-line-time { flex: none; width: 6.5em; color: var(--muted); text-align: right; font-size: 11px; line-height: 18px; }
.tw-line-level { flex: none; width: 3.5em; color: var(--muted); }
.tw-line-message { overflow-wrap: anywhere; }
.tw-line-error summary, .tw-level-error, .tw-level-fatal { color: #b3261e; font-weight: 600; }
.tw-line-selected > summary { background: #ddf4ff; }
.tw-fields { margin: 2px 0 8px; padding: 8px; max-height: 320px; overflow: auto; border-radius: 4px; background: #f6f8fa; font-size: 11px; white-space: pre-wrap; overflow-wrap: anywhere; }
.tw-more { margin-top: 8px; padding: 4px 10px; border: 1px solid var(--line); border-radius: 4px; background: #fff; font: inherit; cursor: pointer; }
.tw-page { padding: 16px 20px; max-width: 1100px; }
.tw-page table { width: 100%; border-collapse: collapse; }
.tw-page th, .tw-page td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
.tw-page th { color: var(--muted); font-weight: 600; }
.tw-page td.tw-message { color: #b3261e; overflow-wrap: anywhere; }
.tw-empty { color: var(--muted); }
@media (max-width: 1100px) { .tw-main { grid-template-columns: minmax(0, 1fr); } .tw-details { position: static; max-height: none; border-left: 0; border-top: 1px solid var(--line); } }
`
