/**
 * `tracewire setup`: installs what the reference stack needs besides the data — the index template,
 * with `--kibana` the index pattern and saved searches, with `--alert-slack-webhook` the error alert.
 * Every step is idempotent, so running it again after an upgrade updates in place.
 */
import { ensureIndexTemplate } from '@tracewire/shipper'
import { installErrorAlert } from './alerting.js'
import { detectEngine } from './engine.js'
import { resolveEndpoint } from './endpoint.js'
import { CliError, EXIT, usageError } from './errors.js'
import type { CliIo } from './io.js'
import { installKibanaObjects } from './kibana.js'
import { connectionOptions, DEFAULT_TIMEOUT_MS, parseCommandLine, positiveInteger } from './options.js'

const DEFAULT_ALERT_INTERVAL_MINUTES = 5

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
  --template-name NAME         index template name (default tracewire-fluentd)
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
  })
  if (values.help) {
    io.stdout(SETUP_USAGE)
    return EXIT.ok
  }
  if (positionals.length > 0) throw usageError(`tracewire setup takes no arguments, received ${JSON.stringify(positionals[0])}\n\n${SETUP_USAGE}`)
  const esUrl = values.es ?? nonEmpty(io.env.ES_URL)
  if (!esUrl) throw usageError(`tracewire setup needs --es URL (or ES_URL)\n\n${SETUP_USAGE}`)
  const timeoutMs = positiveInteger(values['timeout-ms'], '--timeout-ms', DEFAULT_TIMEOUT_MS)
  const intervalMinutes = positiveInteger(values['alert-interval-minutes'], '--alert-interval-minutes', DEFAULT_ALERT_INTERVAL_MINUTES, 1440)
  const indexPattern = values.index ?? 'fluentd-*'
  if (indexPattern.length === 0) throw usageError('--index must not be empty')
  const credentials = { user: values.user, apiKey: values['api-key'] }
  const es = resolveEndpoint(esUrl, credentials, io.env, '--es')
  const kibanaUrl = values.kibana ?? nonEmpty(io.env.KIBANA_URL)
  const kibana = kibanaUrl ? resolveEndpoint(kibanaUrl, credentials, io.env, '--kibana') : undefined
  const webhook = values['alert-slack-webhook'] ?? nonEmpty(io.env.TRACEWIRE_SLACK_WEBHOOK)
  if (webhook !== undefined) checkWebhook(webhook)

  let template: Awaited<ReturnType<EnsureIndexTemplate>>
  try {
    template = await deps.ensureIndexTemplate({
      node: es.baseUrl,
      ...(es.auth ? { auth: es.auth } : {}),
      ...(values['template-name'] !== undefined ? { name: values['template-name'] } : {}),
      indexPattern,
      requestTimeoutMs: timeoutMs,
    })
  } catch (err) {
    throw new CliError('TW_CLI_RESPONSE', `index template on ${es.label}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  io.stdout(`index template: ${template.name} (${template.kind}) installed on ${es.label}\n`)

  if (kibana) {
    const written = await installKibanaObjects(kibana, indexPattern, timeoutMs)
    io.stdout(`kibana: ${written.join(', ')} saved on ${kibana.label}\n`)
  }

  if (webhook !== undefined) {
    const engine = await detectEngine(es, timeoutMs)
    if (engine.alerting === null) {
      throw new CliError(
        'TW_CLI_UNSUPPORTED',
        `no alerting plugin on ${es.label} (${engine.distribution} ${engine.version}, plugins: ${engine.plugins.join(', ') || 'none'}); ` +
          'Elasticsearch 7.10 needs OpenDistro alerting (opendistro-alerting 1.13), OpenSearch the alerting plugin',
      )
    }
    const result = await installErrorAlert(es, {
      flavor: engine.alerting,
      webhookUrl: webhook,
      indexPattern,
      intervalMinutes,
      timeoutMs,
    })
    const channelKind = engine.alerting === 'opensearch-notifications' ? 'notification channel' : 'destination'
    io.stdout(
      `alerting (${engine.alerting}): ${channelKind} ${result.destinationId} ${result.destinationAction}, ` +
        `monitor tracewire-error-logs ${result.monitorAction} (id ${result.monitorId}, every ${intervalMinutes} min)\n`,
    )
  }
  return EXIT.ok
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
    throw usageError('--alert-slack-webhook must be an http(s) URL (value not shown: webhook URLs are secrets)')
  }
}
