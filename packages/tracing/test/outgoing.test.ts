import http, { request as namedRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import axios from 'axios'
import { extractTraceContext, parseTraceparent, propagateOutgoing, startTraceContext, withTraceContext } from '../src/index.js'
import { TRACE, TRACEPARENT } from './helpers.js'

type Seen = http.IncomingHttpHeaders

let server: http.Server
let url: string
const originalRequest = http.request
const originalGet = http.get

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(req.headers))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

const viaFetch = async (headers: Record<string, string> = {}): Promise<Seen> => (await (await fetch(url, { headers })).json()) as Seen
const viaNode = (fn: typeof http.get): Promise<Seen> =>
  new Promise((resolve, reject) => {
    const req = fn(url, (res) => {
      let b = ''
      res.on('data', (d: Buffer) => (b += d))
      res.on('end', () => resolve(JSON.parse(b) as Seen))
    })
    req.on('error', reject)
    if (fn !== http.get) req.end()
  })
const viaAxios = async (): Promise<Seen> => (await axios.get<Seen>(url, { adapter: 'http' })).data

const clients: Array<[string, () => Promise<Seen>]> = [
  ['fetch', () => viaFetch()],
  ['http.get', () => viaNode(http.get)],
  ['http.request', () => viaNode(http.request)],
  ['named ESM import of request', () => viaNode(namedRequest as typeof http.get)],
  ['axios', viaAxios],
]

describe('why node:http is wrapped rather than observed', () => {
  // Node 20's http.client.request.start is published after the request headers are stored, so a
  // subscriber cannot add a header there. If a future Node changes that, this test says so.
  it.runIf(process.versions.node.startsWith('20.'))('http.client.request.start fires after the headers are fixed', async () => {
    const dc = await import('node:diagnostics_channel')
    let code: string | undefined
    const onStart = (message: unknown): void => {
      try {
        ;(message as { request: http.ClientRequest }).request.setHeader('traceparent', 'x')
      } catch (err) {
        code = (err as { code?: string }).code
      }
    }
    dc.subscribe('http.client.request.start', onStart)
    try {
      await viaNode(http.get)
    } finally {
      dc.unsubscribe('http.client.request.start', onStart)
    }
    expect(code).toBe('ERR_HTTP_HEADERS_SENT')
  })
})

describe('propagateOutgoing', () => {
  let dispose: () => void
  beforeAll(() => {
    dispose = propagateOutgoing({ b3: 'single' })
  })

  it.each(clients)('%s outside any trace carries nothing', async (_name, call) => {
    const seen = await call()
    expect(seen.traceparent).toBeUndefined()
    expect(seen.b3).toBeUndefined()
  })

  it.each(clients)('%s inside a trace carries traceparent, tracestate and b3 with a new child span id', async (_name, call) => {
    const tc = startTraceContext(extractTraceContext({ traceparent: TRACEPARENT, tracestate: 'v=1' }))
    const [a, b] = await withTraceContext(tc, async () => [await call(), await call()])
    const pa = parseTraceparent(a?.traceparent)
    const pb = parseTraceparent(b?.traceparent)
    expect(pa?.traceId).toBe(TRACE)
    expect(pb?.traceId).toBe(TRACE)
    expect(pa?.parentId).not.toBe(tc.spanId)
    expect(pa?.parentId).not.toBe(pb?.parentId)
    expect(a?.tracestate).toBe('v=1')
    expect(a?.b3).toBe(`${TRACE}-${pa?.parentId}-1`)
  })

  it('leaves a request that already has traceparent alone', async () => {
    const mine = '00-11111111111111111111111111111111-2222222222222222-00'
    const seen = await withTraceContext(startTraceContext(), () => viaFetch({ traceparent: mine }))
    expect(seen.traceparent).toBe(mine)
    const viaHttp = await withTraceContext(startTraceContext(), () =>
      new Promise<Seen>((resolve) => {
        http.get(url, { headers: { TraceParent: mine } }, (res) => {
          let b = ''
          res.on('data', (d: Buffer) => (b += d))
          res.on('end', () => resolve(JSON.parse(b) as Seen))
        })
      }),
    )
    expect(viaHttp.traceparent).toBe(mine)
  })

  it('the disposer restores node:http and stops fetch propagation (idempotent)', async () => {
    dispose()
    dispose()
    expect(http.request).toBe(originalRequest)
    expect(http.get).toBe(originalGet)
    const seen = await withTraceContext(startTraceContext(), async () => [await viaFetch(), await viaNode(http.get)])
    expect(seen.map((s) => s.traceparent)).toEqual([undefined, undefined])
  })
})
