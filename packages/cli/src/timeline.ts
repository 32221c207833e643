/**
 * Turns the search hits of one trace into a timeline and renders it for people or machines.
 * Pure functions: no I/O, so the layout is pinned by table tests.
 */
import { lineFields, readField, schemaOf } from '@tracewire/contract'

/** One search hit as Elasticsearch/OpenSearch returns it. */
export interface SearchHit {
  _index: string
  _id: string
  _source?: Record<string, unknown>
}

/** The request summary of an access line (a line with numeric `duration_ms` and `status`). */
export interface RequestSummary {
  durationMs: number
  status: number
  method?: string
  path?: string
}

/** One line of a trace, placed relative to the trace's first line. */
export interface TimelineEntry {
  /** Milliseconds since the first line, or `null` when the line has no readable `@timestamp`. */
  offsetMs: number | null
  timestamp: string | null
  service: string
  spanId: string | null
  level: string
  message: string
  /** Present on access lines. */
  request: RequestSummary | null
  /** `err.type: err.message` on lines that carry an error object. */
  error: string | null
  index: string
  id: string
  source: Record<string, unknown>
}

/** A trace read back from the search engine. */
export interface Timeline {
  traceId: string
  /** Matching lines on the server (may exceed `entries.length` when the size limit cut the result). */
  total: number
  entries: TimelineEntry[]
  /** Services in order of first appearance. */
  services: string[]
  /** Milliseconds between the first and the last line with a timestamp. */
  spanMs: number
}

/** Builds a timeline from hits already sorted by `@timestamp`. */
export function buildTimeline(traceId: string, hits: readonly SearchHit[], total: number): Timeline {
  let first: number | null = null
  let last: number | null = null
  const services: string[] = []
  const entries = hits.map((hit): TimelineEntry => {
    const source = hit._source ?? {}
    const timestamp = typeof source['@timestamp'] === 'string' ? source['@timestamp'] : null
    const epochMs = timestamp === null ? Number.NaN : Date.parse(timestamp)
    let offsetMs: number | null = null
    if (!Number.isNaN(epochMs)) {
      first ??= epochMs
      last = epochMs
      offsetMs = epochMs - first
    }
    // A trace can cross services that log with different schemas (`@tracewire/contract`).
    const names = lineFields(schemaOf(source) ?? 'default')
    const service = stringField(readField(source, names.service)) ?? '?'
    if (!services.includes(service)) services.push(service)
    return {
      offsetMs,
      timestamp,
      service,
      spanId: stringField(readField(source, names.spanId)),
      level: stringField(readField(source, names.level)) ?? '?',
      message: stringField(readField(source, names.message)) ?? '',
      request: requestSummary(source),
      error: errorSummary(source.err),
      index: hit._index,
      id: hit._id,
      source,
    }
  })
  return { traceId, total, entries, services, spanMs: first !== null && last !== null ? last - first : 0 }
}

/** A string, number or boolean field as text; `null` for anything else. */
export function stringField(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return null
}

function requestSummary(source: Record<string, unknown>): RequestSummary | null {
  const durationMs = source.duration_ms
  const status = source.status
  if (typeof durationMs !== 'number' || typeof status !== 'number') return null
  const summary: RequestSummary = { durationMs, status }
  const method = stringField(source.method)
  const path = stringField(source.path) ?? stringField(source.url) ?? stringField(source.route)
  if (method !== null) summary.method = method
  if (path !== null) summary.path = path
  return summary
}

/** `err.type: err.message` of a line's error object, `null` when it has neither. */
export function errorSummary(err: unknown): string | null {
  if (!err || typeof err !== 'object') return null
  const e = err as Record<string, unknown>
  const type = stringField(e.type)
  const message = stringField(e.message)
  if (type === null && message === null) return null
  return [type, message].filter((part) => part !== null).join(': ')
}

/** `+0.0 ms`, `+12.3 ms`, `+1.234 s`; `?` when the line had no timestamp. */
export function formatOffset(offsetMs: number | null): string {
  if (offsetMs === null) return '?'
  if (offsetMs < 1000) return `+${offsetMs.toFixed(1)} ms`
  return `+${(offsetMs / 1000).toFixed(3)} s`
}

/** `48.2 ms`, `1.250 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms.toFixed(1)} ms`
  return `${(ms / 1000).toFixed(3)} s`
}

/** Keeps a message on one terminal line: control characters are shown escaped, as JSON would. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    const escaped = JSON.stringify(c).slice(1, -1)
    // JSON.stringify leaves DEL and the Unicode line separators as they are.
    return escaped === c ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : escaped
  })
}

/** Renders the timeline as aligned text, one trace line per row, ending with a newline. */
export function formatTimelineText(timeline: Timeline): string {
  const { entries } = timeline
  const serviceList = timeline.services.join(', ')
  const count = `${entries.length} line${entries.length === 1 ? '' : 's'}`
  const header =
    `trace ${timeline.traceId}: ${count} from ${timeline.services.length} ` +
    `service${timeline.services.length === 1 ? '' : 's'} (${serviceList}) over ${formatDuration(timeline.spanMs)}`
  const rows = entries.map((e) => [
    formatOffset(e.offsetMs),
    e.service,
    e.spanId ?? '-',
    e.level,
    describe(e),
  ])
  const widths = [0, 1, 2, 3].map((col) => Math.max(...rows.map((r) => (r[col] ?? '').length)))
  const lines = rows.map((r) =>
    [
      (r[0] ?? '').padStart(widths[0] ?? 0),
      (r[1] ?? '').padEnd(widths[1] ?? 0),
      (r[2] ?? '').padEnd(widths[2] ?? 0),
      (r[3] ?? '').padEnd(widths[3] ?? 0),
      r[4] ?? '',
    ]
      .join('  ')
      .trimEnd(),
  )
  const out = [header, '', ...lines]
  if (timeline.total > entries.length) {
    out.push('', `(showing the first ${entries.length} of ${timeline.total} lines; raise --size or narrow --index)`)
  }
  return `${out.join('\n')}\n`
}

function describe(entry: TimelineEntry): string {
  let text = oneLine(entry.message)
  if (entry.error !== null && !text.includes(entry.error)) text += ` (${oneLine(entry.error)})`
  const r = entry.request
  if (r !== null) {
    const what = [r.method, r.path].filter((part) => part !== undefined).join(' ')
    text += `  [${what ? `${oneLine(what)} ` : ''}${r.status} in ${formatDuration(r.durationMs)}]`
  }
  return text
}

/** The machine-readable form printed by `--json`. Field names follow the log line contract. */
export function timelineJson(timeline: Timeline): Record<string, unknown> {
  return {
    trace_id: timeline.traceId,
    total: timeline.total,
    truncated: timeline.total > timeline.entries.length,
    services: timeline.services,
    span_ms: timeline.spanMs,
    lines: timeline.entries.map((e) => ({
      offset_ms: e.offsetMs,
      '@timestamp': e.timestamp,
      service: e.service,
      span_id: e.spanId,
      level: e.level,
      message: e.message,
      request: e.request === null ? null : { duration_ms: e.request.durationMs, status: e.request.status, method: e.request.method ?? null, path: e.request.path ?? null },
      error: e.error,
      _index: e.index,
      _id: e.id,
      source: e.source,
    })),
  }
}
