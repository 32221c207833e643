import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTraceView } from '../src/trace-view/spans.js'
import { MAX_CONCURRENT_READS, startTraceUi, type LoadedTrace, type TraceUi, type TraceUiOptions } from '../src/trace-view/ui-server.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0, 0)

const trace: LoadedTrace = {
  view: buildTraceView(TRACE, [
    { '@timestamp': new Date(T0 + 50).toISOString(), level: 'info', service: 'orders', message: 'request completed', trace_id: TRACE, span_id: 'a1', duration_ms: 50, status: 200 },
  ]),
  total: 1,
}

function parseTraceId(input: string): string {
  const id = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(input)?.[1] ?? input
  if (!/^[0-9a-f]{32}$/.test(id)) throw new Error(`trace id must be 32 lowercase hex characters, received ${JSON.stringify(input)}`)
  return id
}

let ui: TraceUi | undefined
afterEach(async () => {
  await ui?.close()
  ui = undefined
})

async function start(overrides: Partial<TraceUiOptions> = {}): Promise<TraceUi> {
  ui = await startTraceUi({
    port: 0,
    source: 'fluentd-* on http://127.0.0.1:9200',
    parseTraceId,
    loadTrace: async (id) => (id === TRACE ? trace : null),
    recentErrors: async () => [{ traceId: TRACE, errorLines: 2, lastSeenMs: T0, service: 'payments', message: 'card <declined>' }],
    now: () => T0 + 120_000,
    ...overrides,
  })
  return ui
}

/** A GET with a chosen Host header (fetch may not set it). */
function get(url: string, path: string, host?: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers: host ? { host } : {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('tracewire ui server', () => {
  it('binds 127.0.0.1 by default and lists the recent traces with errors', async () => {
    const { url } = await start()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const home = await get(url, '/')
    expect(home.status).toBe(200)
    expect(home.headers['content-security-policy']).toMatch(/^default-src 'none'; .*form-action 'self'; frame-ancestors 'none'$/)
    expect(home.body).toContain(`<tr class="tw-recent" data-trace-id="${TRACE}"><td><a href="/trace/${TRACE}"><code>${TRACE}</code></a></td><td>2 min ago</td><td>payments</td><td class="tw-message">card &lt;declined&gt;</td><td>2</td></tr>`)
  })

  it('shows why the list could not be read, without failing the page', async () => {
    const { url } = await start({ recentErrors: async () => Promise.reject(new Error('search on http://127.0.0.1:9200: HTTP 401')) })
    const home = await get(url, '/')
    expect(home.status).toBe(200)
    expect(home.body).toContain('Could not read the recent errors: search on http://127.0.0.1:9200: HTTP 401')
  })

  it('serves the waterfall under /trace/<id>, and 404 / 400 / 502 pages otherwise', async () => {
    let fail = false
    const { url } = await start({
      loadTrace: async (id) => {
        if (fail) throw new Error('request failed: ECONNREFUSED')
        return id === TRACE ? trace : null
      },
    })
    const page = await get(url, `/trace/${TRACE}`)
    expect(page.status).toBe(200)
    expect(page.body).toContain('<div class="tw-lane" data-service="orders">')
    expect(page.body).toContain(`<input name="q" value="${TRACE}"`)
    const missing = await get(url, `/trace/${'f'.repeat(32)}`)
    expect([missing.status, missing.body.includes(`No line with trace_id ${'f'.repeat(32)} in fluentd-* on http://127.0.0.1:9200.`)]).toEqual([404, true])
    const bad = await get(url, '/trace/%3Cscript%3E')
    expect(bad.status).toBe(400)
    expect(bad.body).toContain('received &quot;&lt;script&gt;&quot;')
    expect(bad.body).not.toContain('<script>')
    fail = true
    const failed = await get(url, `/trace/${TRACE}`)
    expect([failed.status, failed.body.includes('request failed: ECONNREFUSED')]).toEqual([502, true])
    expect((await get(url, '/nope')).status).toBe(404)
  })

  it('turns a search for a traceparent into a redirect to its trace', async () => {
    const { url } = await start()
    const found = await get(url, `/search?q=00-${TRACE}-00f067aa0ba902b7-01`)
    expect([found.status, found.headers.location]).toEqual([303, `/trace/${TRACE}`])
    expect((await get(url, '/search?q=nope')).status).toBe(400)
  })

  it('refuses requests for another host name (DNS rebinding) and methods other than GET/HEAD', async () => {
    const { url } = await start()
    const rebound = await get(url, '/', 'attacker.example:5610')
    expect(rebound.status).toBe(403)
    expect((await get(url, '/', 'localhost:5610')).status).toBe(200)
    expect((await get(url, '/', undefined, 'POST')).status).toBe(405)
    const head = await get(url, '/', undefined, 'HEAD')
    expect([head.status, head.body]).toEqual([200, ''])
  })

  it(`answers 503 beyond ${MAX_CONCURRENT_READS} searches at once`, async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    let started = 0
    const { url } = await start({
      loadTrace: async () => {
        started += 1
        await gate
        return trace
      },
    })
    const slow = Array.from({ length: MAX_CONCURRENT_READS }, () => get(url, `/trace/${TRACE}`))
    while (started < MAX_CONCURRENT_READS) await new Promise((r) => setTimeout(r, 5))
    const extra = await get(url, `/trace/${TRACE}`)
    expect(extra.status).toBe(503)
    release()
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual(Array(MAX_CONCURRENT_READS).fill(200))
  })

  it('close is idempotent and stops accepting connections', async () => {
    const server = await start()
    await Promise.all([server.close(), server.close()])
    await expect(get(server.url, '/')).rejects.toThrow(/ECONNREFUSED/)
    ui = undefined
  })
})
