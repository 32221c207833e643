/**
 * The local UI's list of recent traces with error lines: one `terms` aggregation on the trace id over
 * error lines of the last hour, with each trace's first error line (service and message).
 * Pure: builds the request bodies and reads the answers; `ui-command.ts` sends them.
 *
 * Both line schemas (`@tracewire/contract`): which trace id fields exist is read from the indices'
 * mappings (`_field_caps`), and each field's search uses the names of the schema it belongs to
 * (`trace_id` with `level`, ECS `trace.id` with `log.level`). No option: one index pattern can hold
 * services of both schemas, as `tracewire trace` already reads them.
 */
import { LINE_SCHEMAS, lineFields, withDefaultNames, type LineSchema } from '@tracewire/contract'

/** One trace in the list. */
export interface RecentErrorTrace {
  traceId: string
  /** Error lines of the trace in the window. */
  errorLines: number
  /** Epoch milliseconds of the latest error line (`null` when the server did not say). */
  lastSeenMs: number | null
  /** Service and message of the trace's first error line in the window. */
  service: string
  message: string
}

/** Default number of traces listed. */
export const RECENT_ERRORS_LIMIT = 50

/** The trace id field of each schema: `trace_id`, ECS `trace.id`. */
const TRACE_ID_NAMES = LINE_SCHEMAS.map((schema) => ({ schema, name: lineFields(schema).traceId }))

/** The field-capabilities request that tells which trace id fields (of either schema) can be aggregated. */
export const TRACE_ID_FIELD_CAPS_PATH = `_field_caps?fields=${TRACE_ID_NAMES.flatMap(({ name }) => [name, `${name}.keyword`]).join(',')}&ignore_unavailable=true&allow_no_indices=true`

/**
 * The fields to aggregate on, from a `_field_caps` answer, for each schema's trace id field: the field where
 * it is a keyword (the tracewire template), its `.keyword` sub-field where dynamic mapping made it text (a
 * terms aggregation on a text field fails). Both when the pattern holds indices of both kinds; none when no
 * index has a trace id yet. The template maps both schemas' fields, so its indices answer both schemas'.
 */
export function traceIdFields(fieldCaps: unknown): string[] {
  const fields = (fieldCaps as { fields?: Record<string, Record<string, { aggregatable?: unknown }>> } | undefined)?.fields ?? {}
  const types = (name: string): Array<[string, boolean]> =>
    Object.entries(fields[name] ?? {})
      .filter(([type]) => type !== 'unmapped')
      .map(([type, caps]) => [type, caps.aggregatable === true])
  const out: string[] = []
  for (const { name } of TRACE_ID_NAMES) {
    const traceId = types(name)
    const subField = types(`${name}.keyword`)
    if (traceId.some(([, aggregatable]) => aggregatable)) out.push(name)
    if (subField.some(([, aggregatable]) => aggregatable) && (traceId.length === 0 || traceId.some(([, aggregatable]) => !aggregatable))) {
      out.push(`${name}.keyword`)
    }
  }
  return out
}

/** The schema a trace id field of {@link traceIdFields} belongs to. */
function schemaOfField(field: string): LineSchema {
  const base = field.replace(/\.keyword$/, '')
  return TRACE_ID_NAMES.find(({ name }) => name === base)?.schema ?? 'default'
}

/** The search body: error lines of the last hour, one bucket per trace, latest first. */
export function recentErrorsQuery(field: string, limit = RECENT_ERRORS_LIMIT, window = '1h'): Record<string, unknown> {
  const f = lineFields(schemaOfField(field))
  return {
    size: 0,
    query: {
      bool: {
        // The level (`level`, ECS `log.level`) is a keyword with the tracewire template; under dynamic mapping
        // the text field's only token is the same lowercase word, so one `term` matches both.
        filter: [{ term: { [f.level]: 'error' } }, { range: { [f.timestamp]: { gte: `now-${window}` } } }],
      },
    },
    aggs: {
      traces: {
        terms: { field, size: limit, order: { last_seen: 'desc' } },
        aggs: {
          last_seen: { max: { field: '@timestamp' } },
          first_seen: { min: { field: '@timestamp' } },
          first_error: {
            top_hits: {
              size: 1,
              sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }],
              _source: { includes: [f.service, f.message, 'err.type', 'err.message'] },
            },
          },
        },
      },
    },
  }
}

/** Reads the traces of one or more answers of {@link recentErrorsQuery}; merged by trace id, latest first. */
export function readRecentErrors(answers: readonly unknown[], limit = RECENT_ERRORS_LIMIT): RecentErrorTrace[] {
  const byId = new Map<string, RecentErrorTrace & { firstSeenMs: number }>()
  for (const answer of answers) {
    const buckets = (answer as { aggregations?: { traces?: { buckets?: unknown } } } | undefined)?.aggregations?.traces?.buckets
    if (!Array.isArray(buckets)) continue
    for (const bucket of buckets as Array<Record<string, unknown> | null>) {
      if (!bucket || typeof bucket.key !== 'string') continue
      const traceId = bucket.key
      const lastSeen = (bucket.last_seen as { value?: unknown } | undefined)?.value
      const firstSeen = (bucket.first_seen as { value?: unknown } | undefined)?.value
      const hit = (bucket.first_error as { hits?: { hits?: Array<{ _source?: Record<string, unknown> }> } } | undefined)?.hits?.hits?.[0]
      // An ECS line's `service.name` (dotted or nested) is read as `service`.
      const source = withDefaultNames(hit?._source ?? {})
      const err = source.err as { type?: unknown; message?: unknown } | undefined
      const message = typeof source.message === 'string' ? source.message : typeof err?.message === 'string' ? err.message : ''
      const entry: RecentErrorTrace & { firstSeenMs: number } = {
        traceId,
        errorLines: typeof bucket.doc_count === 'number' ? bucket.doc_count : 0,
        lastSeenMs: typeof lastSeen === 'number' ? lastSeen : null,
        service: typeof source.service === 'string' ? source.service : '?',
        message,
        firstSeenMs: typeof firstSeen === 'number' ? firstSeen : Number.POSITIVE_INFINITY,
      }
      const existing = byId.get(traceId)
      if (existing) {
        // The same trace in indices of both mappings: one entry, with the earlier first error line.
        existing.errorLines += entry.errorLines
        existing.lastSeenMs = Math.max(existing.lastSeenMs ?? 0, entry.lastSeenMs ?? 0) || null
        if (entry.firstSeenMs < existing.firstSeenMs) Object.assign(existing, { service: entry.service, message: entry.message, firstSeenMs: entry.firstSeenMs })
      } else {
        byId.set(traceId, entry)
      }
    }
  }
  return [...byId.values()]
    .sort((a, b) => (b.lastSeenMs ?? 0) - (a.lastSeenMs ?? 0))
    .slice(0, limit)
    .map(({ firstSeenMs: _firstSeenMs, ...trace }) => trace)
}
