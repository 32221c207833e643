/**
 * `tracewire trace <trace_id>`: every line of one trace, across services, as a timeline.
 */
import { LINE_SCHEMAS, lineFields } from '@tracewire/contract'
import { resolveEndpoint, type Endpoint } from './endpoint.js'
import { CliError, EXIT, usageError } from './errors.js'
import { expectOk, requestJson } from './http.js'
import { connectionOptions, DEFAULT_ES_URL, DEFAULT_TIMEOUT_MS, parseCommandLine, positiveInteger } from './options.js'
import type { CliIo } from './io.js'
import { withProgress } from './progress.js'
import { buildTimeline, formatTimelineText, timelineJson, type SearchHit, type Timeline } from './timeline.js'
import { writeTraceHtml } from './trace-html.js'

/** Elasticsearch's default `index.max_result_window`: one page of `from + size` may not exceed it. */
export const MAX_SIZE = 10_000

const TRACE_ID = /^[0-9a-f]{32}$/
// A W3C traceparent header (version 00): the trace id is its second field.
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/

/** Help text of `tracewire trace`. */
export const TRACE_USAGE = `Usage: tracewire trace <trace_id> [options]

Prints every log line of one trace, across services, as a timeline.

Options:
  --es URL            Elasticsearch/OpenSearch URL (env ES_URL, default ${DEFAULT_ES_URL})
  --index PATTERN     indices to search (default fluentd-*)
  --json              print JSON instead of text
  --html FILE         also write the trace as a waterfall page: one self-contained HTML file
  --size N            at most N lines (default and maximum ${MAX_SIZE})
  --user NAME[:PASS]  basic auth (env ES_USERNAME / ES_PASSWORD)
  --api-key KEY       API key auth (env ES_API_KEY)
  --timeout-ms N      time limit per request (default ${DEFAULT_TIMEOUT_MS})

Exit status: 0 lines found, 1 no line has this trace id, 2 usage error, 3 request failed.
`

/**
 * Checks a trace id and returns it. Accepts the 32-hex id or a whole `traceparent` value.
 * Why strict: the id is sent in a `term` query, and ids are written lowercase (W3C Trace Context
 * §3.2.2.3), so an uppercase id would silently find nothing.
 */
export function parseTraceId(input: string): string {
  const value = input.trim()
  const fromHeader = TRACEPARENT.exec(value)
  const id = fromHeader?.[1] ?? value
  if (!TRACE_ID.test(id)) {
    const hint = TRACE_ID.test(id.toLowerCase()) ? `trace ids are lowercase: ${id.toLowerCase()}` : 'a trace id or a whole traceparent header'
    throw usageError(`trace id: must be 32 lowercase hex characters, received ${JSON.stringify(input)}`, hint)
  }
  if (/^0+$/.test(id)) throw usageError('trace id: 00000000000000000000000000000000 is the invalid all-zero id', 'no trace has it')
  return id
}

/**
 * The fields the text timeline shows. Text mode fetches only these, so a trace of 10 000 large
 * lines (FORMAT.md caps a line at 64 KiB by default) does not pull hundreds of MB; `--json`
 * returns whole documents.
 */
export const TIMELINE_FIELDS = [
  ...new Set(LINE_SCHEMAS.flatMap((schema) => {
    const f = lineFields(schema)
    return [f.timestamp, f.service, f.spanId, f.level, f.message]
  })),
  'duration_ms',
  'status',
  'method',
  'path',
  'url',
  'route',
  'err.type',
  'err.message',
]

const TRACE_ID_FIELDS = [...new Set(LINE_SCHEMAS.map((schema) => lineFields(schema).traceId))]

/** Query that finds one trace, oldest line first; `fields` limits `_source` when given. */
export function traceQuery(traceId: string, size: number, fields?: readonly string[]): Record<string, unknown> {
  return {
    size,
    ...(fields ? { _source: fields } : {}),
    track_total_hits: true,
    query: {
      bool: {
        // The trace id field of either schema (`trace_id`, ECS `trace.id`) is a keyword with the
        // tracewire template; under dynamic mapping it is text with a `.keyword` sub-field. Any matches the exact id.
        should: TRACE_ID_FIELDS.flatMap((field) => [{ term: { [field]: traceId } }, { term: { [`${field}.keyword`]: traceId } }]),
        minimum_should_match: 1,
      },
    },
    // unmapped_type keeps indices without the field (other apps under the same pattern) from failing the search.
    sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }, { _doc: { order: 'asc' } }],
  }
}

/** The URL path of an index pattern (`*` and `,` kept readable). */
export function indexPath(index: string): string {
  return `/${encodeURIComponent(index).replace(/%2A/gi, '*')}`
}

/** Reads one trace from the search engine. */
export async function fetchTrace(
  endpoint: Endpoint,
  index: string,
  traceId: string,
  size: number,
  timeoutMs: number,
  fields?: readonly string[],
): Promise<Timeline> {
  const path = `${indexPath(index)}/_search?ignore_unavailable=true&allow_no_indices=true`
  const what = `search in ${index} on ${endpoint.label}`
  const response = await requestJson(endpoint, 'POST', path, { body: traceQuery(traceId, size, fields), timeoutMs, what })
  expectOk(response, what)
  const hitsObject = (response.body as { hits?: { hits?: unknown; total?: unknown } } | undefined)?.hits
  if (!hitsObject || !Array.isArray(hitsObject.hits)) {
    throw new CliError('TW_CLI_RESPONSE', `search in ${index} on ${endpoint.label}: the answer has no hits array`)
  }
  const hits = hitsObject.hits as SearchHit[]
  const total = readTotal(hitsObject.total, hits.length)
  return buildTimeline(traceId, hits, total)
}

// 7.x+ answers { value, relation }; 6.x answered a bare number.
function readTotal(total: unknown, fallback: number): number {
  if (typeof total === 'number') return total
  if (total && typeof total === 'object' && typeof (total as { value?: unknown }).value === 'number') {
    return (total as { value: number }).value
  }
  return fallback
}

/** Runs `tracewire trace`; returns the exit status. */
export async function runTrace(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    ...connectionOptions,
    index: { type: 'string' },
    json: { type: 'boolean' },
    html: { type: 'string' },
    size: { type: 'string' },
  })
  if (values.help) {
    io.stdout(TRACE_USAGE)
    return EXIT.ok
  }
  if (positionals.length !== 1 || positionals[0] === undefined) {
    throw usageError(`trace: expected exactly one trace id, received ${positionals.length} arguments`, 'usage: tracewire trace <trace_id> [options]')
  }
  const traceId = parseTraceId(positionals[0])
  const index = values.index ?? 'fluentd-*'
  if (index.length === 0) throw usageError('--index: must not be empty')
  if (values.html === '') throw usageError('--html: needs a file name')
  const size = positiveInteger(values.size, '--size', MAX_SIZE, MAX_SIZE)
  const timeoutMs = positiveInteger(values['timeout-ms'], '--timeout-ms', DEFAULT_TIMEOUT_MS)
  const endpoint = resolveEndpoint(values.es ?? (io.env.ES_URL || DEFAULT_ES_URL), { user: values.user, apiKey: values['api-key'] }, io.env, '--es')

  // The page shows each line's fields on click, so --html reads whole documents, as --json does.
  const wholeDocuments = values.json || values.html !== undefined
  const timeline = await withProgress(io, `searching ${index} on ${endpoint.label} for trace ${traceId}`, () =>
    fetchTrace(endpoint, index, traceId, size, timeoutMs, wholeDocuments ? undefined : TIMELINE_FIELDS),
  )
  if (values.json) {
    io.stdout(`${JSON.stringify(timelineJson(timeline), null, 2)}\n`)
  } else if (timeline.entries.length > 0) {
    io.stdout(formatTimelineText(timeline))
  }
  if (timeline.entries.length === 0) {
    io.stderr(`tracewire: trace ${traceId}: no line in ${index} on ${endpoint.label} (lines reach the index a few seconds after they are written; check --index)\n`)
    return EXIT.notFound
  }
  if (values.html !== undefined) {
    writeTraceHtml(values.html, timeline, `${index} on ${endpoint.label}`)
    io.stderr(`waterfall written to ${values.html}\n`)
  }
  return EXIT.ok
}
