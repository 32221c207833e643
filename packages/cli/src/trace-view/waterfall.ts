/**
 * The waterfall of one trace as HTML: a lane per service, a time axis, one row per span nested by parent,
 * each span's log lines as ticks, errors in red. The rows are rendered on the server (readable without
 * script); the inline script of ./waterfall-script.ts only collapses rows and shows a span's lines.
 *
 * Size stays bounded for big traces: ticks closer than {@link TICK_BUCKETS} per row are merged, each line's
 * fields (as JSON) are cut to {@link MAX_LINE_DETAIL_CHARS}, all fields together to {@link MAX_DETAILS_TOTAL_CHARS},
 * and above {@link COLLAPSE_ABOVE_SPANS} spans the subtrees start collapsed except the paths to errors.
 */
import { escapeHtml, jsonForScript } from './html.js'
import type { Span, TraceView } from './spans.js'

/** A row holds at most this many ticks: lines closer than 1/TICK_BUCKETS of the trace share one tick. */
export const TICK_BUCKETS = 400

/** The fields of one line shown on click; a line whose JSON is longer is cut to this many characters. */
export const MAX_LINE_DETAIL_CHARS = 2_000

/** All line fields of a page together; later lines show their message only (keeps a 10 000-line page small). */
export const MAX_DETAILS_TOTAL_CHARS = 4_000_000

/** With more spans than this, subtrees start collapsed (the paths to error spans stay open). */
export const COLLAPSE_ABOVE_SPANS = 60

/** Service colours, in order of first start; red is kept for errors. */
const SERVICE_COLOURS = ['#4e79a7', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#17becf', '#bab0ac', '#8c6d31']

/** What the page says about where the lines came from. */
export interface WaterfallContext {
  /** Lines matching the trace on the server (more than were read when the size limit cut the result). */
  total: number
  /** Free text about the source, e.g. `fluentd-* on http://127.0.0.1:9200` (never with credentials). */
  source?: string
}

/** The waterfall's HTML and the data its script reads. */
export interface RenderedWaterfall {
  /** HTML fragment (escaped). */
  html: string
  /** JSON for the `tw-data` script element. */
  dataJson: string
}

/** Renders the waterfall of a trace. */
export function renderWaterfall(view: TraceView, context: WaterfallContext): RenderedWaterfall {
  const colours = new Map(view.services.map((s, i) => [s, SERVICE_COLOURS[i % SERVICE_COLOURS.length] as string]))
  const totalMs = Math.max(view.endMs - view.startMs, 0)
  // A zero-length trace (one line) still gets a scale, so its bars have a place.
  const scaleMs = totalMs > 0 ? totalMs : 1
  const pct = (ms: number): number => round3(((ms - view.startMs) / scaleMs) * 100)
  const rowOf = new Map(view.spans.map((s, i) => [s, i]))
  const parentRows = parentRowsOf(view.spans)
  const collapsed = initiallyCollapsed(view)
  const hidden = hiddenRows(view.spans, collapsed)
  const errorSpans = view.spans.filter((s) => s.isError).length

  const header = [
    '<header class="tw-head">',
    `<h1>trace <code class="tw-trace-id">${escapeHtml(view.traceId)}</code></h1>`,
    '<p class="tw-summary">',
    `<span class="tw-total">${escapeHtml(formatMs(totalMs))}</span> · `,
    `${view.services.length} service${plural(view.services.length)} · ${view.spans.length} span${plural(view.spans.length)} · `,
    `${view.lineCount} line${plural(view.lineCount)}`,
    errorSpans > 0 ? ` · <span class="tw-error-count">${errorSpans} span${plural(errorSpans)} with errors</span>` : '',
    context.source ? ` · ${escapeHtml(context.source)}` : '',
    '</p>',
    context.total > view.lineCount
      ? `<p class="tw-warning">Showing the first ${view.lineCount} of ${context.total} lines of this trace.</p>`
      : '',
    '</header>',
  ].join('')

  const axis = timeAxis(totalMs)
  const grid = axis.map((t) => `<i style="left:${pct(view.startMs + t)}%"></i>`).join('')
  const axisLabels = axis
    .map((t) => `<span class="tw-axis-label" style="left:${pct(view.startMs + t)}%">${escapeHtml(formatMs(t))}</span>`)
    .join('')

  const lanes = view.services.map((service) => {
    const bars = view.spans
      .filter((s) => s.service === service)
      .map((s) => `<span class="${barClass(s)}" data-row="${rowOf.get(s)}" style="${barStyle(s, pct, colours)}" title="${escapeHtml(spanTitle(s))}"></span>`)
      .join('')
    return (
      `<div class="tw-lane" data-service="${escapeHtml(service)}">` +
      `<div class="tw-label"><span class="tw-dot" style="background:${colours.get(service)}"></span>${escapeHtml(service)}</div>` +
      `<div class="tw-track"><div class="tw-grid">${grid}</div>${bars}</div></div>`
    )
  })

  const rows = view.spans.map((span, i) => {
    const parentRow = parentRows[i] ?? -1
    const isCollapsed = collapsed.has(span)
    const attrs = [
      `class="tw-row${span.isError ? ' tw-error' : ''}"`,
      `data-row="${i}"`,
      `data-depth="${span.depth}"`,
      `data-parent="${parentRow}"`,
      `data-service="${escapeHtml(span.service)}"`,
      span.spanId === null ? '' : `data-span-id="${escapeHtml(span.spanId)}"`,
      span.children.length > 0 ? `data-collapsed="${isCollapsed}"` : '',
      hidden.has(i) ? 'hidden' : '',
    ].filter(Boolean)
    // Indent stops growing after 30 levels so a deep chain keeps its labels on screen.
    const indent = Math.min(span.depth, 30) * 14
    const toggle =
      span.children.length > 0
        ? `<button class="tw-toggle" aria-expanded="${!isCollapsed}" title="collapse or expand ${span.children.length} child span${plural(span.children.length)}">${isCollapsed ? '▸' : '▾'}</button>`
        : '<span class="tw-toggle-space"></span>'
    return (
      `<div ${attrs.join(' ')}>` +
      `<div class="tw-label" style="padding-left:${indent}px">${toggle}` +
      `<button class="tw-name" title="${escapeHtml(spanTitle(span))}"><span class="tw-dot" style="background:${colours.get(span.service)}"></span>` +
      `<span class="tw-service">${escapeHtml(span.service)}</span> ${escapeHtml(spanName(span))}</button>${badges(span)}</div>` +
      `<div class="tw-track"><div class="tw-grid">${grid}</div>` +
      `<span class="${barClass(span)}" style="${barStyle(span, pct, colours)}"></span>` +
      `<span class="tw-duration" style="left:${pct(span.drawEndMs)}%">${escapeHtml(spanDuration(span))}</span>` +
      ticks(span, i, pct, scaleMs, view.startMs) +
      '</div></div>'
    )
  })

  const html = [
    header,
    '<main class="tw-main">',
    '<section class="tw-chart">',
    `<div class="tw-axis"><div class="tw-label">services</div><div class="tw-track">${axisLabels}</div></div>`,
    `<div class="tw-lanes">${lanes.join('')}</div>`,
    `<div class="tw-axis"><div class="tw-label">spans</div><div class="tw-track">${axisLabels}</div></div>`,
    `<div class="tw-rows">${rows.join('')}</div>`,
    '</section>',
    '<aside class="tw-details" id="tw-details" aria-live="polite"><p class="tw-hint">Click a span or a tick to see its lines.</p></aside>',
    '</main>',
  ].join('')
  return { html, dataJson: jsonForScript(pageData(view)) }
}

/** Row index of each row's parent (-1 for roots); rows are depth first, so the parent is the last row one level up. */
function parentRowsOf(spans: readonly Span[]): number[] {
  const lastAtDepth: number[] = []
  return spans.map((span, i) => {
    lastAtDepth[span.depth] = i
    return span.depth === 0 ? -1 : (lastAtDepth[span.depth - 1] ?? -1)
  })
}

function initiallyCollapsed(view: TraceView): Set<Span> {
  const collapsed = new Set<Span>()
  if (view.spans.length <= COLLAPSE_ABOVE_SPANS) return collapsed
  const onErrorPath = new Set<Span>()
  const path: Span[] = []
  for (const span of view.spans) {
    path.length = span.depth
    path.push(span)
    if (span.isError) for (const s of path) onErrorPath.add(s)
  }
  for (const span of view.spans) {
    // Roots stay open so the first level of calls is always visible.
    if (span.depth > 0 && span.children.length > 0 && !onErrorPath.has(span)) collapsed.add(span)
  }
  return collapsed
}

/** Rows hidden because an ancestor is collapsed (the same rule as the page script). */
function hiddenRows(spans: readonly Span[], collapsed: Set<Span>): Set<number> {
  const hidden = new Set<number>()
  let collapsedDepth = Number.POSITIVE_INFINITY
  spans.forEach((span, i) => {
    if (span.depth <= collapsedDepth) collapsedDepth = Number.POSITIVE_INFINITY
    if (span.depth > collapsedDepth) {
      hidden.add(i)
      return
    }
    if (collapsed.has(span)) collapsedDepth = span.depth
  })
  return hidden
}

function barClass(span: Span): string {
  // Red fill for the span the error starts in (no erroring child); its callers that failed with it keep their
  // service colour inside a red outline, so the eye goes to the origin.
  const origin = span.isError && !span.children.some((c) => c.isError)
  return [
    'tw-bar',
    origin ? 'tw-bar-error' : span.isError ? 'tw-bar-failed' : '',
    span.hasAccessLine ? '' : 'tw-bar-open',
    span.aborted ? 'tw-bar-aborted' : '',
  ]
    .filter(Boolean)
    .join(' ')
}

function barStyle(span: Span, pct: (ms: number) => number, colours: Map<string, string>): string {
  const left = pct(span.drawStartMs)
  const width = Math.max(round3(pct(span.drawEndMs) - left), 0)
  return `left:${left}%;width:${width}%;--c:${colours.get(span.service)}`
}

function ticks(span: Span, row: number, pct: (ms: number) => number, scaleMs: number, startMs: number): string {
  const buckets = new Map<number, { line: number; count: number; error: boolean }>()
  span.lines.forEach((line, i) => {
    const at = line.drawTimeMs ?? span.drawStartMs
    const bucket = Math.floor(((at - startMs) / scaleMs) * TICK_BUCKETS)
    const existing = buckets.get(bucket)
    if (existing) {
      existing.count += 1
      // An error line wins its bucket: the red tick must not hide behind an info line.
      if (line.isError && !existing.error) Object.assign(existing, { line: i, error: true })
      return
    }
    buckets.set(bucket, { line: i, count: 1, error: line.isError })
  })
  // No title here: the script sets it on hover from the page data, which keeps 10 000 messages out of the markup.
  return [...buckets.values()]
    .map((b) => {
      const at = span.lines[b.line]?.drawTimeMs ?? span.drawStartMs
      const more = b.count > 1 ? ` data-more="${b.count - 1}"` : ''
      return `<span class="tw-tick${b.error ? ' tw-tick-error' : ''}" data-row="${row}" data-line="${b.line}"${more} style="left:${pct(at)}%"></span>`
    })
    .join('')
}

function spanName(span: Span): string {
  if (!span.hasAccessLine) return span.spanId === null ? '(lines without span id)' : '(no access line)'
  return [span.method, span.path, span.status === null ? null : String(span.status)].filter((p) => p).join(' ')
}

function spanDuration(span: Span): string {
  return formatMs(span.durationMs ?? Math.max(span.endMs - span.startMs, 0))
}

function spanTitle(span: Span): string {
  const parts = [`${span.service} ${spanName(span)}`, spanDuration(span)]
  if (span.spanId !== null) parts.push(`span ${span.spanId}`)
  return parts.concat(flagTexts(span)).join(' · ')
}

function flagTexts(span: Span): string[] {
  const flags: string[] = []
  if (span.isError) flags.push('error')
  if (span.aborted) flags.push('aborted by the client')
  if (!span.hasAccessLine) flags.push('no access line: drawn from its first to its last line')
  if (span.missingParent) flags.push(`parent ${span.parentSpanId ?? ''} not in these lines`)
  if (span.clockSkewMs !== 0) flags.push(`clock skew: moved ${span.clockSkewMs > 0 ? '+' : ''}${formatMs(span.clockSkewMs)} to fit its parent`)
  if (span.clamped) flags.push('drawn cut to fit inside its parent (as measured, it runs past it)')
  return flags
}

function badges(span: Span): string {
  const out: string[] = []
  if (span.isError) out.push('<span class="tw-badge tw-badge-error">error</span>')
  if (span.aborted) out.push('<span class="tw-badge">aborted</span>')
  if (span.missingParent) out.push('<span class="tw-badge" title="the parent span has no line here">orphan</span>')
  // Cutting alone is normal on one host (a callee's access line follows its socket's close), so only a shift gets a badge.
  if (span.clockSkewMs !== 0) out.push(`<span class="tw-badge tw-badge-skew" title="${escapeHtml(flagTexts(span).filter((f) => f.startsWith('clock') || f.startsWith('drawn cut')).join('; '))}">skew</span>`)
  return out.join('')
}

/** Per row: the span's header facts and its lines, for the details panel. */
function pageData(view: TraceView): Record<string, unknown> {
  let budget = MAX_DETAILS_TOTAL_CHARS
  const spans = view.spans.map((span) => ({
    service: span.service,
    name: spanName(span),
    spanId: span.spanId,
    // A parent that had to be inferred is the caller's outgoing call, which writes no line: normal, so a fact, not a flag.
    parent:
      span.parentSpanId === null ? null : span.parentInferred ? `called through ${span.parentSpanId} (outgoing call, no lines)` : `parent ${span.parentSpanId}`,
    duration: spanDuration(span),
    flags: flagTexts(span).filter((f) => f !== 'error'),
    error: span.isError,
    lines: span.lines.map((line) => {
      // The document itself (the script pretty-prints it), or its JSON cut short when it is too long.
      let fields: Record<string, unknown> | string | null = null
      if (budget > 0) {
        const full = JSON.stringify(line.source)
        fields =
          full.length > MAX_LINE_DETAIL_CHARS
            ? `${full.slice(0, MAX_LINE_DETAIL_CHARS)}\n… ${full.length - MAX_LINE_DETAIL_CHARS} more characters (tracewire trace --json shows the whole line)`
            : (line.source as Record<string, unknown>)
        budget -= Math.min(full.length, MAX_LINE_DETAIL_CHARS)
      }
      return [
        line.drawTimeMs === null ? null : round3(line.drawTimeMs - view.startMs),
        line.level,
        line.error !== null && !line.message.includes(line.error) ? `${line.message} (${line.error})` : line.message,
        line.isError ? 1 : 0,
        fields,
      ]
    }),
  }))
  return { traceId: view.traceId, spans }
}

/** Axis marks: 0 and multiples of a round step (1, 2 or 5 × 10^n ms), five to ten of them. */
export function timeAxis(totalMs: number): number[] {
  if (!(totalMs > 0)) return [0]
  const rough = totalMs / 6
  const magnitude = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude
  const marks: number[] = []
  for (let t = 0; t <= totalMs + step * 1e-9; t += step) marks.push(round3(t))
  return marks
}

/** `0 ms`, `12.5 ms`, `1.25 s`: short labels for axes and bars. */
export function formatMs(ms: number): string {
  const abs = Math.abs(ms)
  if (abs >= 1000) return `${trimZeros((ms / 1000).toFixed(abs >= 10_000 ? 1 : 2))} s`
  return `${trimZeros(ms.toFixed(abs >= 100 ? 0 : 1))} ms`
}

function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}

function plural(n: number): string {
  return n === 1 ? '' : 's'
}
