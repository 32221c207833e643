// The tracewire demo (`npm run demo`): two services, one trace across them, the files Fluentd would tail and,
// when an Elasticsearch is at hand, the same lines shipped directly and read back as one timeline.
import { mkdirSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCli } from '@tracewire/cli'
import { esJson, resolveElasticsearch, type DemoElasticsearch } from './elasticsearch.js'
import { indexOf, readLogFile, type LogLine } from './log-file.js'
import { startService, stopService, type RunningService } from './services.js'
import { SIDECAR_INDEX_PREFIX, startSidecar, type DemoSidecar } from './sidecar.js'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const logDir = process.env.DEMO_LOG_DIR ?? join(repoRoot, '.tmp', 'demo', 'logs')
// Beside the logs of a test run (DEMO_LOG_DIR), else .tmp/demo/trace.html.
const traceHtml = join(process.env.DEMO_LOG_DIR ?? join(repoRoot, '.tmp', 'demo'), 'trace.html')
const say = (line = ''): void => console.log(line)

interface Call {
  what: string
  method: 'GET' | 'POST'
  path: string
  body?: unknown
  traceparent?: string
}

// The caller of the first request already has a trace (a browser or gateway would): tracewire continues it.
const CALLER_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

async function send(orders: RunningService, call: Call): Promise<{ status: number; traceId: string; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (call.traceparent) headers.traceparent = call.traceparent
  const response = await fetch(`${orders.url}${call.path}`, {
    method: call.method,
    headers,
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  })
  const traceId = response.headers.get('traceparent')?.split('-')[1] ?? '?'
  return { status: response.status, traceId, json: await response.json() }
}

function pretty(lines: LogLine[]): string[] {
  const start = lines[0]?.time ?? 0
  const skip = new Set(['level', 'time', '@timestamp', 'service', 'message', 'trace_id', 'span_id', 'trace_flags', 'host', 'pid'])
  return lines.map((l) => {
    const offset = `+${((l.time - start) * 1000).toFixed(0).padStart(4)} ms`
    const extra = Object.entries(l)
      .filter(([k]) => !skip.has(k))
      .map(([k, v]) => `${k}=${k === 'err' ? (v as { message?: string }).message : JSON.stringify(v)}`)
      .join(' ')
    return `  ${offset}  ${l.service.padEnd(8)} ${l.level.padEnd(5)} span ${l.span_id ?? '-'.repeat(16)}  ${l.message ?? ''}  ${extra}`
  })
}

async function showShipped(es: DemoElasticsearch, expected: number, traceId: string): Promise<void> {
  say(`\n4. The same lines, shipped directly to ${es.url} by @tracewire/shipper (logger option \`elasticsearch\`):`)
  let count = 0
  for (let i = 0; i < 40 && count < expected; i++) {
    await esJson(`${es.url}/fluentd-*/_refresh`, 'POST')
    count = (await esJson<{ count: number }>(`${es.url}/fluentd-*/_count`)).count
    if (count < expected) await new Promise((r) => setTimeout(r, 250))
  }
  const indices = await esJson<Array<{ index: string; 'docs.count': string }>>(`${es.url}/_cat/indices/fluentd-*?format=json`)
  for (const i of indices.sort((a, b) => a.index.localeCompare(b.index))) say(`   ${i.index}: ${i['docs.count']} documents`)
  say(`   ${count} of the ${expected} lines written are in Elasticsearch.`)
  say(`\n5. \`tracewire trace ${traceId} --es ${es.url}\` reads the trace back as a timeline:`)
  // The same command line the bin runs, in-process through @tracewire/cli's API.
  // --html also writes the trace as a waterfall page; its "written to" note (stderr) is replaced by the line below.
  const status = await runCli(['trace', traceId, '--es', es.url, '--html', traceHtml], {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => (text.startsWith('waterfall written to ') ? undefined : process.stderr.write(text)),
    env: process.env,
  })
  if (status === 0) say(`\n6. The same trace as a waterfall, one self-contained page: ${traceHtml.startsWith(repoRoot) ? relative(repoRoot, traceHtml) : traceHtml}`)
}

interface TraceJson {
  total: number
  lines: Array<{ _index: string; source: Record<string, unknown> }>
}

async function traceJson(es: DemoElasticsearch, traceId: string, index: string): Promise<TraceJson> {
  let stdout = ''
  const code = await runCli(['trace', traceId, '--es', es.url, '--index', index, '--json'], { stdout: (text) => (stdout += text), stderr: () => {}, env: process.env })
  // Exit status 1: nothing indexed (yet).
  return code === 0 ? (JSON.parse(stdout) as TraceJson) : { total: 0, lines: [] }
}

/** The documents of one trace as comparable text: each `_source` whole, in a stable order. */
const documentsOf = (trace: TraceJson): string[] => trace.lines.map((l) => JSON.stringify(l.source)).sort()

async function showSidecar(es: DemoElasticsearch, sidecar: DemoSidecar, traceId: string): Promise<boolean> {
  const direct = await traceJson(es, traceId, 'fluentd-*')
  say(`\n7. The same files, tailed by the real Fluentd with examples/stack/fluentd/fluent.conf (the sidecar route),`)
  say(`   into ${SIDECAR_INDEX_PREFIX}-<service>-YYYYMMDD here so both routes sit side by side (waiting for its 5 s flush)...`)
  let viaSidecar = await traceJson(es, traceId, `${SIDECAR_INDEX_PREFIX}-*`)
  for (let i = 0; i < 120 && viaSidecar.total < direct.total; i++) {
    await new Promise((r) => setTimeout(r, 500))
    viaSidecar = await traceJson(es, traceId, `${SIDECAR_INDEX_PREFIX}-*`)
  }
  await sidecar.stop()
  say(`\n   \`tracewire trace ${traceId} --index '${SIDECAR_INDEX_PREFIX}-*'\`:`)
  await runCli(['trace', traceId, '--es', es.url, '--index', `${SIDECAR_INDEX_PREFIX}-*`], {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  })
  const same = viaSidecar.total === direct.total && JSON.stringify(documentsOf(viaSidecar)) === JSON.stringify(documentsOf(direct))
  say(
    same
      ? `\n   Both routes hold the same ${direct.total} documents for this trace: Fluentd with the stack's configuration indexed exactly what @tracewire/shipper indexed.`
      : `\n   The routes differ: ${viaSidecar.total} documents through Fluentd, ${direct.total} through the shipper.`,
  )
  return same
}

async function main(): Promise<void> {
  rmSync(logDir, { recursive: true, force: true })
  mkdirSync(logDir, { recursive: true })
  const es = await resolveElasticsearch(say)
  const esEnv: Record<string, string> = es ? { ES_URL: es.url } : {}
  const files = { orders: join(logDir, 'orders.log'), payments: join(logDir, 'payments.log') }
  // The sidecar starts first, as in a deployment: it finds the services' files on its 5 s refresh.
  let sidecar: DemoSidecar | undefined
  let sidecarSkipped = 'no Elasticsearch to ship to'
  if (es) {
    const started = await startSidecar({ logDir, stateDir: `${logDir}.fluentd`, elasticsearchUrl: es.url })
    if ('skipped' in started) sidecarSkipped = started.skipped
    else sidecar = started
  }

  say('1. Starting payments (Fastify) and orders (Express), both logging with @tracewire/logger...')
  const payments = await startService('payments', { LOG_FILE: files.payments, ...esEnv })
  const orders = await startService('orders', { LOG_FILE: files.orders, PAYMENTS_URL: payments.url, ...esEnv })

  say('\n2. Sending requests to orders (each POST calls payments over fetch, carrying the trace):')
  const calls: Call[] = [
    { what: 'order a coffee (caller already has a trace)', method: 'POST', path: '/orders', body: { item: 'coffee', amount: 4 }, traceparent: CALLER_TRACEPARENT },
    { what: 'order a book', method: 'POST', path: '/orders', body: { item: 'book', amount: 30 } },
    { what: 'order a bike (declined by payments)', method: 'POST', path: '/orders', body: { item: 'bike', amount: 900 } },
    { what: 'order without an amount', method: 'POST', path: '/orders', body: { item: 'pen' } },
    { what: 'read an order that does not exist', method: 'GET', path: '/orders/nope' },
  ]
  const results = []
  for (const call of calls) {
    const result = await send(orders, call)
    results.push(result)
    say(`   ${call.method.padEnd(4)} ${call.path.padEnd(12)} -> ${result.status}  trace ${result.traceId}  (${call.what})`)
  }

  // SIGTERM, as an orchestrator would: each logger flushes its file and its shipper before the process exits.
  await Promise.all([stopService(orders), stopService(payments)])

  const lines = [...readLogFile(files.orders), ...readLogFile(files.payments)].sort((a, b) => a.time - b.time)
  const failed = results[2]!
  const traceLines = lines.filter((l) => l.trace_id === failed.traceId)
  const services = new Set(traceLines.map((l) => l.service))
  say(`\n3. One request across both services: the declined order, trace_id ${failed.traceId}`)
  say(`   ${traceLines.length} lines from ${[...services].join(' and ')}, all with the same trace_id:`)
  for (const l of pretty(traceLines)) say(l)

  const continued = lines.filter((l) => l.trace_id === CALLER_TRACEPARENT.split('-')[1]).length
  say(`\n   The first order continued the caller's trace ${CALLER_TRACEPARENT.split('-')[1]} (${continued} lines).`)
  say('\n   The files, in the line format Fluentd tails (FORMAT.md), and the index each line goes to:')
  for (const [service, file] of Object.entries(files)) {
    const own = lines.filter((l) => l.service === service)
    say(`   ${file.startsWith(repoRoot) ? relative(repoRoot, file) : file}: ${own.length} lines -> ${[...new Set(own.map(indexOf))].join(', ')}`)
  }

  let routesAgree = true
  if (es) {
    try {
      await showShipped(es, lines.length, failed.traceId)
      if (sidecar) routesAgree = await showSidecar(es, sidecar, failed.traceId)
    } finally {
      await sidecar?.stop()
      await es.stop()
    }
  } else {
    say('\n4. Direct shipping to Elasticsearch: skipped (set ES_URL, or install Java 17 + Maven for the embedded one).')
  }
  if (!sidecar) say(`\n7. The sidecar route (the real Fluentd with the stack's fluent.conf): skipped, ${sidecarSkipped}.`)
  say(`\nDone. The log files are in ${logDir}`)
  if (services.size < 2) throw new Error('the declined order should have lines from both services')
  if (!routesAgree) throw new Error('the sidecar route and the direct route indexed different documents')
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
