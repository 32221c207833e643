// Three real services on loopback — Express -> Fastify -> Express — each logging with @tracewire/logger to
// its own file, calling the next with fetch and with http.request. Checks, from the files the services
// wrote: one trace per incoming request across all hops, hop-to-hop parent links, isolation under 1,000
// concurrent interleaved requests, malformed headers, and B3 callers.
import http from 'node:http'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '@tracewire/logger'
import {
  expressMiddleware,
  fastifyPlugin,
  getTraceContext,
  parseTraceparent,
  propagateOutgoing,
  type ExpressLikeRequest,
} from '@tracewire/tracing'
import { requestLoggingOff } from '@tracewire/tracing/fastify'
import { express, fastify } from './frameworks.js'

type Line = Record<string, unknown> & { message: string; trace_id?: string; span_id?: string; parent_span_id?: string }
type Hop = { service: string; traceId?: string; spanId?: string; parentSpanId?: string; received?: string }

const dir = mkdtempSync(join(tmpdir(), 'tracewire-three-'))
const files = { a: join(dir, 'svc-a.log'), b: join(dir, 'svc-b.log'), c: join(dir, 'svc-c.log') }
const loggers = {
  a: createLogger({ service: 'svc-a', stdout: false, file: files.a, handleExit: false }),
  b: createLogger({ service: 'svc-b', stdout: false, file: files.b, handleExit: false }),
  c: createLogger({ service: 'svc-c', stdout: false, file: files.c, handleExit: false }),
}
const servers: Array<{ close(): unknown }> = []
let dispose: () => void
let urlA = ''
let urlB = ''
let urlC = ''

function readLines(file: string): Line[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)
  } catch {
    return []
  }
}
const all = (): Record<'a' | 'b' | 'c', Line[]> => ({ a: readLines(files.a), b: readLines(files.b), c: readLines(files.c) })
const rawText = (): string => Object.values(files).map((f) => { try { return readFileSync(f, 'utf8') } catch { return '' } }).join('')

async function settle(pred: (l: Record<'a' | 'b' | 'c', Line[]>) => boolean): Promise<Record<'a' | 'b' | 'c', Line[]>> {
  const end = Date.now() + 20_000
  for (;;) {
    for (const l of Object.values(loggers)) l.flush()
    const lines = all()
    if (pred(lines)) return lines
    if (Date.now() > end) throw new Error('log lines did not arrive in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

function httpGetJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as T)
        } catch (err) {
          reject(err)
        }
      })
    })
    req.on('error', reject)
    req.end()
  })
}
/** A GET over a raw socket, so header bytes that node's client refuses to send can be sent. */
async function rawGet(url: string, headerLines: string): Promise<{ status: number; body: string }> {
  const net = await import('node:net')
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname)
    let text = ''
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => (text += d))
    socket.on('error', reject)
    socket.on('end', () => resolve({ status: Number(text.slice(9, 12)), body: text.slice(text.indexOf('\r\n\r\n') + 4) }))
    socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\nconnection: close\r\n${headerLines}\r\n`)
  })
}

const here = (service: string, req: { headers: http.IncomingHttpHeaders }): Hop => {
  const tc = getTraceContext()
  return { service, traceId: tc?.traceId, spanId: tc?.spanId, parentSpanId: tc?.parentSpanId, received: req.headers.traceparent as string | undefined }
}

beforeAll(async () => {
  dispose = propagateOutgoing()

  // C: Express, the leaf
  const c = express()
  c.use(expressMiddleware({ logger: loggers.c }))
  c.get('/c', (req, res) => {
    ;(req as ExpressLikeRequest).log?.info('c handler')
    res.json([here('c', req)])
  })
  const serverC = c.listen(0, '127.0.0.1')
  await new Promise((r) => serverC.once('listening', r))
  urlC = `http://127.0.0.1:${(serverC.address() as AddressInfo).port}`
  servers.push({ close: () => (serverC.closeAllConnections(), serverC.close()) })

  // B: Fastify with @tracewire/logger as Fastify's own logger; calls C with http.request or fetch
  const b = fastify({ loggerInstance: loggers.b, ...requestLoggingOff(fastify) })
  await b.register(fastifyPlugin)
  b.get('/b', async (request) => {
    request.log.info('b handler')
    const via = (request.query as { via?: string }).via
    const down = via === 'fetch'
      ? ((await (await fetch(`${urlC}/c`)).json()) as Hop[])
      : await httpGetJson<Hop[]>(`${urlC}/c`)
    return [here('b', request), ...down]
  })
  urlB = await b.listen({ port: 0, host: '127.0.0.1' })
  servers.push(b)

  // A: Express, the edge; calls B with fetch then with http.request (or only one, by ?via=)
  const a = express()
  a.use(expressMiddleware({ logger: loggers.a }))
  a.get('/a', async (req, res) => {
    const log = (req as ExpressLikeRequest).log
    log?.info('a handler')
    const via = req.query.via as string | undefined
    const hops: Hop[][] = []
    if (via !== 'http') hops.push((await (await fetch(`${urlB}/b?via=http`)).json()) as Hop[])
    if (via !== 'fetch') hops.push(await httpGetJson<Hop[]>(`${urlB}/b?via=fetch`))
    log?.info('a done')
    res.json({ self: here('a', req), hops })
  })
  const serverA = a.listen(0, '127.0.0.1')
  await new Promise((r) => serverA.once('listening', r))
  urlA = `http://127.0.0.1:${(serverA.address() as AddressInfo).port}`
  servers.push({ close: () => (serverA.closeAllConnections(), serverA.close()) })
})

afterAll(async () => {
  dispose?.()
  for (const s of servers) await s.close()
  for (const l of Object.values(loggers)) await l.close()
  rmSync(dir, { recursive: true, force: true })
})

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const CALLER = '00f067aa0ba902b7'

describe('three services', () => {
  it('one incoming request: every line of every service shares its trace id; each hop is a child of its caller', async () => {
    const res = await fetch(`${urlA}/a`, { headers: { traceparent: `00-${TRACE}-${CALLER}-01` } })
    const body = (await res.json()) as { self: Hop; hops: Hop[][] }
    const lines = await settle((l) => l.a.filter((x) => x.trace_id === TRACE && x.message === 'request completed').length === 1 &&
      l.b.filter((x) => x.trace_id === TRACE && x.message === 'request completed').length === 2 &&
      l.c.filter((x) => x.trace_id === TRACE && x.message === 'request completed').length === 2)

    // lines: A has handler + done + access; B handler + access per call; C handler + access per call
    const mine = (ls: Line[]) => ls.filter((x) => x.trace_id === TRACE)
    expect(mine(lines.a).map((x) => x.message)).toEqual(['a handler', 'a done', 'request completed'])
    expect(mine(lines.b).map((x) => x.message).sort()).toEqual(['b handler', 'b handler', 'request completed', 'request completed'])
    expect(mine(lines.c).map((x) => x.message).sort()).toEqual(['c handler', 'c handler', 'request completed', 'request completed'])

    // A continued the caller; its lines share one span id whose parent is the caller's
    const a = body.self
    expect(a).toMatchObject({ traceId: TRACE, parentSpanId: CALLER })
    expect(new Set(mine(lines.a).map((x) => x.span_id))).toEqual(new Set([a.spanId]))
    expect(mine(lines.a).find((x) => x.message === 'request completed')?.parent_span_id).toBe(CALLER)

    // each hop: its own span id; its parent is the span id its caller sent (a child id minted per call)
    const spanIds = new Set<string>([a.spanId!])
    for (const chain of body.hops) {
      const [b, c] = chain as [Hop, Hop]
      for (const [hop, callerSpan] of [[b, a.spanId], [c, b.spanId]] as const) {
        const sent = parseTraceparent(hop.received)
        expect(sent?.traceId).toBe(TRACE)
        expect(hop.traceId).toBe(TRACE)
        expect(hop.parentSpanId).toBe(sent?.parentId)
        expect(hop.parentSpanId).not.toBe(callerSpan)
        expect(spanIds.has(hop.spanId!)).toBe(false)
        spanIds.add(hop.spanId!)
      }
      // the access lines of B and C name the same span and parent as the handler saw
      expect(mine(lines.b).find((x) => x.message === 'request completed' && x.span_id === b.spanId)?.parent_span_id).toBe(b.parentSpanId)
      expect(mine(lines.c).find((x) => x.message === 'request completed' && x.span_id === c.spanId)?.parent_span_id).toBe(c.parentSpanId)
    }
    expect(spanIds.size).toBe(5)
  })

  it('1,000 concurrent interleaved requests never mix contexts', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => 'f' + (i + 1).toString(16).padStart(31, '0'))
    const results = await Promise.all(
      ids.map(async (traceId, i) => {
        const via = i % 2 === 0 ? 'fetch' : 'http'
        const headers = { traceparent: `00-${traceId}-${CALLER}-01` }
        const body = via === 'fetch'
          ? ((await (await fetch(`${urlA}/a?via=fetch`, { headers })).json()) as { self: Hop; hops: Hop[][] })
          : await httpGetJson<{ self: Hop; hops: Hop[][] }>(`${urlA}/a?via=http`, headers)
        return { traceId, body }
      }),
    )
    for (const { traceId, body } of results) {
      expect(body.self.traceId).toBe(traceId)
      expect(body.hops).toHaveLength(1)
      for (const hop of body.hops[0]!) {
        expect(hop.traceId).toBe(traceId)
        expect(parseTraceparent(hop.received)?.traceId).toBe(traceId)
      }
    }
    const wanted = new Set(ids)
    const done = (ls: Line[]) => ls.filter((x) => x.message === 'request completed' && wanted.has(x.trace_id as string)).length
    const lines = await settle((l) => done(l.a) === 1000 && done(l.b) === 1000 && done(l.c) === 1000)
    // per trace: A wrote 3 lines, B 2, C 2, all with that trace id and one span id per service
    for (const [svc, perTrace] of [['a', 3], ['b', 2], ['c', 2]] as const) {
      const byTrace = new Map<string, Line[]>()
      for (const x of lines[svc]) if (wanted.has(x.trace_id as string)) byTrace.set(x.trace_id!, [...(byTrace.get(x.trace_id!) ?? []), x])
      expect(byTrace.size).toBe(1000)
      for (const ls of byTrace.values()) {
        expect(ls).toHaveLength(perTrace)
        expect(new Set(ls.map((x) => x.span_id)).size).toBe(1)
      }
    }
  }, 90_000)

  it('malformed headers start new traces, are never logged, and never crash a service', async () => {
    const bad = [
      `00-${TRACE.toUpperCase()}-${CALLER}-01`,
      `00-${'0'.repeat(32)}-${CALLER}-01`,
      `ff-${TRACE}-${CALLER}-01`,
      `00-${TRACE}-${CALLER}-01-extra`,
      `00-${TRACE}-${CALLER}-01,00-${TRACE}-${CALLER}-01`,
      `00-${TRACE}-${CALLER}-01","level":"fatal`,
      '\u001b[31mred',
      `00-${TRACE}-${CALLER}-01\r\ntraceparent: 00-${TRACE}-${CALLER}-01`, // two header lines
      'x'.repeat(8000),
    ]
    for (const traceparent of bad) {
      const res = await rawGet(`${urlA}/a?via=http`, `traceparent: ${traceparent}\r\ntracestate: evil=1\r\n`)
      if (traceparent.includes('\u001b')) {
        // node's HTTP parser refuses control characters in a header value before any middleware runs
        expect(res.status).toBe(400)
        continue
      }
      expect(res.status).toBe(200)
      const body = JSON.parse(res.body) as { self: Hop; hops: Hop[][] }
      expect(body.self.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(body.self.traceId).not.toBe(TRACE)
      expect(body.self.parentSpanId).toBeUndefined()
      // the new trace still flows downstream
      for (const hop of body.hops[0]!) expect(hop.traceId).toBe(body.self.traceId)
    }
    // a header over node's maxHeaderSize is refused by node before any middleware, and the service lives on
    const huge = await new Promise<number>((resolve) => {
      const req = http.request(`${urlA}/a`, { headers: { traceparent: 'x'.repeat(100_000) } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', () => resolve(-1))
      req.end()
    })
    expect([431, -1]).toContain(huge)
    const ok = await httpGetJson<{ self: Hop }>(`${urlA}/a?via=http`)
    expect(ok.self.traceId).toMatch(/^[0-9a-f]{32}$/)
    await settle((l) => l.a.some((x) => x.trace_id === ok.self.traceId && x.message === 'request completed'))
    const text = rawText()
    expect(text).not.toContain('evil=1')
    expect(text).not.toContain('\u001b')
    expect(text).not.toContain('"level":"fatal')
    expect(text).not.toContain(TRACE.toUpperCase())
  })

  it('B3 callers (single and multi header, 64-bit ids) are continued through every hop', async () => {
    const t64 = '463ac35c9f6413ad'
    const span = 'a2fb4a1d1a96d312'
    const cases: Array<[Record<string, string>, string]> = [
      [{ b3: `${'b'.repeat(32)}-${span}-1` }, 'b'.repeat(32)],
      [{ b3: `${t64}-${span}-1-${CALLER}` }, '0000000000000000' + t64],
      [{ 'X-B3-TraceId': t64, 'X-B3-SpanId': span, 'X-B3-Sampled': '1' }, '0000000000000000' + t64],
    ]
    for (const [headers, traceId] of cases) {
      const body = await httpGetJson<{ self: Hop; hops: Hop[][] }>(`${urlA}/a?via=fetch`, headers)
      expect(body.self).toMatchObject({ traceId, parentSpanId: span })
      for (const hop of body.hops[0]!) expect(hop.traceId).toBe(traceId)
      const lines = await settle((l) => l.c.some((x) => x.trace_id === traceId && x.message === 'request completed'))
      expect(lines.a.find((x) => x.trace_id === traceId && x.message === 'request completed')?.parent_span_id).toBe(span)
    }
  })
})
