/**
 * `tracewire setup`: installs what the reference stack needs besides the data — the index template,
 * with `--kibana` the index pattern and saved searches, with `--alert-slack-webhook` the error alert.
 * Every step is idempotent, so running it again after an upgrade updates in place.
 */
import type { LineSchema } from '@tracewire/contract'
import { ensureIndexTemplate } from '@tracewire/shipper'
import { installErrorAlert } from './alerting.js'
import { detectEngine } from './engine.js'
import { resolveEndpoint } from './endpoint.js'
import { CliError, EXIT, usageError } from './errors.js'
import type { CliIo } from './io.js'
import { installKibanaObjects } from './kibana.js'
import { connectionOptions, DEFAULT_TIMEOUT_MS, integerOption, parseCommandLine, positiveInteger, schemaOption } from './options.js'
import { withProgress } from './progress.js'
import { requestFailure } from './request-failure.js'

const DEFAULT_ALERT_INTERVAL_MINUTES = 5

/**
 * Upper bound of `--replicas`: a copy per node beyond the primary, and no cluster a CLI user sets up
 * has more than a few dozen nodes; a bigger number is a typo, and would leave every index yellow.
 */
export const MAX_REPLICAS = 64

/** What `setup --json` prints: one entry per step that ran. */
export interface SetupSummary {
  template: { name: string; kind: string; node: string; index_pattern: string; replicas: number | null }
  kibana: { url: string; schema: LineSchema; saved: string[] } | null
  alerting: {
    flavor: string
    channel_kind: 'destination' | 'notification channel'
    channel_id: string
    channel_action: string
    monitor: { name: 'tracewire-error-logs'; id: string; action: string; interval_minutes: number }
  } | null
}

/** Help text of `tracewire setup`. */
export const SETUP_USAGE = `Usage: tracewire setup --es URL [--kibana URL] [--alert-slack-webhook URL] [options]

Installs the index template; with --kibana the index pattern fluentd-* and saved searches; with
--alert-slack-webhook a monitor that posts error lines to a Slack-compatible webhook.
Safe to run again: every object is updated in place.

Options:
  --es URL                     Elasticsearch/OpenSearch URL (env ES_URL)
  --kibana URL                 Kibana URL (env KIBANA_URL); uses the same credentials as --es
  --alert-slack-webhook URL    Slack incoming-webhook URL (env TRACEWIRE_SLACK_WEBHOOK)
  --alert-interval-minutes N   how often the monitor runs and how far it looks back (default ${DEFAULT_ALERT_INTERVAL_MINUTES})
  --index PATTERN              index pattern of the template, Kibana and the monitor (default fluentd-*)
  --schema default|ecs         field names of the Kibana saved searches: the line schema your services log
                               with (the logger's schema option; default: default)
  --template-name NAME         index template name (default tracewire-fluentd)
  --replicas N                 number_of_replicas of new indices, 0 to ${MAX_REPLICAS} (default: the cluster's, 1;
                               0 keeps a single-node cluster green)
  --json                       print a JSON summary of what was installed instead of text
  --user NAME[:PASS]           basic auth (env ES_USERNAME / ES_PASSWORD)
  --api-key KEY                API key auth (env ES_API_KEY)
  --timeout-ms N               time limit per request (default ${DEFAULT_TIMEOUT_MS})

Exit status: 0 done, 2 usage error, 3 a request failed or the alerting plugin is missing.
`

/** What `ensureIndexTemplate` is called with and answers; injectable for tests. */
export type EnsureIndexTemplate = typeof ensureIndexTemplate

/** Runs `tracewire setup`; returns the exit status. */
export async function runSetup(
  args: string[],
  io: CliIo,
  deps: { ensureIndexTemplate: EnsureIndexTemplate } = { ensureIndexTemplate },
): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    ...connectionOptions,
    kibana: { type: 'string' },
    'alert-slack-webhook': { type: 'string' },
    'alert-interval-minutes': { type: 'string' },
    index: { type: 'string' },
    'template-name': { type: 'string' },
    replicas: { type: 'string' },
    schema: { type: 'string' },
    json: { type: 'boolean' },
  })
  if (values.help) {
    io.stdout(SETUP_USAGE)
    return EXIT.ok
  }
  if (positionals.length > 0) throw usageError(`setup: takes no arguments, received ${JSON.stringify(positionals[0])}`)
  const esUrl = values.es ?? nonEmpty(io.env.ES_URL)
  if (!esUrl) throw usageError('setup: needs the Elasticsearch URL', 'give --es URL or set ES_URL')
  const timeoutMs = positiveInteger(values['timeout-ms'], '--timeout-ms', DEFAULT_TIMEOUT_MS)
  const intervalMinutes = positiveInteger(values['alert-interval-minutes'], '--alert-interval-minutes', DEFAULT_ALERT_INTERVAL_MINUTES, 1440)
  const replicas = values.replicas === undefined ? undefined : integerOption(values.replicas, '--replicas', 0, 0, MAX_REPLICAS)
  const schema = schemaOption(values.schema, '--schema', 'default')
  const indexPattern = values.index ?? 'fluentd-*'
  if (indexPattern.length === 0) throw usageError('--index: must not be empty')
  const credentials = { user: values.user, apiKey: values['api-key'] }
  const es = resolveEndpoint(esUrl, credentials, io.env, '--es')
  const kibanaUrl = values.kibana ?? nonEmpty(io.env.KIBANA_URL)
  const kibana = kibanaUrl ? resolveEndpoint(kibanaUrl, credentials, io.env, '--kibana') : undefined
  const webhook = values['alert-slack-webhook'] ?? nonEmpty(io.env.TRACEWIRE_SLACK_WEBHOOK)
  if (webhook !== undefined) checkWebhook(webhook)

  const text = (line: string): void => {
    if (!values.json) io.stdout(line)
  }

  let template: Awaited<ReturnType<EnsureIndexTemplate>>
  try {
    template = await withProgress(io, `installing the index template on ${es.label}`, () =>
      deps.ensureIndexTemplate({
        node: es.baseUrl,
        ...(es.auth ? { auth: es.auth } : {}),
        ...(values['template-name'] !== undefined ? { name: values['template-name'] } : {}),
        ...(replicas !== undefined ? { numberOfReplicas: replicas } : {}),
        indexPattern,
        requestTimeoutMs: timeoutMs,
      }),
    )
  } catch (err) {
    throw templateFailure(`index template on ${es.label}`, err, timeoutMs)
  }
  const summary: SetupSummary = {
    template: { name: template.name, kind: template.kind, node: es.label, index_pattern: indexPattern, replicas: replicas ?? null },
    kibana: null,
    alerting: null,
  }
  text(`index template: ${template.name} (${template.kind}${replicas !== undefined ? `, ${replicas} replicas` : ''}) installed on ${es.label}\n`)

  if (kibana) {
    const written = await withProgress(io, `saving Kibana objects on ${kibana.label}`, () => installKibanaObjects(kibana, indexPattern, timeoutMs, schema))
    summary.kibana = { url: kibana.label, schema, saved: written }
    text(`kibana: ${written.join(', ')} saved on ${kibana.label}${schema === 'default' ? '' : ` (${schema} field names)`}\n`)
  }

  if (webhook !== undefined) {
    const engine = await withProgress(io, `reading the plugins of ${es.label}`, () => detectEngine(es, timeoutMs))
    if (engine.alerting === null) {
      throw new CliError(
        'TW_CLI_UNSUPPORTED',
        `alert on ${es.label}: no alerting plugin (${engine.distribution} ${engine.version}, plugins: ${engine.plugins.join(', ') || 'none'})`,
        { hint: 'Elasticsearch 7.10 needs OpenDistro alerting (opendistro-alerting 1.13), OpenSearch the alerting plugin' },
      )
    }
    const flavor = engine.alerting
    const result = await withProgress(io, `installing the error alert on ${es.label}`, () =>
      installErrorAlert(es, { flavor, webhookUrl: webhook, indexPattern, intervalMinutes, timeoutMs }),
    )
    const channelKind = engine.alerting === 'opensearch-notifications' ? 'notification channel' : 'destination'
    summary.alerting = {
      flavor: engine.alerting,
      channel_kind: channelKind,
      channel_id: result.destinationId,
      channel_action: result.destinationAction,
      monitor: { name: 'tracewire-error-logs', id: result.monitorId, action: result.monitorAction, interval_minutes: intervalMinutes },
    }
    text(
      `alerting (${engine.alerting}): ${channelKind} ${result.destinationId} ${result.destinationAction}, ` +
        `monitor tracewire-error-logs ${result.monitorAction} (id ${result.monitorId}, every ${intervalMinutes} min)\n`,
    )
  }
  if (values.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`)
  return EXIT.ok
}

// The shipper's errors for the template step: no answer reads as every other request failure;
// a refusal keeps the server's reason, without the shipper's own "index template not installed" prefix.
function templateFailure(what: string, err: unknown, timeoutMs: number): CliError {
  const code = (err as { code?: unknown } | null)?.code
  if (code === 'TW_SHIPPER_TIMEOUT' || code === 'TW_SHIPPER_CONNECTION') return requestFailure(what, err, timeoutMs)
  // An empty server body leaves the shipper's message ending in ': '.
  const message = err instanceof Error ? err.message.replace(/^index template not installed: /, '').replace(/:\s*$/, '') : String(err)
  return new CliError('TW_CLI_RESPONSE', `${what}: ${message}`, { cause: err })
}

// Compose and CI set unset variables to '' (`${X:-}`): treat that as not given.
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

// The webhook URL is a secret (Slack's carries its token in the path): check it, never print it.
function checkWebhook(value: string): void {
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw usageError('--alert-slack-webhook: must be an http(s) URL', 'value not shown: webhook URLs are secrets')
  }
}
