/**
 * The whole waterfall page of one trace: what `tracewire trace <id> --html FILE` writes and what
 * `tracewire ui` serves under `/trace/<id>`. One self-contained document.
 */
import { renderPage } from './html.js'
import type { TraceView } from './spans.js'
import { TRACE_VIEW_STYLE } from './style.js'
import { renderWaterfall, type WaterfallContext } from './waterfall.js'
import { WATERFALL_SCRIPT } from './waterfall-script.js'

/** Options of {@link renderTracePage}. */
export interface TracePageOptions extends WaterfallContext {
  /** HTML shown above the trace (the local UI's navigation bar), already escaped. */
  nav?: string
  /** Whether the page holds a form posting to its own origin (the local UI's search box). */
  allowFormsToSelf?: boolean
}

/** Renders the page of one trace. */
export function renderTracePage(view: TraceView, options: TracePageOptions): string {
  const waterfall = renderWaterfall(view, options)
  return renderPage({
    title: `trace ${view.traceId}`,
    style: TRACE_VIEW_STYLE,
    body: `${options.nav ?? ''}${waterfall.html}<script type="application/json" id="tw-data">${waterfall.dataJson}</script>`,
    scripts: [WATERFALL_SCRIPT],
    allowFormsToSelf: options.allowFormsToSelf ?? false,
  })
}
