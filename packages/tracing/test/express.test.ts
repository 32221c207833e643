// Behaviour of expressMiddleware through real Express 4 and 5 servers on loopback.
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import express5 from 'express'
import express4 from 'express4'
import { expressErrorLogger, expressMiddleware, getTraceContext, parseTraceparent } from '../src/index.js'
import type { ExpressLikeRequest } from '../src/index.js'
import { abortedRequest, keyCount, memoryLogger, PARENT, TRACE, TRACEPARENT, until, type Line } from './helpers.js'

type ExpressFactory = typeof express5

describe.each([
  ['express 4', express4 as unknown as ExpressFactory],
  ['express 5', express5],
])('%s', (_name, express) => {
  const { logger, lines, raw } = memoryLogger({ mixin: true })
  let server: Server
  let base: string

  beforeAll(async () => {
    const app = express()
    app.use(expressMiddleware({ logger, skipPaths: ['/healthz'] }))
    app.use(express.json())
    const users = express.Router()
    users.get('/:id', (req, res) => {
      ;(req as ExpressLikeRequest).log?.info({ user: req.params.id }, 'handler')
      res.json({ ctx: getTraceContext() })
    })
    app.use('/users', users)
    app.post('/echo', async (req, res) => {
      await sleep(5)
      ;(req as ExpressLikeRequest).log?.info('after body')
      res.json({ body: req.body, ctx: getTraceContext() })
    })
    app.post('/raw', (req, res) => {
      // A handler that reads the stream itself, without a body parser that restores the context.
      let n = 0
      req.on('data', (d: Buffer) => (n += d.length))
      req.on('end', () => {
        ;(req as ExpressLikeRequest).log?.info({ n }, 'raw body read')
        res.json({ n, ctx: getTraceContext() })
      })
    })
    app.get('/fail', () => {
      throw new Error('kaput')
    })
    app.get('/healthz', (_req, res) => {
      res.send('ok')
    })
    app.get('/hang', () => {
      // never answers: the client aborts
    })
    app.use(expressErrorLogger())
    server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    server.close()
  })

  const forTrace = (traceId: string): Line[] => lines.filter((l) => l.trace_id === traceId)

  it('continues a valid traceparent: same trace id, new span id, caller as parent', async () => {
    const res = await fetch(`${base}/users/42?secret=1`, { headers: { traceparent: TRACEPARENT, 'user-agent': 'test-agent' } })
    const body = (await res.json()) as { ctx: { traceId: string; spanId: string; parentSpanId: string } }
    const out = parseTraceparent(res.headers.get('traceparent') ?? undefined)
    expect(out?.traceId).toBe(TRACE)
    expect(out?.parentId).not.toBe(PARENT)
    expect(body.ctx).toMatchObject({ traceId: TRACE, spanId: out?.parentId, parentSpanId: PARENT })

    await until(() => forTrace(TRACE).some((l) => l.msg === 'request completed'))
    const handler = forTrace(TRACE).find((l) => l.msg === 'handler')
    const access = forTrace(TRACE).find((l) => l.msg === 'request completed')
    expect(handler?.span_id).toBe(out?.parentId)
    expect(access).toMatchObject({
      level: 30, method: 'GET', route: '/users/:id', path: '/users/42', status: 200,
      user_agent: 'test-agent', client_ip: '127.0.0.1', parent_span_id: PARENT, span_id: out?.parentId,
    })
    expect(typeof access?.duration_ms).toBe('number')
    expect(access?.bytes).toBeGreaterThan(0)
    expect(JSON.stringify(access)).not.toContain('secret')
  })

  it('starts a new trace without a header (lowercase, non-zero, random flag set)', async () => {
    const res = await fetch(`${base}/users/1`)
    const out = parseTraceparent(res.headers.get('traceparent') ?? undefined)
    expect(out).toBeDefined()
    expect(out!.traceId).not.toBe(TRACE)
    expect(out!.traceFlags).toBe(0x03)
    const body = (await res.json()) as { ctx: { parentSpanId?: string } }
    expect(body.ctx.parentSpanId).toBeUndefined()
  })

  it('an invalid traceparent starts a new trace and its tracestate is ignored', async () => {
    const res = await fetch(`${base}/users/1`, { headers: { traceparent: `00-${TRACE}-${'0'.repeat(16)}-01`, tracestate: 'a=1' } })
    const body = (await res.json()) as { ctx: { traceId: string; traceState?: unknown } }
    expect(body.ctx.traceId).not.toBe(TRACE)
    expect(body.ctx.traceState).toBeUndefined()
  })

  it('keeps the trace across body parsing and awaits', async () => {
    const traceId = 'a'.repeat(31) + 'b'
    const res = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { traceparent: `00-${traceId}-${PARENT}-01`, 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    })
    const body = (await res.json()) as { body: unknown; ctx: { traceId: string } }
    expect(body).toMatchObject({ body: { hello: 'world' }, ctx: { traceId } })
    await until(() => forTrace(traceId).some((l) => l.msg === 'request completed'))
    expect(forTrace(traceId).map((l) => l.msg)).toContain('after body')
  })

  it('keeps the trace when the body arrives late, in pieces', async () => {
    const traceId = 'e'.repeat(31) + '1'
    const http = await import('node:http')
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${base}/echo`, {
        method: 'POST',
        headers: { traceparent: `00-${traceId}-${PARENT}-01`, 'content-type': 'application/json' },
      }, (res) => {
        let b = ''
        res.on('data', (d: Buffer) => (b += d))
        res.on('end', () => resolve(b))
      })
      req.on('error', reject)
      req.write('{"hello":')
      setTimeout(() => req.end('"late"}'), 50)
    })
    expect(JSON.parse(text)).toMatchObject({ body: { hello: 'late' }, ctx: { traceId } })
    await until(() => forTrace(traceId).some((l) => l.msg === 'request completed'))
    expect(forTrace(traceId).map((l) => l.msg)).toContain('after body')
  })

  it('keeps the trace in stream listeners of a raw body reader', async () => {
    const traceId = 'e'.repeat(31) + '2'
    const http = await import('node:http')
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${base}/raw`, { method: 'POST', headers: { traceparent: `00-${traceId}-${PARENT}-01` } }, (res) => {
        let b = ''
        res.on('data', (d: Buffer) => (b += d))
        res.on('end', () => resolve(b))
      })
      req.on('error', reject)
      req.write('abc')
      setTimeout(() => req.end('def'), 50)
    })
    expect(JSON.parse(text)).toMatchObject({ n: 6, ctx: { traceId } })
    await until(() => forTrace(traceId).some((l) => l.msg === 'request completed'))
    expect(forTrace(traceId).map((l) => l.msg)).toContain('raw body read')
  })

  it('logs errors that reach Express with stack and ids; 5xx access line at error level', async () => {
    const traceId = 'c'.repeat(32)
    const res = await fetch(`${base}/fail`, { headers: { traceparent: `00-${traceId}-${PARENT}-01` } })
    expect(res.status).toBe(500)
    await until(() => forTrace(traceId).some((l) => l.msg === 'request completed'))
    const err = forTrace(traceId).find((l) => l.msg === 'request error') as { err?: { message: string; stack: string }; level: number }
    expect(err?.level).toBe(50)
    expect(err?.err?.message).toBe('kaput')
    expect(err?.err?.stack).toContain('express.test.ts')
    expect(forTrace(traceId).find((l) => l.msg === 'request completed')).toMatchObject({ level: 50, status: 500 })
  })

  it('4xx access line at warn level, no route template for an unmatched path', async () => {
    const traceId = 'd'.repeat(32)
    await (await fetch(`${base}/nope`, { headers: { traceparent: `00-${traceId}-${PARENT}-01` } })).text()
    await until(() => forTrace(traceId).length > 0)
    const access = forTrace(traceId)[0]
    expect(access).toMatchObject({ level: 40, status: 404, path: '/nope' })
    expect(access?.route).toBeUndefined()
  })

  it('skip paths get no access line but are still traced', async () => {
    const res = await fetch(`${base}/healthz`)
    expect(parseTraceparent(res.headers.get('traceparent') ?? undefined)).toBeDefined()
    await res.text()
    // A later request is the barrier: once its access line is written, /healthz's would have been too.
    const barrier = 'e'.repeat(32)
    await (await fetch(`${base}/users/1`, { headers: { traceparent: `00-${barrier}-${PARENT}-01` } })).text()
    await until(() => forTrace(barrier).some((l) => l.msg === 'request completed'))
    expect(lines.filter((l) => l.path === '/healthz')).toEqual([])
  })

  it('an aborted request gets one warn line with aborted: true', async () => {
    await abortedRequest(`${base}/hang`, 50)
    await until(() => lines.some((l) => l.path === '/hang'))
    expect(lines.filter((l) => l.path === '/hang')).toEqual([
      expect.objectContaining({ level: 40, msg: 'request aborted', aborted: true }),
    ])
  })

  it('never writes a trace key twice (a mixin logger: the middleware must not bind the ids too)', async () => {
    const traceId = 'f'.repeat(32)
    await (await fetch(`${base}/users/2`, { headers: { traceparent: `00-${traceId}-${PARENT}-01` } })).text()
    await until(() => forTrace(traceId).some((l) => l.msg === 'request completed'))
    const own = raw.filter((l) => l.includes(traceId))
    // The handler's line and the access line, each with the trace id exactly once.
    expect(own.length).toBeGreaterThanOrEqual(2)
    for (const l of own) for (const key of ['trace_id', 'span_id', 'trace_flags']) expect(keyCount(l, key), `${key} in ${l}`).toBe(1)
  })
})

describe('expressMiddleware with a logger that does not read the span (plain pino)', () => {
  it('binds the ids into req.log and the access line, once', async () => {
    const { logger, lines, raw } = memoryLogger({ mixin: false })
    const app = express5()
    app.use(expressMiddleware({ logger }))
    app.get('/', (req, res) => {
      ;(req as ExpressLikeRequest).log?.info('handler')
      res.send('x')
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { traceparent: TRACEPARENT } })).text()
    await until(() => lines.length === 2)
    server.close()
    expect(lines.map((l) => l.trace_id)).toEqual([TRACE, TRACE])
    for (const l of raw) expect(keyCount(l, 'trace_id')).toBe(1)
  })

  it('writes trace_flags as the line contract does: the sampled bit only, even with the random flag set', async () => {
    const { logger, lines } = memoryLogger({ mixin: false })
    const app = express5()
    app.use(expressMiddleware({ logger }))
    app.get('/', (_req, res) => res.send('x'))
    const server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    // A trace this service starts carries the W3C level-2 random flag (0x03 on the wire).
    const started = await fetch(url)
    await started.text()
    await fetch(url, { headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-00` } }).then((r) => r.text())
    await until(() => lines.length === 2)
    server.close()
    expect(started.headers.get('traceparent')).toMatch(/-03$/)
    expect(lines.map((l) => l.trace_flags)).toEqual(['01', '00'])
  })
})

describe.each([
  ['express 4', express4 as unknown as ExpressFactory],
  ['express 5', express5],
])('%s: client_ip is req.ip', (_name, express) => {
  // The middleware reads the socket directly when `trust proxy` is off (req.ip would be the same); with it on,
  // Express's answer from X-Forwarded-For is kept. Both through a mounted sub-app, whose setting is inherited.
  it.each([
    ['off (default): the socket address, X-Forwarded-For ignored', undefined, '127.0.0.1'],
    ['on: the X-Forwarded-For client', true, '203.0.113.7'],
    ['a hop count: the X-Forwarded-For client', 1, '203.0.113.7'],
  ] as const)('trust proxy %s', async (_case, trust, expected) => {
    const { logger, lines } = memoryLogger({ mixin: true })
    const app = express()
    if (trust !== undefined) app.set('trust proxy', trust)
    app.use(expressMiddleware({ logger }))
    const sub = express()
    sub.get('/ip', (req, res) => void res.json({ ip: req.ip }))
    app.use('/sub', sub)
    const server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/sub/ip`, { headers: { 'x-forwarded-for': '203.0.113.7' } })
    const body = (await res.json()) as { ip: string }
    await until(() => lines.some((l) => l.msg === 'request completed'))
    server.close()
    expect(body.ip).toBe(expected)
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({ client_ip: expected })
  })
})

describe('expressMiddleware options', () => {
  it('rejects invalid options with a stable code', () => {
    expect(() => expressMiddleware({ skipPaths: '/x' as unknown as string[] })).toThrow(expect.objectContaining({ code: 'TW_TRACING_INVALID_OPTION' }))
    expect(() => expressMiddleware({ logger: {} as never })).toThrow(/pino-compatible/)
    expect(() => expressMiddleware({ trustedHeaders: ['zipkin' as 'b3'] })).toThrow(expect.objectContaining({ code: 'TW_TRACING_INVALID_OPTION' }))
    expect(() => expressMiddleware({ accessLog: 'yes' as unknown as boolean })).toThrow(/accessLog must be a boolean/)
  })

  it('trustedHeaders: [] restarts every trace', async () => {
    const app = express5()
    app.use(expressMiddleware({ trustedHeaders: [] }))
    app.get('/', (_req, res) => void res.json(getTraceContext()))
    const server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    const ctx = (await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { traceparent: TRACEPARENT } })).json()) as { traceId: string }
    server.close()
    expect(ctx.traceId).not.toBe(TRACE)
  })
})

describe('expressErrorLogger with Express 5 async handlers', () => {
  it('logs a rejected async handler once, with stack and the trace ids', async () => {
    const { logger, lines } = memoryLogger({ mixin: true })
    const app = express5()
    app.use(expressMiddleware({ logger }))
    app.get('/', async () => {
      await sleep(1)
      throw new Error('async kaput')
    })
    app.use(expressErrorLogger())
    const server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { traceparent: TRACEPARENT } })
    expect(res.status).toBe(500)
    await until(() => lines.some((l) => l.msg === 'request completed'))
    server.close()
    const errors = lines.filter((l) => l.msg === 'request error') as Array<Line & { err: { message: string; stack: string } }>
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ trace_id: TRACE, err: { message: 'async kaput' } })
    expect(errors[0]?.err.stack).toContain('express.test.ts')
  })
})

/** Starts `app` on loopback; returns its base URL and a closer. */
async function serve(app: ReturnType<ExpressFactory>): Promise<{ base: string; close: () => void }> {
  const server = app.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections()
      server.close()
    },
  }
}

describe.each([
  ['express 4', express4 as unknown as ExpressFactory],
  ['express 5', express5],
])('%s: a rejected traceparent is visible (issue 13 item 11)', (_name, express) => {
  it('counts it in stats().rejectedTraceparent and logs the reason at debug once per reason, in the new trace', async () => {
    const { logger, lines } = memoryLogger({ mixin: true, level: 'debug' })
    const mw = expressMiddleware({ logger })
    const app = express()
    app.use(mw)
    app.get('/', (_req, res) => void res.send('x'))
    const { base, close } = await serve(app)
    const send = (traceparent?: string) => fetch(base, traceparent === undefined ? {} : { headers: { traceparent } }).then((r) => r.headers.get('traceparent'))
    const firstOut = await send(`ff-${TRACE}-${PARENT}-01`)
    await send(`ff-${TRACE}-${PARENT}-01`)
    await send(`00-${'0'.repeat(32)}-${PARENT}-01`)
    await send(TRACEPARENT)
    await send()
    await until(() => lines.filter((l) => l.msg === 'request completed').length === 5)
    close()
    expect(mw.stats()).toEqual({ rejectedTraceparent: 3 })
    const debug = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('traceparent rejected'))
    expect(debug.map((l) => [l.level, l.msg])).toEqual([
      [20, 'traceparent rejected: version ff'],
      [20, 'traceparent rejected: all-zero trace id'],
    ])
    // The line is written in the trace the request was moved to, so the operator finds it next to it.
    expect(debug[0]?.trace_id).toBe(parseTraceparent(firstOut ?? undefined)?.traceId)
    expect(debug[0]?.trace_id).not.toBe(TRACE)
  })

  it('counts without a logger', async () => {
    const mw = expressMiddleware()
    const app = express()
    app.use(mw)
    app.get('/', (_req, res) => void res.send('x'))
    const { base, close } = await serve(app)
    await fetch(base, { headers: { traceparent: 'garbage' } }).then((r) => r.text())
    close()
    expect(mw.stats().rejectedTraceparent).toBe(1)
  })
})

describe.each([
  ['express 4', express4 as unknown as ExpressFactory],
  ['express 5', express5],
])('%s: access-line hooks (issue 13 item 3)', (_name, express) => {
  async function appWith(options: Parameters<typeof expressMiddleware>[0]): Promise<{ base: string; close: () => void; lines: Line[]; raw: string[] }> {
    const { logger, lines, raw } = memoryLogger({ mixin: true })
    const app = express()
    app.use(expressMiddleware({ logger, ...options }))
    app.get('/ok', (_req, res) => {
      res.setHeader('set-cookie', 'sid=s3cr/et@x:1%')
      res.setHeader('x-served-by', 'a1')
      res.send('ok')
    })
    app.get('/health', (_req, res) => void res.send('ok'))
    app.get('/fail', () => {
      throw new Error('kaput')
    })
    app.use(expressErrorLogger())
    return { ...(await serve(app)), lines, raw }
  }
  const access = (lines: Line[]): Line[] => lines.filter((l) => l.msg === 'request completed')

  it('customProps adds fields; the middleware fields and trace ids win over props of the same name', async () => {
    const { base, close, lines, raw } = await appWith({
      customProps: (req) => ({ tenant: req.headers['x-tenant'], status: 'overridden', trace_id: 'forged' }),
    })
    await fetch(`${base}/ok`, { headers: { 'x-tenant': 'acme', traceparent: TRACEPARENT } }).then((r) => r.text())
    await until(() => access(lines).length === 1)
    close()
    expect(access(lines)[0]).toMatchObject({ tenant: 'acme', status: 200, trace_id: TRACE })
    for (const l of raw) expect(keyCount(l, 'trace_id')).toBe(1)
  })

  it('customLogLevel(req, res, err) sets the level, sees the error, and silent writes no line', async () => {
    const seen: unknown[] = []
    const { base, close, lines } = await appWith({
      customLogLevel: (req, res, err) => {
        seen.push(err)
        if (err !== undefined) return 'fatal'
        return req.url === '/health' ? 'silent' : res.statusCode === 200 ? 'debug' : 'info'
      },
    })
    await fetch(`${base}/fail`).then((r) => r.text())
    await fetch(`${base}/health`).then((r) => r.text())
    await fetch(`${base}/ok`).then((r) => r.text())
    await until(() => seen.length === 3)
    await sleep(20)
    close()
    expect((seen[0] as Error).message).toBe('kaput')
    // debug is below the logger's level: only the fatal line is written; /health is silent at any level.
    expect(access(lines).map((l) => [l.path, l.level])).toEqual([['/fail', 60]])
  })

  it('autoLogging.ignore(req) skips by predicate (query strings, methods); the request is still traced', async () => {
    const { base, close, lines } = await appWith({
      autoLogging: { ignore: (req) => req.url?.startsWith('/health') === true || req.method === 'HEAD' },
      skipPaths: ['/fail'],
    })
    const res = await fetch(`${base}/health?probe=1`)
    await res.text()
    await fetch(`${base}/ok`, { method: 'HEAD' })
    await fetch(`${base}/fail`).then((r) => r.text())
    await fetch(`${base}/ok`).then((r) => r.text())
    await until(() => access(lines).length === 1)
    await sleep(20)
    close()
    expect(res.headers.get('traceparent')).toMatch(/^00-/)
    expect(access(lines).map((l) => l.path)).toEqual(['/ok'])
  })

  it('headers are logged only when asked, with credentials always redacted', async () => {
    const plain = await appWith({})
    await fetch(`${plain.base}/ok`, { headers: { authorization: 'Bearer x' } }).then((r) => r.text())
    await until(() => access(plain.lines).length === 1)
    plain.close()
    expect(access(plain.lines)[0]).not.toHaveProperty('request_headers')

    const secret = 'Basic dTpwL0A6JQ=='
    const { base, close, lines, raw } = await appWith({ requestHeaders: true, responseHeaders: true, redactHeaders: ['X-Internal-Token'] })
    await fetch(`${base}/ok`, {
      headers: { authorization: secret, cookie: 'sid=a/b@c:d%', 'x-api-key': 'k/@:%', 'x-internal-token': 't0k', 'x-tenant': 'acme' },
    }).then((r) => r.text())
    await until(() => access(lines).length === 1)
    close()
    const line = access(lines)[0] as { request_headers: Record<string, unknown>; response_headers: Record<string, unknown> }
    expect(line.request_headers).toMatchObject({
      authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]', 'x-internal-token': '[redacted]', 'x-tenant': 'acme',
    })
    expect(line.response_headers).toMatchObject({ 'set-cookie': '[redacted]', 'x-served-by': 'a1' })
    for (const needle of ['dTpwL0A6JQ', 'a/b@c', 'k/@:%', 't0k', 's3cr/et']) expect(raw.join('\n')).not.toContain(needle)
  })

  it('serializers write req and res fields', async () => {
    const { base, close, lines } = await appWith({
      serializers: { req: (req) => ({ id: req.headers['x-request-id'] }), res: (res) => ({ type: res.getHeader('content-type') }) },
    })
    await fetch(`${base}/ok`, { headers: { 'x-request-id': 'r-1' } }).then((r) => r.text())
    await until(() => access(lines).length === 1)
    close()
    expect(access(lines)[0]).toMatchObject({ req: { id: 'r-1' }, res: { type: expect.stringContaining('text/html') } })
  })

  it('a hook that throws breaks neither the request nor the line: defaults plus hook_errors', async () => {
    const boom = (): never => {
      throw new Error('hook bug')
    }
    const { base, close, lines } = await appWith({
      customProps: boom, customLogLevel: boom, autoLogging: { ignore: boom }, serializers: { req: boom, res: boom },
    })
    const res = await fetch(`${base}/ok`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('ok')
    await until(() => access(lines).length === 1)
    close()
    expect(access(lines)[0]).toMatchObject({
      level: 30, status: 200,
      hook_errors: ['autoLogging.ignore', 'customProps', 'serializers.req', 'serializers.res', 'customLogLevel'],
    })
  })

  it('an unusable customLogLevel or customProps result falls back, marked', async () => {
    const { base, close, lines } = await appWith({ customLogLevel: () => 'loud' as never, customProps: () => 'x' as never })
    await fetch(`${base}/ok`).then((r) => r.text())
    await until(() => access(lines).length === 1)
    close()
    expect(access(lines)[0]).toMatchObject({ level: 30, hook_errors: ['customProps', 'customLogLevel'] })
  })

  it('refuses invalid hook options at construction', () => {
    expect(() => expressMiddleware({ customProps: {} as never })).toThrow(/customProps must be a function/)
    expect(() => expressMiddleware({ autoLogging: { ignor: () => true } as never })).toThrow(/did you mean "ignore"/)
    expect(() => expressMiddleware({ serializers: { request: () => 1 } as never })).toThrow(/did you mean "req"/)
    expect(() => expressMiddleware({ redactHeaders: 'authorization' as never })).toThrow(/redactHeaders must be an array/)
  })
})
