/**
 * `tracewire trace` and the template step of `tracewire setup` against the real embedded
 * Elasticsearch 7.10.2 and OpenSearch 2.19 servers (test/support).
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import { describeEngines } from '../../../test/support/engines.js'
import { useIndexPrefix } from '../../../test/support/index-prefix.js'
import { ALERT_MESSAGE_TEMPLATE } from '../src/alerting.js'
import { runCli } from '../src/run.js'
import { createShipper } from '@tracewire/shipper'
import { captureIo } from './cli-fake-server.js'

const BIN = fileURLToPath(new URL('../bin/tracewire.js', import.meta.url))
const BUILT = existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))
const run = promisify(execFile)

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const OTHER = '0af7651916cd43dd8448eb211c80319c'

async function bulk(url: string, docs: Array<{ index: string; doc: Record<string, unknown> }>): Promise<void> {
  const body = docs.map(({ index, doc }) => `${JSON.stringify({ create: { _index: index } })}\n${JSON.stringify(doc)}\n`).join('')
  const res = await fetch(`${url}/_bulk?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body })
  const json = (await res.json()) as { errors: boolean; items: unknown[] }
  expect(res.status).toBe(200)
  expect(json.errors, JSON.stringify(json.items)).toBe(false)
}

/** One request through orders and payments, as the two services write it (FORMAT.md, `time` removed by Fluentd). */
function traceDocs(prefix: string): Array<{ index: string; doc: Record<string, unknown> }> {
  const orders = `${prefix}fluentd-orders-20261126`
  const payments = `${prefix}fluentd-payments-20261126`
  const line = (service: string, ms: number, level: string, message: string, span: string, extra: Record<string, unknown> = {}) => ({
    '@timestamp': new Date(Date.UTC(2026, 10, 26, 12, 2, 12, ms)).toISOString(),
    level,
    service,
    message,
    trace_id: TRACE,
    span_id: span,
    trace_flags: '01',
    ...extra,
  })
  // Written out of order on purpose: the timeline must come back sorted by @timestamp.
  return [
    { index: payments, doc: line('payments', 130, 'error', 'card declined', 'b7ad6b7169203331', { err: { type: 'PaymentError', message: 'insufficient funds' } }) },
    { index: orders, doc: line('orders', 100, 'info', 'creating order', '00f067aa0ba902b7') },
    { index: payments, doc: line('payments', 140, 'info', 'request completed', 'b7ad6b7169203331', { duration_ms: 12.5, status: 402, method: 'POST', path: '/charge' }) },
    { index: orders, doc: line('orders', 160, 'info', 'request completed', '00f067aa0ba902b7', { duration_ms: 60, status: 502, method: 'POST', path: '/orders' }) },
    { index: orders, doc: { ...line('orders', 150, 'info', 'another request', '1111111111111111'), trace_id: OTHER } },
  ]
}

describeEngines('tracewire trace', (engine) => {
  const idx = useIndexPrefix(engine.url, 'cli')

  it.each([
    ['dynamic mapping', false],
    ['the tracewire template', true],
  ])('reads one trace across services in time order (%s)', async (_label, withTemplate) => {
    if (withTemplate) {
      const io = captureIo()
      const status = await runCli(['setup', '--es', engine.url, '--index', `${idx.prefix}fluentd-*`, '--template-name', idx.name('tpl')], io)
      expect(status, io.err).toBe(0)
    }
    await bulk(engine.url, traceDocs(idx.prefix))

    const io = captureIo()
    const status = await runCli(['trace', TRACE, '--es', engine.url, '--index', `${idx.prefix}fluentd-*`], io)
    expect(status, io.err).toBe(0)
    const lines = io.out.trimEnd().split('\n')
    expect(lines[0]).toBe(`trace ${TRACE}: 4 lines from 2 services (orders, payments) over 60.0 ms`)
    expect(lines.slice(2)).toEqual([
      ' +0.0 ms  orders    00f067aa0ba902b7  info   creating order',
      '+30.0 ms  payments  b7ad6b7169203331  error  card declined (PaymentError: insufficient funds)',
      '+40.0 ms  payments  b7ad6b7169203331  info   request completed  [POST /charge 402 in 12.5 ms]',
      '+60.0 ms  orders    00f067aa0ba902b7  info   request completed  [POST /orders 502 in 60.0 ms]',
    ])

    const jsonIo = captureIo()
    expect(await runCli(['trace', TRACE, '--json', '--es', engine.url, '--index', `${idx.prefix}fluentd-*`], jsonIo)).toBe(0)
    const json = JSON.parse(jsonIo.out) as { total: number; lines: Array<{ _index: string; offset_ms: number }> }
    expect(json.total).toBe(4)
    expect(json.lines.map((l) => [l._index, l.offset_ms])).toEqual([
      [`${idx.prefix}fluentd-orders-20261126`, 0],
      [`${idx.prefix}fluentd-payments-20261126`, 30],
      [`${idx.prefix}fluentd-payments-20261126`, 40],
      [`${idx.prefix}fluentd-orders-20261126`, 60],
    ])
  })

  it('exits 1 for an unknown trace id and for a pattern that matches no index', async () => {
    await bulk(engine.url, traceDocs(idx.prefix))
    const io = captureIo()
    expect(await runCli(['trace', 'ffffffffffffffffffffffffffffffff', '--es', engine.url, '--index', `${idx.prefix}fluentd-*`], io)).toBe(1)
    expect(io.err).toContain('tracewire: trace ffffffffffffffffffffffffffffffff: no line in')
    const none = captureIo()
    expect(await runCli(['trace', TRACE, '--es', engine.url, '--index', `${idx.prefix}nothing-*`], none)).toBe(1)
  })

  it('honours --size and says the result was cut', async () => {
    await bulk(engine.url, traceDocs(idx.prefix))
    const io = captureIo()
    expect(await runCli(['trace', TRACE, '--size', '2', '--es', engine.url, '--index', `${idx.prefix}fluentd-*`], io)).toBe(0)
    expect(io.out).toContain('(showing the first 2 of 4 lines')
  })
})

describeEngines('tracewire setup (index template)', (engine) => {
  const idx = useIndexPrefix(engine.url, 'clisetup')

  it('installs a template that maps new fluentd indices, and is idempotent', async () => {
    const args = ['setup', '--es', engine.url, '--index', `${idx.prefix}fluentd-*`, '--template-name', idx.name('tpl')]
    for (let run = 0; run < 2; run++) {
      const io = captureIo()
      expect(await runCli(args, io), io.err).toBe(0)
      expect(io.out).toMatch(new RegExp(`^index template: ${idx.name('tpl')} \\((legacy|composable)\\) installed on ${engine.url}\\n$`))
    }
    const index = `${idx.prefix}fluentd-orders-20261126`
    expect((await fetch(`${engine.url}/${index}`, { method: 'PUT' })).status).toBe(200)
    const mapping = (await (await fetch(`${engine.url}/${index}/_mapping`)).json()) as Record<string, { mappings: { properties: Record<string, { type: string }> } }>
    const props = mapping[index]?.mappings.properties
    expect(props?.['@timestamp']?.type).toBe('date')
    expect(props?.trace_id?.type).toBe('keyword')
    expect(props?.level?.type).toBe('keyword')
  })

  it('--replicas 0 makes new indices green on the single-node server; --json reports it', async () => {
    const io = captureIo()
    const args = ['setup', '--es', engine.url, '--index', `${idx.prefix}green-*`, '--template-name', idx.name('tplgreen'), '--replicas', '0', '--json']
    expect(await runCli(args, io), io.err).toBe(0)
    expect(JSON.parse(io.out)).toMatchObject({ template: { name: idx.name('tplgreen'), replicas: 0, node: engine.url } })
    const index = `${idx.prefix}green-orders-20261126`
    expect((await fetch(`${engine.url}/${index}`, { method: 'PUT' })).status).toBe(200)
    const settings = (await (await fetch(`${engine.url}/${index}/_settings`)).json()) as Record<string, { settings: { index: { number_of_replicas: string } } }>
    expect(settings[index]?.settings.index.number_of_replicas).toBe('0')
    const health = (await (await fetch(`${engine.url}/_cluster/health/${index}?wait_for_status=green&timeout=10s`)).json()) as { status: string }
    expect(health.status).toBe('green')
  })
})

describeEngines('tracewire bin after the shipper (direct mode)', (engine) => {
  const idx = useIndexPrefix(engine.url, 'clibin')

  // The package bin as a user runs it; `pnpm test` builds before vitest, so dist/ is there in CI.
  it('reads back the lines the shipper indexed, as a timeline and as JSON', async () => {
    // The bin runs dist/: an unbuilt package fails here with the fix, instead of skipping silently.
    expect(BUILT, 'packages/cli is not built: run `pnpm build` first').toBe(true)
    const shipper = createShipper({ node: engine.url, indexPrefix: idx.prefix.replace(/-$/, ''), flushIntervalMs: 50, reportDropsToStderr: false })
    const t0 = Date.UTC(2026, 10, 26, 12, 0, 0, 0)
    const line = (ms: number, service: string, level: string, message: string, extra: Record<string, unknown> = {}) => {
      const t = t0 + ms
      return `${JSON.stringify({ level, time: t / 1000, '@timestamp': new Date(t).toISOString(), service, message, trace_id: TRACE, span_id: service === 'orders' ? '00f067aa0ba902b7' : 'b7ad6b7169203331', trace_flags: '01', ...extra })}\n`
    }
    shipper.write(line(0, 'orders', 'info', 'order received'))
    shipper.write(line(7, 'payments', 'error', 'card declined'))
    shipper.write(line(9, 'payments', 'info', 'request completed', { duration_ms: 3.25, status: 402 }))
    shipper.write(line(21, 'orders', 'info', 'request completed', { duration_ms: 21, status: 502 }))
    await shipper.flush()
    await shipper.close()
    await fetch(`${engine.url}/${idx.prefix}*/_refresh`, { method: 'POST' })

    const env = { ...process.env, ES_URL: engine.url }
    const text = await run(process.execPath, [BIN, 'trace', TRACE, '--index', `${idx.prefix}*`], { env })
    expect(text.stdout.split('\n').slice(2, 6)).toEqual([
      ' +0.0 ms  orders    00f067aa0ba902b7  info   order received',
      ' +7.0 ms  payments  b7ad6b7169203331  error  card declined',
      ' +9.0 ms  payments  b7ad6b7169203331  info   request completed  [402 in 3.3 ms]',
      '+21.0 ms  orders    00f067aa0ba902b7  info   request completed  [502 in 21.0 ms]',
    ])
    const json = await run(process.execPath, [BIN, 'trace', TRACE, '--json', '--index', `${idx.prefix}*`], { env })
    const parsed = JSON.parse(json.stdout) as { lines: Array<{ _index: string; source: Record<string, unknown> }> }
    expect(parsed.lines.map((l) => l._index)).toEqual([
      `${idx.prefix}orders-20261126`,
      `${idx.prefix}payments-20261126`,
      `${idx.prefix}payments-20261126`,
      `${idx.prefix}orders-20261126`,
    ])
    // What the shipper indexed is the record without `time` (FORMAT.md), and that is what trace reads.
    for (const l of parsed.lines) expect(l.source).not.toHaveProperty('time')

    const missing = await run(process.execPath, [BIN, 'trace', 'ffffffffffffffffffffffffffffffff', '--index', `${idx.prefix}*`], { env }).catch((e: unknown) => e)
    expect((missing as { code?: number }).code).toBe(1)
    const usage = await run(process.execPath, [BIN, 'trace', 'XYZ'], { env }).catch((e: unknown) => e)
    expect((usage as { code?: number; stderr?: string }).code).toBe(2)
    expect((usage as { stderr?: string }).stderr).toContain('32 lowercase hex')
  })
})

describeEngines('the alert message template', (engine) => {
  // Alerting renders message templates with the server's lang-mustache module. `_render/template`
  // runs that same engine, so this pins the template against real Mustache semantics
  // (`ctx.results.0.aggregations…buckets` list access and iteration). It needs the lang-mustache module in the
  // embedded server; without it the endpoint does not exist and the test is skipped at run time.
  it('lists service, newest message and trace id of every failing trace, default and ECS', async (ctx) => {
    const probe = await fetch(`${engine.url}/_render/template`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: '{"a":"{{x}}"}', params: { x: 1 } }),
    })
    if (probe.status !== 200) ctx.skip('the embedded server has no lang-mustache module (_render/template unavailable)')
    // _render/template must produce JSON, so the text template goes inside a JSON string, exactly
    // where a Slack destination puts it ({"text": <message>}).
    const source = `{"text":${JSON.stringify(ALERT_MESSAGE_TEMPLATE)}}`
    // As the monitor's search returns them: per schema, the error lines grouped by trace (keyword bucket keys).
    const bucket = (trace: string, service: string, message: string, count: number): Record<string, unknown> => ({
      key: trace,
      doc_count: count,
      service: { buckets: [{ key: service, doc_count: count }] },
      line: { hits: { hits: [{ _source: { message } }] } },
    })
    const res = await fetch(`${engine.url}/_render/template`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        source,
        params: {
          ctx: {
            monitor: { name: 'tracewire-error-logs' },
            periodStart: '2026-11-26T12:00:00Z',
            periodEnd: '2026-11-26T12:05:00Z',
            results: [
              {
                hits: { total: { value: 3, relation: 'eq' }, hits: [] },
                aggregations: {
                  errors_default: { traces: { buckets: [bucket(TRACE, 'payments', 'card declined', 2)] } },
                  errors_ecs: { traces: { buckets: [bucket(OTHER, 'orders', 'payment failed: "402"', 1)] } },
                },
              },
            ],
          },
        },
      }),
    })
    expect(res.status).toBe(200)
    const { template_output: output } = (await res.json()) as { template_output: { text: string } }
    expect(output.text.split('\n').map((l) => l.trim()).filter(Boolean)).toEqual([
      'tracewire-error-logs: 3 error line(s) between 2026-11-26T12:00:00Z and 2026-11-26T12:05:00Z',
      `• payments: card declined (trace_id ${TRACE}, 2 error line(s))`,
      `• orders: payment failed: "402" (trace_id ${OTHER}, 1 error line(s))`,
    ])
  })
})
