/**
 * The error-log alert: a query monitor over `fluentd-*` that fires when error lines were indexed in the
 * last minutes and posts service, message and trace id to a Slack-compatible webhook (Slack destinations
 * and channels POST `{"text": <message>}`). It reads the lines of every line schema at once (default
 * `level`/`service`/`trace_id`, ECS `log.level`/`service.name`/`trace.id`), as `tracewire ui` does: one
 * index pattern can hold services of both.
 * Idempotent: the destination/channel and the monitor are found by name (or fixed id) and updated.
 */
import { LINE_SCHEMAS, lineFields } from '@tracewire/contract'
import { CliError } from './errors.js'
import { expectOk, requestJson } from './http.js'
import type { Endpoint } from './endpoint.js'
import type { AlertingFlavor } from './engine.js'

/** Names under which `tracewire setup` keeps its alerting objects. */
export const ALERT_NAMES = {
  monitor: 'tracewire-error-logs',
  destination: 'tracewire-slack',
  /** Notification channels take a client-chosen id, which makes re-runs update in place. */
  channelId: 'tracewire-slack',
} as const

/** Options of {@link installErrorAlert}. */
export interface ErrorAlertOptions {
  flavor: AlertingFlavor
  webhookUrl: string
  /** Index pattern the monitor searches. */
  indexPattern: string
  /** The monitor runs this often and looks back this far (plus one minute for ingest delay). */
  intervalMinutes: number
  timeoutMs: number
}

/** What {@link installErrorAlert} did. */
export interface ErrorAlertResult {
  destinationId: string
  destinationAction: 'created' | 'updated'
  monitorId: string
  monitorAction: 'created' | 'updated'
}

/** Base path of the alerting API of a flavor. */
export function alertingBase(flavor: AlertingFlavor): string {
  return flavor === 'opendistro' ? '/_opendistro/_alerting' : '/_plugins/_alerting'
}

/** A field name of every schema, in {@link LINE_SCHEMAS} order, without repeats. */
function namesOf(field: 'level' | 'service' | 'message' | 'traceId' | 'spanId' | 'timestamp'): string[] {
  return [...new Set(LINE_SCHEMAS.map((schema) => lineFields(schema)[field]))]
}

/** At most this many traces per schema are listed in one message. */
const TRACES_PER_MESSAGE = 10

/**
 * Per schema, the error lines grouped by trace (`-` for lines without one), newest trace first, each with
 * its service and newest message. The message reads these buckets rather than the hits: Mustache cannot
 * reach an ECS key in `_source` (the line writes `"service.name"` as one dotted key, and Mustache reads the
 * dots as a path), while a bucket's `key` is a plain value. The buckets are keyword terms (the index
 * template maps both schemas' fields), so this needs no scripting module on the cluster.
 */
function errorsBySchema(): Record<string, unknown> {
  return Object.fromEntries(
    LINE_SCHEMAS.map((schema) => {
      const f = lineFields(schema)
      return [
        `errors_${schema}`,
        {
          filter: { term: { [f.level]: 'error' } },
          aggs: {
            traces: {
              terms: { field: f.traceId, size: TRACES_PER_MESSAGE, missing: '-', order: { newest: 'desc' } },
              aggs: {
                newest: { max: { field: f.timestamp } },
                service: { terms: { field: f.service, size: 1 } },
                line: { top_hits: { size: 1, sort: [{ [f.timestamp]: { order: 'desc' } }], _source: [f.message] } },
              },
            },
          },
        },
      ]
    }),
  )
}

/**
 * Mustache template of the Slack message: one bullet per trace with error lines (at most
 * {@link TRACES_PER_MESSAGE} per schema), its service, newest error message and number of error lines.
 * Both schemas call the message `message`.
 */
export const ALERT_MESSAGE_TEMPLATE = [
  '{{ctx.monitor.name}}: {{ctx.results.0.hits.total.value}} error line(s) between {{ctx.periodStart}} and {{ctx.periodEnd}}',
  ...LINE_SCHEMAS.flatMap((schema) => [
    `{{#ctx.results.0.aggregations.errors_${schema}.traces.buckets}}`,
    '• {{service.buckets.0.key}}: {{line.hits.hits.0._source.message}} (trace_id {{key}}, {{doc_count}} error line(s))',
    `{{/ctx.results.0.aggregations.errors_${schema}.traces.buckets}}`,
  ]),
].join('\n')

/**
 * The monitor document. ODFE 1.x takes bare triggers; OpenSearch wraps them in
 * `query_level_trigger` and names the monitor type (its documented 2.x request shape).
 */
export function errorMonitorBody(
  flavor: AlertingFlavor,
  destinationId: string,
  indexPattern: string,
  intervalMinutes: number,
): Record<string, unknown> {
  // One extra minute of look-back: a line is searchable only after Fluentd's flush (5 s) and the
  // index refresh (1 s), so a line stamped just before a run could be missed by it; repeating a
  // line in two alerts is the lesser evil.
  const lookBackMinutes = intervalMinutes + 1
  const trigger = {
    name: 'error lines',
    severity: '1',
    condition: { script: { source: 'ctx.results[0].hits.total.value > 0', lang: 'painless' } },
    actions: [
      {
        name: 'post to slack',
        destination_id: destinationId,
        subject_template: { source: 'tracewire: error lines', lang: 'mustache' },
        message_template: { source: ALERT_MESSAGE_TEMPLATE, lang: 'mustache' },
        throttle_enabled: false,
      },
    ],
  }
  const monitor: Record<string, unknown> = {
    type: 'monitor',
    name: ALERT_NAMES.monitor,
    enabled: true,
    schedule: { period: { interval: intervalMinutes, unit: 'MINUTES' } },
    inputs: [
      {
        search: {
          indices: [indexPattern],
          query: {
            size: 10,
            track_total_hits: true,
            sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }],
            _source: [...namesOf('timestamp'), ...namesOf('service'), ...namesOf('level'), ...namesOf('message'), ...namesOf('traceId'), ...namesOf('spanId')],
            aggs: errorsBySchema(),
            query: {
              bool: {
                filter: [
                  { bool: { should: namesOf('level').map((name) => ({ term: { [name]: 'error' } })), minimum_should_match: 1 } },
                  {
                    range: {
                      '@timestamp': {
                        gte: `{{period_end}}||-${lookBackMinutes}m`,
                        lte: '{{period_end}}',
                        format: 'epoch_millis',
                      },
                    },
                  },
                ],
              },
            },
          },
        },
      },
    ],
    triggers: flavor === 'opendistro' ? [trigger] : [{ query_level_trigger: trigger }],
  }
  if (flavor !== 'opendistro') monitor.monitor_type = 'query_level_monitor'
  return monitor
}

/** Creates or updates the Slack destination/channel and the error monitor. */
export async function installErrorAlert(endpoint: Endpoint, options: ErrorAlertOptions): Promise<ErrorAlertResult> {
  const destination =
    options.flavor === 'opensearch-notifications'
      ? await upsertChannel(endpoint, options.webhookUrl, options.timeoutMs)
      : await upsertDestination(endpoint, options.flavor, options.webhookUrl, options.timeoutMs)
  const monitor = await upsertMonitor(
    endpoint,
    options.flavor,
    errorMonitorBody(options.flavor, destination.id, options.indexPattern, options.intervalMinutes),
    options.timeoutMs,
  )
  return {
    destinationId: destination.id,
    destinationAction: destination.action,
    monitorId: monitor.id,
    monitorAction: monitor.action,
  }
}

interface Upserted {
  id: string
  action: 'created' | 'updated'
}

async function upsertChannel(endpoint: Endpoint, webhookUrl: string, timeoutMs: number): Promise<Upserted> {
  const config = {
    name: ALERT_NAMES.destination,
    description: 'tracewire error-log alerts (created by tracewire setup)',
    config_type: 'slack',
    is_enabled: true,
    slack: { url: webhookUrl },
  }
  const path = `/_plugins/_notifications/configs/${ALERT_NAMES.channelId}`
  const existing = await requestJson(endpoint, 'GET', path, { timeoutMs })
  if (existing.status === 200) {
    const updated = await requestJson(endpoint, 'PUT', path, { body: { config }, timeoutMs })
    expectOk(updated, 'update notification channel')
    return { id: ALERT_NAMES.channelId, action: 'updated' }
  }
  if (existing.status !== 404) expectOk(existing, 'read notification channel')
  const created = await requestJson(endpoint, 'POST', '/_plugins/_notifications/configs', {
    body: { config_id: ALERT_NAMES.channelId, config },
    timeoutMs,
  })
  expectOk(created, 'create notification channel')
  return { id: readString(created.body, 'config_id') ?? ALERT_NAMES.channelId, action: 'created' }
}

async function upsertDestination(
  endpoint: Endpoint,
  flavor: AlertingFlavor,
  webhookUrl: string,
  timeoutMs: number,
): Promise<Upserted> {
  const base = alertingBase(flavor)
  const body = { name: ALERT_NAMES.destination, type: 'slack', slack: { url: webhookUrl } }
  const listed = await requestJson(
    endpoint,
    'GET',
    `${base}/destinations?searchString=${encodeURIComponent(ALERT_NAMES.destination)}&size=100`,
    { timeoutMs },
  )
  expectOk(listed, 'list alerting destinations')
  const destinations = (listed.body as { destinations?: unknown } | undefined)?.destinations
  const match = Array.isArray(destinations)
    ? (destinations as Array<{ id?: unknown; name?: unknown }>).find((d) => d.name === ALERT_NAMES.destination)
    : undefined
  if (match && typeof match.id === 'string') {
    const updated = await requestJson(endpoint, 'PUT', `${base}/destinations/${encodeURIComponent(match.id)}`, { body, timeoutMs })
    expectOk(updated, 'update alerting destination')
    return { id: match.id, action: 'updated' }
  }
  const created = await requestJson(endpoint, 'POST', `${base}/destinations`, { body, timeoutMs })
  expectOk(created, 'create alerting destination')
  const id = readString(created.body, '_id')
  if (id === undefined) throw new CliError('TW_CLI_RESPONSE', 'create alerting destination: the answer has no _id')
  return { id, action: 'created' }
}

async function upsertMonitor(
  endpoint: Endpoint,
  flavor: AlertingFlavor,
  monitor: Record<string, unknown>,
  timeoutMs: number,
): Promise<Upserted> {
  const base = alertingBase(flavor)
  const search = await requestJson(endpoint, 'POST', `${base}/monitors/_search`, {
    body: { size: 100, query: { match_phrase: { 'monitor.name': ALERT_NAMES.monitor } } },
    timeoutMs,
  })
  // Before the first monitor exists the config index does not either; both engines answer 404 then.
  if (search.status !== 404) expectOk(search, 'search alerting monitors')
  const hits = (search.body as { hits?: { hits?: unknown } } | undefined)?.hits?.hits
  const match = Array.isArray(hits)
    ? (hits as Array<{ _id?: unknown; _source?: { name?: unknown; monitor?: { name?: unknown } } }>).find(
        (h) => (h._source?.monitor?.name ?? h._source?.name) === ALERT_NAMES.monitor,
      )
    : undefined
  if (match && typeof match._id === 'string') {
    const updated = await requestJson(endpoint, 'PUT', `${base}/monitors/${encodeURIComponent(match._id)}`, { body: monitor, timeoutMs })
    expectOk(updated, 'update alerting monitor')
    return { id: match._id, action: 'updated' }
  }
  const created = await requestJson(endpoint, 'POST', `${base}/monitors`, { body: monitor, timeoutMs })
  expectOk(created, 'create alerting monitor')
  const id = readString(created.body, '_id')
  if (id === undefined) throw new CliError('TW_CLI_RESPONSE', 'create alerting monitor: the answer has no _id')
  return { id, action: 'created' }
}

function readString(body: unknown, key: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined
  const value = (body as Record<string, unknown>)[key]
  return typeof value === 'string' ? value : undefined
}
