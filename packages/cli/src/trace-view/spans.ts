/**
 * Rebuilds the spans of one trace from its log lines: the picture every tracing tool draws, without a
 * tracing backend. Pure: no I/O, so every rule below is pinned by table tests (test/trace-spans.test.ts).
 *
 * Rules (also in the CLI README):
 * - Lines are grouped by `span_id`. Lines without one are grouped per service into a span without id.
 * - A span's access line is its line with a numeric `duration_ms` and `status` (what the tracing
 *   middleware writes when the response ends). Its `@timestamp` is the span's end, the end minus
 *   `duration_ms` its start, its `parent_span_id` the parent; service, method, path, status and `aborted`
 *   come from it.
 * - A span without an access line lasts from its first to its last line and is marked `hasAccessLine: false`.
 * - A parent that is not among the lines is usually the caller's outgoing call: `@tracewire/tracing` gives
 *   every outgoing request a fresh span id that no line carries. Such a span is nested under the innermost
 *   (shortest) longer span of the trace during which it started, marked `parentInferred`. With no such span
 *   (parent not shipped yet, in another index, cut by `--size`, or skewed clocks) it is a root marked
 *   `missingParent`; so is a span whose parent chain loops back on itself.
 * - Clock skew: hosts disagree about the time, so a child may seem to start before its parent. The child and
 *   its whole subtree (same host, same clock) are shifted into the parent and the end is clamped to it;
 *   the span is flagged `clockSkewMs` when the shift exceeds {@link SKEW_TOLERANCE_MS}. When both spans name
 *   the same `host` they share a clock: nothing is shifted, the part outside the parent is only cut
 *   (`clamped`), since a callee writes its access line when its socket closes, which can come after the
 *   caller has finished.
 *
 * One file of about 400 lines on purpose: these rules are one algorithm whose steps (group, link, nest,
 * fit, place) hand the same mutable span records to each other; split apart, each step would export
 * internals that only its neighbour uses.
 */
import { withDefaultNames } from '@tracewire/contract'
import { errorSummary, stringField as text } from '../timeline.js'

/** One log line as a document source (`_source` of a search hit, or a parsed line of a log file). */
export type TraceDocument = Readonly<Record<string, unknown>>

/**
 * `@timestamp` has millisecond precision while `duration_ms` has microseconds, so a child can seem to start
 * up to 1 ms before its parent on one and the same clock. A shift of at most this much is drawn clamped but
 * not reported as clock skew.
 */
export const SKEW_TOLERANCE_MS = 1

/** One log line placed in its span. */
export interface SpanLine {
  /** Epoch milliseconds of `@timestamp`, `null` when it is missing or unreadable. */
  timeMs: number | null
  /** Where the line is drawn: `timeMs` moved with its span's skew shift and kept inside the drawn span. */
  drawTimeMs: number | null
  level: string
  message: string
  /** `err.type: err.message` when the line carries an error object. */
  error: string | null
  /** The line is the span's access line. */
  isAccess: boolean
  /** Level `error` or `fatal`. */
  isError: boolean
  /** The whole document, for the details a viewer shows on demand. */
  source: TraceDocument
}

/** One span of the trace. */
export interface Span {
  /** `span_id`, or `null` for the lines of one service that carry no span id. */
  spanId: string | null
  /** `parent_span_id` of the access line, whether or not that span is in the trace. */
  parentSpanId: string | null
  service: string
  /** `host` (or ECS `host.hostname`) of the span's lines: spans of one host share a clock. */
  host: string | null
  method: string | null
  /** The route template when the framework matched one, else the path. */
  path: string | null
  status: number | null
  durationMs: number | null
  /** The client went away before the response was complete (`aborted: true` on the access line). */
  aborted: boolean
  /** False when the span is drawn from its first to its last line because no access line arrived. */
  hasAccessLine: boolean
  /** The parent named by `parent_span_id` is not in the trace (or its chain loops), and no span encloses it: a root. */
  missingParent: boolean
  /** `parent_span_id` has no line (the caller's outgoing call); nested under the innermost span that encloses it. */
  parentInferred: boolean
  /** Level error/fatal lines, or a 5xx status. */
  isError: boolean
  /** Measured start and end, epoch milliseconds (`NaN` when no line of the span has a timestamp). */
  startMs: number
  endMs: number
  /** Start and end as drawn: shifted and clamped inside the parent (see the module rules). */
  drawStartMs: number
  drawEndMs: number
  /** The shift applied to fit the span into its parent, when larger than {@link SKEW_TOLERANCE_MS}; else 0. */
  clockSkewMs: number
  /** The end was cut to the parent's end (the span, as measured, outlasts its parent). */
  clamped: boolean
  /** 0 for roots. */
  depth: number
  children: Span[]
  /** The span's lines in time order (lines without a timestamp last). */
  lines: SpanLine[]
}

/** A trace as spans. */
export interface TraceView {
  traceId: string
  /** Roots in start order; each span's children in start order. */
  roots: Span[]
  /** Every span, depth first (parents before children): the order of the rows of a waterfall. */
  spans: Span[]
  /** Services in order of first start. */
  services: string[]
  /** Drawn extent of the whole trace, epoch milliseconds (0 and 0 when no line has a timestamp). */
  startMs: number
  endMs: number
  lineCount: number
}

/** Builds the spans of one trace from its lines, in any order. */
export function buildTraceView(traceId: string, given: readonly TraceDocument[]): TraceView {
  // Lines of services that log with `schema: 'ecs'` are read under the default names (`@tracewire/contract`).
  const documents = given.map(withDefaultNames)
  const groups = groupBySpan(documents)
  const spans = [...groups.values()].map(toSpan)
  const byId = new Map<string, Span>()
  for (const span of spans) if (span.spanId !== null) byId.set(span.spanId, span)

  const roots = linkParents(spans, byId)
  const timed = spans.filter((s) => !Number.isNaN(s.startMs))
  const fallbackMs = timed.length > 0 ? least(timed.map((s) => s.startMs)) : 0
  for (const span of spans) {
    if (Number.isNaN(span.startMs)) {
      // A span none of whose lines has a timestamp is still listed; it is drawn as an instant at the start.
      span.drawStartMs = span.drawEndMs = fallbackMs
    }
  }

  fitChildren(roots)
  // Sorted after fitting, so rows follow the drawn order.
  sortSpans(roots)
  for (const span of spans) sortSpans(span.children)
  const ordered = walk(roots)
  for (const span of ordered) placeLines(span)

  const services: string[] = []
  for (const span of [...ordered].sort((a, b) => a.drawStartMs - b.drawStartMs)) {
    if (!services.includes(span.service)) services.push(span.service)
  }
  const startMs = ordered.length > 0 ? least(ordered.map((s) => s.drawStartMs)) : 0
  const endMs = ordered.length > 0 ? greatest(ordered.map((s) => s.drawEndMs)) : 0
  return { traceId, roots, spans: ordered, services, startMs, endMs, lineCount: documents.length }
}

function groupBySpan(documents: readonly TraceDocument[]): Map<string, TraceDocument[]> {
  const groups = new Map<string, TraceDocument[]>()
  for (const doc of documents) {
    const spanId = text(doc.span_id)
    // The first letter keeps span ids and service names apart.
    const key = spanId !== null ? `s${spanId}` : `n${text(doc.service) ?? '?'}`
    const group = groups.get(key)
    if (group) group.push(doc)
    else groups.set(key, [doc])
  }
  return groups
}

function toSpan(docs: TraceDocument[]): Span {
  const lines = docs.map(toLine).sort(byTime)
  const accessIndex = docs.findIndex(isAccessLine)
  const access = accessIndex === -1 ? undefined : docs[accessIndex]
  const first = docs[0] ?? {}
  const times = lines.map((l) => l.timeMs).filter((t): t is number => t !== null)
  let startMs = times.length > 0 ? least(times) : Number.NaN
  let endMs = times.length > 0 ? greatest(times) : Number.NaN
  let durationMs: number | null = null
  if (access !== undefined) {
    durationMs = access.duration_ms as number
    const accessEnd = timeOf(access)
    if (accessEnd !== null) {
      endMs = accessEnd
      startMs = accessEnd - Math.max(0, durationMs)
    }
    const line = lines.find((l) => l.source === access)
    if (line) line.isAccess = true
  }
  const status = access === undefined ? null : (access.status as number)
  return {
    spanId: text(first.span_id),
    parentSpanId: access === undefined ? null : text(access.parent_span_id),
    service: text((access ?? first).service) ?? '?',
    host: hostOf(access ?? first),
    method: access === undefined ? null : text(access.method),
    path: access === undefined ? null : (text(access.route) ?? text(access.path) ?? text(access.url)),
    status,
    durationMs,
    aborted: access?.aborted === true,
    hasAccessLine: access !== undefined,
    missingParent: false,
    parentInferred: false,
    isError: (status !== null && status >= 500) || lines.some((l) => l.isError),
    startMs,
    endMs,
    drawStartMs: startMs,
    drawEndMs: endMs,
    clockSkewMs: 0,
    clamped: false,
    depth: 0,
    children: [],
    lines,
  }
}

function hostOf(doc: TraceDocument): string | null {
  const host = doc.host
  if (host !== null && typeof host === 'object') return text((host as Record<string, unknown>).hostname)
  return text(host) ?? text(doc['host.hostname'])
}

function isAccessLine(doc: TraceDocument): boolean {
  return typeof doc.duration_ms === 'number' && Number.isFinite(doc.duration_ms) && typeof doc.status === 'number'
}

function toLine(doc: TraceDocument): SpanLine {
  const level = text(doc.level) ?? '?'
  const timeMs = timeOf(doc)
  return {
    timeMs,
    drawTimeMs: timeMs,
    level,
    message: text(doc.message) ?? '',
    error: errorSummary(doc.err),
    isAccess: false,
    isError: level === 'error' || level === 'fatal',
    source: doc,
  }
}

function byTime(a: SpanLine, b: SpanLine): number {
  if (a.timeMs === null) return b.timeMs === null ? 0 : 1
  if (b.timeMs === null) return -1
  return a.timeMs - b.timeMs
}

/**
 * Attaches each span to its parent; returns the roots. Iterative throughout (here and below): a trace of
 * thousands of chained spans must not overflow the stack.
 */
function linkParents(spans: Span[], byId: Map<string, Span>): Span[] {
  let roots: Span[] = []
  const parentOf = new Map<Span, Span>()
  for (const span of spans) {
    const parent = span.parentSpanId === null ? undefined : byId.get(span.parentSpanId)
    if (parent === undefined || parent === span) {
      span.missingParent = span.parentSpanId !== null
      roots.push(span)
    } else {
      parentOf.set(span, parent)
      parent.children.push(span)
    }
  }
  // Spans not reachable from a root hang off a loop in bad data (A's parent is B, B's parent is A):
  // cut each loop at the first of its spans met from the earliest stray span; it becomes a root marked `missingParent`.
  const reached = new Set<Span>()
  const mark = (from: Span): void => {
    for (const span of walk([from])) reached.add(span)
  }
  for (const root of roots) mark(root)
  const unreached = spans.filter((s) => !reached.has(s)).sort((a, b) => a.drawStartMs - b.drawStartMs)
  for (const start of unreached) {
    if (reached.has(start)) continue
    // Up the parents until one repeats: that span is on the loop (start may only hang below it).
    const seen = new Set<Span>()
    let onLoop = start
    while (!seen.has(onLoop)) {
      seen.add(onLoop)
      onLoop = parentOf.get(onLoop) ?? onLoop
    }
    const parent = parentOf.get(onLoop)
    if (parent) parent.children.splice(parent.children.indexOf(onLoop), 1)
    onLoop.missingParent = true
    roots.push(onLoop)
    mark(onLoop)
  }
  const adopted = new Set<Span>()
  for (const root of roots) {
    if (root.parentSpanId === null || byId.has(root.parentSpanId)) continue
    const parent = enclosingSpan(root, spans, parentOf)
    if (parent === undefined) continue
    root.missingParent = false
    root.parentInferred = true
    parentOf.set(root, parent)
    parent.children.push(root)
    adopted.add(root)
  }
  roots = roots.filter((r) => !adopted.has(r))
  return roots
}

/**
 * The innermost (shortest) span, strictly longer than `child`, during which `child` started (within the
 * rounding tolerance), never one of the child's own descendants: the caller whose outgoing call has no line.
 * Only the start counts: a callee's access line is written when its socket closes, which may be after the
 * caller finished.
 */
function enclosingSpan(child: Span, spans: readonly Span[], parentOf: Map<Span, Span>): Span | undefined {
  if (Number.isNaN(child.startMs)) return undefined
  const length = child.endMs - child.startMs
  let best: Span | undefined
  for (const candidate of spans) {
    if (candidate === child || Number.isNaN(candidate.startMs)) continue
    const candidateLength = candidate.endMs - candidate.startMs
    if (candidateLength <= length) continue
    if (candidate.startMs > child.startMs + SKEW_TOLERANCE_MS || candidate.endMs < child.startMs - SKEW_TOLERANCE_MS) continue
    if (best !== undefined && candidateLength >= best.endMs - best.startMs) continue
    if (isAncestor(child, candidate, parentOf)) continue
    best = candidate
  }
  return best
}

/** Whether `ancestor` is `span` or above it. */
function isAncestor(ancestor: Span, span: Span, parentOf: Map<Span, Span>): boolean {
  for (let s: Span | undefined = span; s !== undefined; s = parentOf.get(s)) if (s === ancestor) return true
  return false
}

/** Spans of the given subtrees, depth first, parents before children. */
function walk(roots: readonly Span[]): Span[] {
  const out: Span[] = []
  const stack = [...roots].reverse()
  for (let span = stack.pop(); span !== undefined; span = stack.pop()) {
    out.push(span)
    for (let i = span.children.length - 1; i >= 0; i--) stack.push(span.children[i] as Span)
  }
  return out
}

function sortSpans(spans: Span[]): void {
  spans.sort((a, b) => a.drawStartMs - b.drawStartMs || (a.spanId ?? '').localeCompare(b.spanId ?? ''))
}

/**
 * Sets depths and fits each child into its parent (visited first), moving the child's subtree with it:
 * the subtree ran on the child's host, so it shares the child's clock.
 */
function fitChildren(roots: readonly Span[]): void {
  for (const parent of walk(roots)) {
    for (const child of parent.children) {
      child.depth = parent.depth + 1
      if (child.host !== null && child.host === parent.host) {
        clampInto(child, parent)
        continue
      }
      let shift = 0
      if (child.drawStartMs < parent.drawStartMs) shift = parent.drawStartMs - child.drawStartMs
      else if (child.drawEndMs > parent.drawEndMs) {
        // Ahead of the parent's clock: move back until it ends with the parent, but not before the parent's start.
        shift = Math.max(parent.drawEndMs - child.drawEndMs, parent.drawStartMs - child.drawStartMs)
      }
      if (shift !== 0) for (const span of walk([child])) shiftSpan(span, shift)
      if (Math.abs(shift) > SKEW_TOLERANCE_MS) child.clockSkewMs = shift
      if (child.drawEndMs > parent.drawEndMs) {
        child.drawEndMs = parent.drawEndMs
        child.clamped = true
      }
    }
  }
}

/** Cuts a span to its parent's drawn extent (one clock: nothing to shift). */
function clampInto(child: Span, parent: Span): void {
  if (child.drawStartMs < parent.drawStartMs) {
    child.drawStartMs = parent.drawStartMs
    child.clamped = true
  }
  if (child.drawEndMs > parent.drawEndMs) {
    child.drawEndMs = parent.drawEndMs
    child.clamped = true
  }
  if (child.drawEndMs < child.drawStartMs) child.drawEndMs = child.drawStartMs
}

function shiftSpan(span: Span, shiftMs: number): void {
  span.drawStartMs += shiftMs
  span.drawEndMs += shiftMs
}

/** Moves each line with its span's shift, kept inside the drawn span so its tick sits on the bar. */
function placeLines(span: Span): void {
  const shift = span.drawStartMs - span.startMs
  for (const line of span.lines) {
    if (line.timeMs === null || Number.isNaN(span.startMs)) {
      line.drawTimeMs = span.drawStartMs
      continue
    }
    line.drawTimeMs = Math.min(span.drawEndMs, Math.max(span.drawStartMs, line.timeMs + shift))
  }
}

/** The smallest number; a loop, because `Math.min(...values)` overflows the stack on very long arrays. */
function least(values: readonly number[]): number {
  let min = Number.POSITIVE_INFINITY
  for (const v of values) if (v < min) min = v
  return min
}

function greatest(values: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY
  for (const v of values) if (v > max) max = v
  return max
}

function timeOf(doc: TraceDocument): number | null {
  const value = doc['@timestamp']
  if (typeof value !== 'string') return null
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : ms
}
