import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../src/run.js'
import { runUi } from '../src/ui-command.js'
import { captureIo, startFakeServer, type FakeServer, type RecordedRequest } from './cli-fake-server.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const BIN = fileURLToPath(new URL('../bin/tracewire.js', import.meta.url))
const BUILT = existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))

function aggregation(key: string, service: string, message: string, lastMs: number) {
  return {
    status: 200,
    body: {
      aggregations: {
        traces: { buckets: [{ key, doc_count: 1, last_seen: { value: lastMs }, first_seen: { value: lastMs }, first_error: { hits: { hits: [{ _source: { service, message } }] } } }] },
      },
    },
  }
}

/** Runs `tracewire ui` on a free port until the test's body is done. */
async function withUi(args: string[], env: NodeJS.ProcessEnv, body: (url: string) => Promise<void>): Promise<{ out: string; err: string }> {
  const io = captureIo(env)
  const stop = new AbortController()
  const running = runUi([...args, '--port', '0'], io, stop.signal)
  try {
    await expect.poll(() => io.out).toMatch(/^tracewire ui: http:\/\/127\.0\.0\.1:\d+ /)
    await body(/http:\/\/127\.0\.0\.1:\d+/.exec(io.out)![0])
  } finally {
    stop.abort()
    expect(await running).toBe(0)
  }
  return io
}

describe('tracewire ui against a loopback server', () => {
  let server: FakeServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('lists recent errors from both trace id mappings, with the credentials in a header only', async () => {
    const now = Date.now()
    server = await startFakeServer((req: RecordedRequest) => {
      if (req.path.includes('_field_caps')) {
        return { status: 200, body: { fields: { trace_id: { keyword: { aggregatable: true }, text: { aggregatable: false } }, 'trace_id.keyword': { keyword: { aggregatable: true } } } } }
      }
      const field = (req.body as { aggs: { traces: { terms: { field: string } } } }).aggs.traces.terms.field
      return field === 'trace_id' ? aggregation(TRACE, 'payments', 'card declined', now) : aggregation('0af7651916cd43dd8448eb211c80319c', 'orders', 'old <b>bug</b>', now - 600_000)
    })
    const secretUrl = server.url.replace('http://', 'http://elastic:p%40ss%2Fw:rd@')
    await withUi(['--es', secretUrl, '--index', 'logs-*'], {}, async (url) => {
      const page = await (await fetch(`${url}/`)).text()
      expect([...page.matchAll(/<tr class="tw-recent" data-trace-id="(\w+)">/g)].map((m) => m[1])).toEqual([TRACE, '0af7651916cd43dd8448eb211c80319c'])
      expect(page).toContain('old &lt;b&gt;bug&lt;/b&gt;')
      expect(page).toContain(`logs-* on ${server!.url}`)
      expect(page).not.toMatch(/p@ss|p%40ss|elastic:/)
    })
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /logs-*/_field_caps?fields=trace_id,trace_id.keyword,trace.id,trace.id.keyword&ignore_unavailable=true&allow_no_indices=true',
      'POST /logs-*/_search?ignore_unavailable=true&allow_no_indices=true',
      'POST /logs-*/_search?ignore_unavailable=true&allow_no_indices=true',
    ])
    expect(server.requests.every((r) => r.headers.authorization === `Basic ${Buffer.from('elastic:p@ss/w:rd').toString('base64')}`)).toBe(true)
  })

  it('shows a failing search on the page, without credentials', async () => {
    server = await startFakeServer(() => ({ status: 401, body: { error: { type: 'security_exception', reason: 'missing authentication credentials' } } }))
    await withUi(['--es', server.url], { ES_API_KEY: 'c2VjcmV0OmtleQ==' }, async (url) => {
      const page = await (await fetch(`${url}/`)).text()
      expect(page).toContain(`Could not read the recent errors: field capabilities of fluentd-* on ${server!.url}: HTTP 401 security_exception: missing authentication credentials`)
      expect(page).not.toContain('c2VjcmV0OmtleQ==')
    })
  })

  it('serves a trace read with whole documents, and 404 when it has no line', async () => {
    server = await startFakeServer((req) => {
      const body = req.body as { query: { bool: { should: Array<{ term: { trace_id?: string } }> } } }
      const id = body.query.bool.should[0]?.term.trace_id
      const hits =
        id === TRACE
          ? [{ _index: 'i', _id: '1', _source: { '@timestamp': '2026-11-26T12:00:00.040Z', level: 'info', service: 'orders', span_id: 'a1', message: 'done', trace_id: TRACE, duration_ms: 40, status: 200 } }]
          : []
      return { status: 200, body: { hits: { total: { value: hits.length, relation: 'eq' }, hits } } }
    })
    await withUi(['--es', server.url], {}, async (url) => {
      const found = await fetch(`${url}/trace/${TRACE}`)
      expect(found.status).toBe(200)
      expect(await found.text()).toContain('<div class="tw-lane" data-service="orders">')
      expect(server!.requests[0]?.body).not.toHaveProperty('_source')
      expect((await fetch(`${url}/trace/${'f'.repeat(32)}`)).status).toBe(404)
      const upper = await fetch(`${url}/trace/${TRACE.toUpperCase()}`)
      expect(upper.status).toBe(400)
      expect(await upper.text()).toContain(`(trace ids are lowercase: ${TRACE})`)
    })
  })

  it('warns when told to listen beyond this machine', async () => {
    server = await startFakeServer(() => ({ status: 500 }))
    const io = captureIo()
    const stop = new AbortController()
    const running = runUi(['--es', server.url, '--host', '0.0.0.0', '--port', '0'], io, stop.signal)
    await expect.poll(() => io.out).toMatch(/^tracewire ui: http:\/\/0\.0\.0\.0:\d+ /)
    stop.abort()
    expect(await running).toBe(0)
    expect(io.err).toBe('tracewire ui: listening on 0.0.0.0: anyone who can reach it reads the traces these credentials can read\n')
  })

  it('exits 3 when the port is taken and 2 on bad options', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    try {
      const io = captureIo()
      expect(await runCli(['ui', '--port', String(port)], io)).toBe(3)
      expect(io.err).toBe(`tracewire: listening on 127.0.0.1:${port}: port ${port} is in use (choose another with --port)\n`)
    } finally {
      taken.close()
    }
    for (const [args, message] of [
      [['--port', '70000'], '--port: must be from 1 to 65535'],
      [['--prot', '1'], 'tracewire: --prot: unknown option (did you mean --port?)\n'],
      [['extra'], 'tracewire: ui: takes no arguments, received "extra" (see "tracewire ui --help")\n'],
      [['--index', ''], '--index: must not be empty'],
    ] as const) {
      const io = captureIo()
      expect(await runCli(['ui', ...args], io), io.err).toBe(2)
      expect(io.err).toContain(message)
    }
  })

  // The bin as a user runs it; `pnpm test` builds before vitest, so dist/ is there in CI.
  it.skipIf(!BUILT).each(['SIGINT', 'SIGTERM'] as const)('the bin stops on %s with exit status 0', async (signal) => {
    const child = spawn(process.execPath, [BIN, 'ui', '--port', '0', '--es', 'http://127.0.0.1:9'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    await expect.poll(() => out, { timeout: 20_000 }).toMatch(/^tracewire ui: http:\/\/127\.0\.0\.1:\d+ /)
    child.kill(signal)
    expect(await exited).toBe(0)
  })
})
