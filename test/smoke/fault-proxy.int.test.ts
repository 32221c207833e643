/* eslint-disable @typescript-eslint/no-explicit-any -- assertions walk arbitrary server JSON; the expectations check its shape */
// Every fault-proxy mode, observed from a plain HTTP client (fetch) against each real engine.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { describeEngines } from '../support/engines.js'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import { useIndexPrefix } from '../support/index-prefix.js'

/** The error code a failed fetch surfaces (undici wraps socket errors in `cause`). */
async function fetchError(p: Promise<unknown>): Promise<{ name: string; code: string | undefined; message: string }> {
  try {
    await p
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } }
    return { name: e.name, code: e.cause?.code, message: `${e.message} ${e.cause?.message ?? ''}` }
  }
  throw new Error('expected the request to fail')
}

function ndjson(index: string, ids: string[]): string {
  return ids.map((id) => `${JSON.stringify({ index: { _index: index, _id: id } })}\n${JSON.stringify({ id, msg: `m-${id}` })}\n`).join('')
}

describeEngines('fault proxy', (engine) => {
  const idx = useIndexPrefix(engine.url, 'proxy')
  let proxy: FaultProxy

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: engine.url })
  })
  afterAll(async () => {
    await proxy.close()
  })
  beforeEach(async () => {
    await proxy.setMode('pass')
    proxy.resetStats()
  })

  /** Direct (not proxied) count after a refresh: what the server really holds. */
  async function serverCount(index: string): Promise<number> {
    await fetch(`${engine.url}/${index}/_refresh`, { method: 'POST' })
    const res = await fetch(`${engine.url}/${index}/_count`)
    if (res.status === 404) return 0
    return ((await res.json()) as { count: number }).count
  }

  async function createIndex(index: string): Promise<void> {
    const res = await fetch(`${engine.url}/${index}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0 } }),
    })
    expect(res.status).toBe(200)
  }

  it('pass: forwards requests and responses unchanged and counts them', async () => {
    const res = await fetch(`${proxy.url}/`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).version.number).toBe(engine.version)
    expect(proxy.stats).toMatchObject({ requests: 1, forwarded: 1, faulted: 0 })
    expect(proxy.requests[0]).toMatchObject({ method: 'GET', path: '/', mode: 'pass', status: 200 })
  })

  it('refuse: the port is closed (ECONNREFUSED) until switched back, then the same URL works', async () => {
    await fetch(`${proxy.url}/`) // open a keep-alive connection that refuse must tear down
    await proxy.setMode('refuse')
    const err = await fetchError(fetch(`${proxy.url}/`))
    expect(err.code).toBe('ECONNREFUSED')
    await proxy.setMode('pass')
    expect((await fetch(`${proxy.url}/`)).status).toBe(200)
  })

  it('reset-connection: the connection is reset before any response byte', async () => {
    await proxy.setMode({ kind: 'reset-connection', times: 1 })
    const err = await fetchError(fetch(`${proxy.url}/`))
    expect(err.name).toBe('TypeError')
    expect(err.code).toMatch(/ECONNRESET|UND_ERR_SOCKET/)
    expect(proxy.stats.forwarded).toBe(0)
    expect((await fetch(`${proxy.url}/`)).status).toBe(200) // times: 1 -> back to pass-through
  })

  it('status 429 for the next 2 requests only, with Retry-After and the ES error shape, then pass-through', async () => {
    await proxy.setMode({ kind: 'status', status: 429, times: 2, retryAfter: '1' })
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${proxy.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(idx.name('a'), ['1']) })
      expect(res.status).toBe(429)
      expect(res.headers.get('retry-after')).toBe('1')
      const body = (await res.json()) as any
      expect(body).toMatchObject({ status: 429, error: { type: 'es_rejected_execution_exception' } })
    }
    expect(proxy.stats).toMatchObject({ requests: 2, forwarded: 0, faulted: 2 })
    expect(await serverCount(idx.name('a'))).toBe(0)
    expect((await fetch(`${proxy.url}/`)).status).toBe(200)
    expect(proxy.mode.kind).toBe('pass')
  })

  it('status 503 for every request until switched, optionally only for matching paths', async () => {
    await proxy.setMode({ kind: 'status', status: 503, match: { path: '/_bulk' } })
    expect((await fetch(`${proxy.url}/`)).status).toBe(200) // not matched: forwarded
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxy.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(idx.name('b'), [String(i)]) })
      expect(res.status).toBe(503)
      expect(((await res.json()) as any).error.type).toBe('unavailable_shards_exception')
    }
    expect(proxy.stats).toMatchObject({ requests: 4, forwarded: 1, faulted: 3, bulkRequests: 3, bulkItemsForwarded: 0 })
  })

  it('bulk-item-errors: chosen items get 429/503, the others are really indexed, items stay in order', async () => {
    const index = idx.name('items')
    await createIndex(index)
    await proxy.setMode({ kind: 'bulk-item-errors', items: { 1: 429, 3: 503 }, times: 1 })
    const ids = Array.from({ length: 10 }, (_, i) => `d${i}`)
    const res = await fetch(`${proxy.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(index, ids) })
    expect(res.status).toBe(200)
    const body = (await res.json()) as any
    expect(body.errors).toBe(true)
    expect(body.items).toHaveLength(10)
    expect(body.items.map((i: any) => i.index._id)).toEqual(ids)
    expect(body.items.map((i: any) => i.index.status)).toEqual([201, 429, 201, 503, 201, 201, 201, 201, 201, 201])
    expect(body.items[1].index).toMatchObject({ _index: index, error: { type: 'es_rejected_execution_exception' } })
    expect(body.items[3].index.error.type).toBe('unavailable_shards_exception')
    // Synthetic items look like the real ones: ES 7.10 items carry _type, OpenSearch 2.x items do not.
    expect('_type' in body.items[1].index).toBe('_type' in body.items[0].index)
    expect(proxy.stats).toMatchObject({ bulkRequests: 1, bulkItemsReceived: 10, bulkItemsForwarded: 8, bulkItemsFailed: 2, faulted: 1 })
    expect(await serverCount(index)).toBe(8)
    const missing = await fetch(`${engine.url}/${index}/_doc/d1`)
    expect(missing.status).toBe(404)

    // times: 1 -> the retry of the two failed items passes through.
    const retry = await fetch(`${proxy.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(index, ['d1', 'd3']) })
    expect(((await retry.json()) as any).errors).toBe(false)
    expect(await serverCount(index)).toBe(10)
  })

  it('bulk-item-errors: items selected by a function, index taken from the /{index}/_bulk path when every item fails', async () => {
    const index = idx.name('allfail')
    await proxy.setMode({ kind: 'bulk-item-errors', items: () => 429 })
    const body = ['a', 'b'].map((id) => `${JSON.stringify({ create: { _id: id } })}\n${JSON.stringify({ id })}\n`).join('')
    const res = await fetch(`${proxy.url}/${index}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body })
    const json = (await res.json()) as any
    expect(json.items.map((i: any) => [i.create._index, i.create._id, i.create.status])).toEqual([
      [index, 'a', 429],
      [index, 'b', 429],
    ])
    expect(proxy.stats.bulkItemsForwarded).toBe(0)
    expect(await serverCount(index)).toBe(0)
  })

  it('latency: delays forwarding by the given time', async () => {
    await proxy.setMode({ kind: 'latency', ms: 300 })
    const t0 = performance.now()
    expect((await fetch(`${proxy.url}/`)).status).toBe(200)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290)
    expect(proxy.stats.forwarded).toBe(1)
  })

  it('reset-mid-body (response): headers and half the body arrive, then a reset; the server did index', async () => {
    const index = idx.name('midresp')
    await createIndex(index)
    await proxy.setMode({ kind: 'reset-mid-body', times: 1 })
    const res = await fetch(`${proxy.url}/_bulk?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(index, ['x1', 'x2']) })
    expect(res.status).toBe(200)
    const err = await fetchError(res.text())
    expect(err.name).toBe('TypeError')
    expect(err.message).toMatch(/terminated|other side closed|ECONNRESET/)
    expect(await serverCount(index)).toBe(2)
    expect(proxy.stats).toMatchObject({ forwarded: 1, bulkItemsForwarded: 2 })
  })

  it('reset-mid-body (request): the connection is reset while the body is sent; nothing is forwarded', async () => {
    await proxy.setMode({ kind: 'reset-mid-body', phase: 'request', afterBytes: 10 })
    const err = await fetchError(
      fetch(`${proxy.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(idx.name('midreq'), ['1', '2', '3']) }),
    )
    expect(err.name).toBe('TypeError')
    expect(proxy.stats.forwarded).toBe(0)
    expect(proxy.stats.faulted).toBe(1)
  })

  it('hang: no answer until the client gives up', async () => {
    await proxy.setMode({ kind: 'hang' })
    const err = await fetchError(fetch(`${proxy.url}/`, { signal: AbortSignal.timeout(300) }))
    expect(err.name).toBe('TimeoutError')
    expect(proxy.stats).toMatchObject({ requests: 1, forwarded: 0, faulted: 1 })
  })

  it('max-body: 413 above the limit, smaller bodies pass', async () => {
    await proxy.setMode({ kind: 'max-body', maxBytes: 200 })
    const index = idx.name('big')
    const big = await fetch(`${proxy.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(index, ['1', '2', '3', '4', '5']) })
    expect(big.status).toBe(413)
    const small = await fetch(`${proxy.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(index, ['1']) })
    expect(small.status).toBe(200)
    expect(proxy.stats).toMatchObject({ requests: 2, forwarded: 1, faulted: 1, bulkItemsReceived: 6, bulkItemsForwarded: 1 })
  })

  it('forward-then-delay without delay: the server indexes but the client times out (duplicate-on-retry setup)', async () => {
    const index = idx.name('dropped')
    await createIndex(index)
    await proxy.setMode({ kind: 'forward-then-delay', times: 1 })
    const err = await fetchError(
      fetch(`${proxy.url}/${index}/_doc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msg: 'auto id' }),
        signal: AbortSignal.timeout(1_000),
      }),
    )
    expect(err.name).toBe('TimeoutError')
    expect(await serverCount(index)).toBe(1)
    // A naive retry (auto-generated ids) now creates a duplicate: exactly what shipper tests need to observe.
    const retry = await fetch(`${proxy.url}/${index}/_doc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msg: 'auto id' }) })
    expect(retry.status).toBe(201)
    expect(await serverCount(index)).toBe(2)
  })

  it('forward-then-delay with a delay: the real response arrives late', async () => {
    await proxy.setMode({ kind: 'forward-then-delay', delayMs: 300 })
    const t0 = performance.now()
    const res = await fetch(`${proxy.url}/`)
    expect(res.status).toBe(200)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290)
    expect(proxy.requests.at(-1)).toMatchObject({ mode: 'forward-then-delay', status: 200 })
  })

  it('answers 502 with the cause when the real server is unreachable', async () => {
    const dead = await startFaultProxy({ target: 'http://127.0.0.1:9' })
    try {
      const res = await fetch(`${dead.url}/`)
      expect(res.status).toBe(502)
      expect(((await res.json()) as any).error.reason).toMatch(/ECONNREFUSED/)
    } finally {
      await dead.close()
    }
  })
})
