/**
 * `tracewire ui`: a small local web server showing the traces with errors of the last hour, a search box,
 * and each trace as a waterfall (the same page as `tracewire trace <id> --html`).
 */
import { resolveEndpoint, type Endpoint } from './endpoint.js'
import { CliError, EXIT, usageError } from './errors.js'
import { expectOk, requestJson } from './http.js'
import type { CliIo } from './io.js'
import { connectionOptions, DEFAULT_ES_URL, DEFAULT_TIMEOUT_MS, parseCommandLine, positiveInteger } from './options.js'
import { fetchTrace, indexPath, MAX_SIZE, parseTraceId } from './trace-command.js'
import { readRecentErrors, recentErrorsQuery, TRACE_ID_FIELD_CAPS_PATH, traceIdFields, type RecentErrorTrace } from './trace-view/recent-errors.js'
import { buildTraceView } from './trace-view/spans.js'
import { DEFAULT_UI_PORT, startTraceUi } from './trace-view/ui-server.js'

/** Help text of `tracewire ui`. */
export const UI_USAGE = `Usage: tracewire ui [options]

Serves a local page: the traces with error lines of the last hour, a search box for a trace id,
and each trace as a waterfall (/trace/<trace_id>). Stops on Ctrl-C.

Options:
  --es URL            Elasticsearch/OpenSearch URL (env ES_URL, default ${DEFAULT_ES_URL})
  --index PATTERN     indices to search (default fluentd-*)
  --port N            port to listen on (default ${DEFAULT_UI_PORT}; 0 picks a free one)
  --host ADDRESS      address to listen on (default 127.0.0.1: this machine only)
  --size N            at most N lines per trace (default and maximum ${MAX_SIZE})
  --user NAME[:PASS]  basic auth (env ES_USERNAME / ES_PASSWORD)
  --api-key KEY       API key auth (env ES_API_KEY)
  --timeout-ms N      time limit per request (default ${DEFAULT_TIMEOUT_MS})

Exit status: 0 stopped, 2 usage error, 3 could not listen.
`

/**
 * Runs `tracewire ui` until `stop` aborts (tests) or, without it, until SIGINT/SIGTERM; returns the exit status.
 */
export async function runUi(args: string[], io: CliIo, stop?: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    ...connectionOptions,
    index: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    size: { type: 'string' },
  })
  if (values.help) {
    io.stdout(UI_USAGE)
    return EXIT.ok
  }
  if (positionals.length > 0) throw usageError(`ui: takes no arguments, received ${JSON.stringify(positionals[0])}`)
  const index = values.index ?? 'fluentd-*'
  if (index.length === 0) throw usageError('--index: must not be empty')
  const port = values.port === '0' ? 0 : positiveInteger(values.port, '--port', DEFAULT_UI_PORT, 65_535)
  const host = values.host ?? '127.0.0.1'
  const size = positiveInteger(values.size, '--size', MAX_SIZE, MAX_SIZE)
  const timeoutMs = positiveInteger(values['timeout-ms'], '--timeout-ms', DEFAULT_TIMEOUT_MS)
  const endpoint = resolveEndpoint(values.es ?? (io.env.ES_URL || DEFAULT_ES_URL), { user: values.user, apiKey: values['api-key'] }, io.env, '--es')
  const source = `${index} on ${endpoint.label}`

  let ui
  try {
    ui = await startTraceUi({
      host,
      port,
      source,
      parseTraceId,
      async loadTrace(traceId) {
        // Whole documents: the page shows each line's fields on click.
        const timeline = await fetchTrace(endpoint, index, traceId, size, timeoutMs)
        if (timeline.entries.length === 0) return null
        return { view: buildTraceView(traceId, timeline.entries.map((e) => e.source)), total: timeline.total }
      },
      recentErrors: () => fetchRecentErrors(endpoint, index, timeoutMs),
    })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    const [why, hint] =
      code === 'EADDRINUSE'
        ? [`port ${port} is in use`, 'choose another with --port']
        : code === 'EADDRNOTAVAIL'
          ? [`${host} is not an address of this machine`, 'choose another with --host']
          : [typeof code === 'string' ? code : 'failed', undefined]
    throw new CliError('TW_CLI_LISTEN', `listening on ${host}:${port}: ${why}`, { cause: err, ...(hint ? { hint } : {}) })
  }
  // Listen for Ctrl-C before saying where the page is: a signal sent as soon as the line is read
  // (a script, a test) would otherwise kill the process before the handler exists.
  const stopping = stopped(stop)
  io.stdout(`tracewire ui: ${ui.url} (traces from ${source}; Ctrl-C stops)\n`)
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    io.stderr(`tracewire ui: listening on ${host}: anyone who can reach it reads the traces these credentials can read\n`)
  }
  await stopping
  await ui.close()
  return EXIT.ok
}

function stopped(stop: AbortSignal | undefined): Promise<void> {
  if (stop) return stop.aborted ? Promise.resolve() : new Promise((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }))
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      resolve()
    }
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
  })
}

/**
 * The start page's list: which trace id field can be aggregated (`_field_caps`), then one search per such
 * field (one, unless the pattern mixes indices made with and without the tracewire template).
 */
async function fetchRecentErrors(endpoint: Endpoint, index: string, timeoutMs: number): Promise<RecentErrorTrace[]> {
  const caps = await requestJson(endpoint, 'GET', `${indexPath(index)}/${TRACE_ID_FIELD_CAPS_PATH}`, { timeoutMs })
  expectOk(caps, `field capabilities of ${index} on ${endpoint.label}`)
  const answers = await Promise.all(
    traceIdFields(caps.body).map(async (field) => {
      const response = await requestJson(endpoint, 'POST', `${indexPath(index)}/_search?ignore_unavailable=true&allow_no_indices=true`, {
        body: recentErrorsQuery(field),
        timeoutMs,
      })
      expectOk(response, `search for recent errors in ${index} on ${endpoint.label}`)
      return response.body
    }),
  )
  return readRecentErrors(answers)
}
