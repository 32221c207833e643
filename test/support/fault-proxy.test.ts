// Fault-proxy edge cases against a tiny in-process upstream (no JVM: runs in the `unit` project).
// Each mode against the real servers is covered by test/smoke/fault-proxy.int.test.ts.
import { createServer, type Server } from 'node:http'
import { gzipSync } from 'node:zlib'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { startFaultProxy, type FaultProxy } from './fault-proxy.js'

interface Seen {
  method: string
  url: string
  body: string
  headers: Record<string, string | string[] | undefined>
}

let upstream: Server
let upstreamUrl = ''
const seen: Seen[] = []
let proxy: FaultProxy | undefined

beforeAll(async () => {
  // Answers like ES 7.10: `GET /` without `distribution`, bulk items with `_type`.
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers })
      res.setHeader('content-type', 'application/json')
      if (req.url === '/') return res.end(JSON.stringify({ version: { number: '7.10.2' } }))
      if (req.url?.includes('_bulk')) {
        const lines = body.split('\n').filter(Boolean)
        const items: unknown[] = []
        for (let i = 0; i < lines.length; i++) {
          const meta = JSON.parse(lines[i] ?? '{}') as Record<string, { _index?: string; _id?: string }>
          const action = Object.keys(meta)[0] ?? 'index'
          if (action !== 'delete') i++
          items.push({ [action]: { _index: meta[action]?._index ?? 'from-path', _type: '_doc', _id: meta[action]?._id ?? 'gen', status: action === 'delete' ? 200 : 201 } })
        }
        return res.end(JSON.stringify({ took: 7, errors: false, items }))
      }
      res.end('{}')
    })
  })
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
  const addr = upstream.address()
  upstreamUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`
})

afterAll(async () => {
  await new Promise((r) => upstream.close(r))
})

afterEach(async () => {
  await proxy?.close()
  proxy = undefined
  seen.length = 0
})

function bulkBody(): string {
  return [
    { index: { _index: 'a', _id: '1' } },
    { f: 1 },
    { delete: { _index: 'a', _id: '2' } },
    { create: { _index: 'a', _id: '3' } },
    { f: 3 },
    { update: { _index: 'a', _id: '4' } },
    { doc: { f: 4 } },
  ]
    .map((l) => JSON.stringify(l))
    .join('\n') + '\n'
}

it('splits a bulk body with delete (one-line) and update items, forwards the rest and merges in order', async () => {
  proxy = await startFaultProxy({ target: upstreamUrl })
  await proxy.setMode({ kind: 'bulk-item-errors', items: { 1: 503, 2: 429 } })
  const res = await fetch(`${proxy.url}/_bulk`, { method: 'POST', body: bulkBody() })
  const json = (await res.json()) as { took: number; errors: boolean; items: Array<Record<string, { _id: string; status: number; _type?: string }>> }
  expect(json.took).toBe(7)
  expect(json.errors).toBe(true)
  expect(json.items.map((i) => Object.keys(i)[0])).toEqual(['index', 'delete', 'create', 'update'])
  expect(json.items.map((i) => Object.values(i)[0]?.status)).toEqual([201, 503, 429, 201])
  expect(json.items.map((i) => Object.values(i)[0]?._id)).toEqual(['1', '2', '3', '4'])
  // _type copied from the real items' shape (ES 7.x).
  expect(json.items[1]?.delete?._type).toBe('_doc')
  const forwarded = seen.find((s) => s.url === '/_bulk')
  expect(forwarded?.body.split('\n').filter(Boolean).map((l) => Object.keys(JSON.parse(l) as object)[0])).toEqual(['index', 'f', 'update', 'doc'])
  expect(proxy.stats).toMatchObject({ bulkItemsReceived: 4, bulkItemsForwarded: 2, bulkItemsFailed: 2 })
})

it('decompresses a gzip bulk request before splitting it and forwards it uncompressed', async () => {
  proxy = await startFaultProxy({ target: upstreamUrl })
  await proxy.setMode({ kind: 'bulk-item-errors', items: { 0: 429 } })
  const res = await fetch(`${proxy.url}/_bulk`, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: gzipSync(bulkBody()) })
  const json = (await res.json()) as { items: Array<Record<string, { status: number }>> }
  expect(json.items.map((i) => Object.values(i)[0]?.status)).toEqual([429, 200, 201, 201])
  const forwarded = seen.find((s) => s.url === '/_bulk')
  expect(forwarded?.headers['content-encoding']).toBeUndefined()
  expect(forwarded?.body.startsWith('{"delete"')).toBe(true)
})

it('bulk-item-errors with times: non-bulk requests and bulks without a chosen position do not consume it', async () => {
  proxy = await startFaultProxy({ target: upstreamUrl })
  await proxy.setMode({ kind: 'bulk-item-errors', items: { 3: 429 }, times: 1 })
  await (await fetch(`${proxy.url}/`)).text()
  const small = await fetch(`${proxy.url}/_bulk`, { method: 'POST', body: `${JSON.stringify({ index: { _index: 'a' } })}\n{}\n` })
  expect(((await small.json()) as { errors: boolean }).errors).toBe(false) // only one item: position 3 absent
  expect(proxy.mode.kind).toBe('bulk-item-errors')
  const hit = await fetch(`${proxy.url}/_bulk`, { method: 'POST', body: bulkBody() })
  expect(((await hit.json()) as { errors: boolean }).errors).toBe(true)
  expect(proxy.mode.kind).toBe('pass')
})

it('status with match.methods only faults the listed methods', async () => {
  proxy = await startFaultProxy({ target: upstreamUrl })
  await proxy.setMode({ kind: 'status', status: 503, match: { methods: ['POST'] } })
  expect((await fetch(`${proxy.url}/`)).status).toBe(200)
  expect((await fetch(`${proxy.url}/x`, { method: 'POST', body: '{}' })).status).toBe(503)
  expect(proxy.requests.map((r) => [r.method, r.mode, r.status])).toEqual([
    ['GET', 'pass', 200],
    ['POST', 'status', 503],
  ])
})

it('reset-connection with a path match resets only matching requests', async () => {
  proxy = await startFaultProxy({ target: upstreamUrl })
  await proxy.setMode({ kind: 'reset-connection', match: { path: '/_bulk' } })
  expect((await fetch(`${proxy.url}/`)).status).toBe(200)
  await expect(fetch(`${proxy.url}/_bulk`, { method: 'POST', body: bulkBody() })).rejects.toThrow()
  expect(seen.filter((s) => s.url === '/_bulk')).toHaveLength(0)
})

it('close() ends hanging requests and is idempotent; setMode after close throws', async () => {
  proxy = await startFaultProxy({ target: upstreamUrl })
  await proxy.setMode('hang')
  const pending = fetch(`${proxy.url}/`).then(
    () => 'answered',
    () => 'failed',
  )
  await new Promise((r) => setTimeout(r, 50))
  await proxy.close()
  await proxy.close()
  expect(await pending).toBe('failed')
  await expect(proxy.setMode('pass')).rejects.toThrow(/closed/)
})

it('records at most 1,000 requests', async () => {
  proxy = await startFaultProxy({ target: upstreamUrl })
  await proxy.setMode({ kind: 'status', status: 429 })
  for (let i = 0; i < 1_005; i++) await (await fetch(`${proxy.url}/n${i}`)).text()
  expect(proxy.requests).toHaveLength(1_000)
  expect(proxy.requests[0]?.path).toBe('/n5')
  expect(proxy.stats.requests).toBe(1_005)
})
