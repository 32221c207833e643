// Behaviour of fastifyPlugin through real Fastify 4 and 5 servers on loopback.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fastify5, { type FastifyReply, type FastifyRequest } from 'fastify'
import type { MiddlewareOptions } from '../src/fastify-entry.js'
import fastify4 from 'fastify4'
import { fastifyPlugin, getTraceContext, parseTraceparent } from '../src/index.js'
import { abortedRequest, keyCount, memoryLogger, PARENT, TRACE, TRACEPARENT, until, type Line } from './helpers.js'

type FastifyFactory = typeof fastify5
type App = ReturnType<FastifyFactory>

function routes(app: App): void {
  app.get('/users/:id', async (request: FastifyRequest) => {
    request.log.info('handler')
    return { ctx: getTraceContext(), decorated: request.traceContext }
  })
  app.post('/echo', async (request: FastifyRequest) => {
    await sleep(5)
    request.log.info('after body')
    return { body: request.body, ctx: getTraceContext() }
  })
  app.get('/fail', async () => {
    throw new Error('kaput')
  })
  app.get('/healthz', async () => 'ok')
  app.get('/hang', () => new Promise(() => {}))
}

async function listen(app: App): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' })
}

describe.each([
  ['fastify 4', fastify4 as unknown as FastifyFactory],
  ['fastify 5', fastify5],
])('%s with its own logger option', (_name, fastify) => {
  const { logger, lines, raw } = memoryLogger({ mixin: true })
  let app: App
  let base: string
  beforeAll(async () => {
    app = fastify()
    await app.register(fastifyPlugin, { logger, skipPaths: ['/healthz'] })
    routes(app)
    base = await listen(app)
  })
  afterAll(() => app.close())
  const forTrace = (traceId: string): Line[] => lines.filter((l) => l.trace_id === traceId)

  it('continues a valid traceparent: same trace id, new span id, caller as parent', async () => {
    const res = await fetch(`${base}/users/7?q=1`, { headers: { traceparent: TRACEPARENT, 'user-agent': 'ua' } })
    const body = (await res.json()) as { ctx: Record<string, string>; decorated: Record<string, string> }
    const out = parseTraceparent(res.headers.get('traceparent') ?? undefined)
    expect(out?.traceId).toBe(TRACE)
    expect(out?.parentId).not.toBe(PARENT)
    expect(body.ctx).toMatchObject({ traceId: TRACE, spanId: out?.parentId, parentSpanId: PARENT })
    expect(body.decorated).toEqual(body.ctx)
    await until(() => forTrace(TRACE).some((l) => l.msg === 'request completed'))
    expect(forTrace(TRACE).find((l) => l.msg === 'handler')?.span_id).toBe(out?.parentId)
    expect(forTrace(TRACE).find((l) => l.msg === 'request completed')).toMatchObject({
      level: 30, method: 'GET', route: '/users/:id', path: '/users/7', status: 200, user_agent: 'ua',
      client_ip: '127.0.0.1', parent_span_id: PARENT,
    })
  })

  it('starts a new trace on a malformed header', async () => {
    const res = await fetch(`${base}/users/7`, { headers: { traceparent: 'ff-' + TRACEPARENT.slice(3), tracestate: 'a=1' } })
    const body = (await res.json()) as { ctx: { traceId: string; traceState?: unknown } }
    expect(body.ctx.traceId).not.toBe(TRACE)
    expect(body.ctx.traceState).toBeUndefined()
  })

  it('keeps the trace through body parsing (body arriving late)', async () => {
    const traceId = 'f'.repeat(31) + '1'
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
      req.write('{"a":')
      setTimeout(() => req.end('1}'), 50)
    })
    expect(JSON.parse(text)).toMatchObject({ body: { a: 1 }, ctx: { traceId } })
    await until(() => forTrace(traceId).some((l) => l.msg === 'request completed'))
    expect(forTrace(traceId).map((l) => l.msg)).toContain('after body')
  })

  it('logs errors once with stack and ids; 5xx at error level', async () => {
    const traceId = 'c'.repeat(32)
    const res = await fetch(`${base}/fail`, { headers: { traceparent: `00-${traceId}-${PARENT}-01` } })
    expect(res.status).toBe(500)
    await until(() => forTrace(traceId).some((l) => l.msg === 'request completed'))
    const errors = forTrace(traceId).filter((l) => l.msg === 'request error') as Array<{ err: { stack: string } }>
    expect(errors).toHaveLength(1)
    expect(errors[0]?.err.stack).toContain('kaput')
    expect(forTrace(traceId).find((l) => l.msg === 'request completed')).toMatchObject({ level: 50, status: 500 })
  })

  it('404 is a warn line; skip paths are traced but not logged', async () => {
    const traceId = 'd'.repeat(32)
    await (await fetch(`${base}/nope`, { headers: { traceparent: `00-${traceId}-${PARENT}-01` } })).text()
    await until(() => forTrace(traceId).some((l) => l.msg === 'request completed'))
    expect(forTrace(traceId).find((l) => l.msg === 'request completed')).toMatchObject({ level: 40, status: 404 })
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
    expect(lines.filter((l) => l.path === '/hang')).toEqual([expect.objectContaining({ level: 40, msg: 'request aborted', aborted: true })])
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

describe.each([
  ['fastify 4 (logger)', fastify4 as unknown as FastifyFactory, 'logger'],
  ['fastify 5 (loggerInstance)', fastify5, 'loggerInstance'],
])('%s: a trace-aware logger as Fastify\'s own logger', (_name, fastify, option) => {
  it('handler, access and Fastify\'s own completion lines carry the trace', async () => {
    const { logger, lines, raw } = memoryLogger({ mixin: true })
    const app = fastify({ [option]: logger } as Parameters<FastifyFactory>[0])
    await app.register(fastifyPlugin)
    routes(app)
    const base = await listen(app)
    await (await fetch(`${base}/users/1`, { headers: { traceparent: TRACEPARENT } })).json()
    await (await fetch(`${base}/fail`, { headers: { traceparent: TRACEPARENT } })).text()
    await until(() => lines.filter((l) => l.msg === 'request completed' && l.status !== undefined).length === 2)
    await app.close()
    const mine = lines.filter((l) => l.msg !== 'incoming request' && l.reqId !== undefined)
    // handler, our access line, Fastify's "request completed", the error Fastify logs itself
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['handler', 'request completed', 'kaput']))
    for (const l of mine) expect(l.trace_id).toBe(TRACE)
    // Fastify logs the error itself; the plugin does not add a second error line
    expect(lines.filter((l) => (l.err as { message?: string } | undefined)?.message === 'kaput')).toHaveLength(1)
    for (const l of raw) expect(keyCount(l, 'trace_id')).toBeLessThanOrEqual(1)
  })

  it('plain pino as Fastify\'s logger gets the ids as bindings, once', async () => {
    const { logger, lines, raw } = memoryLogger({ mixin: false })
    const app = fastify({ [option]: logger } as Parameters<FastifyFactory>[0])
    await app.register(fastifyPlugin)
    routes(app)
    const base = await listen(app)
    await (await fetch(`${base}/users/1`, { headers: { traceparent: TRACEPARENT } })).json()
    await until(() => lines.filter((l) => l.msg === 'request completed').length === 2)
    await app.close()
    const mine = lines.filter((l) => l.reqId !== undefined && l.msg !== 'incoming request')
    expect(mine.map((l) => l.msg)).toEqual(['handler', 'request completed', 'request completed'])
    for (const l of mine) expect(l.trace_id).toBe(TRACE)
    for (const l of raw) expect(keyCount(l, 'trace_id')).toBeLessThanOrEqual(1)
  })
})

describe.each([
  ['fastify 4', fastify4 as unknown as FastifyFactory],
  ['fastify 5', fastify5],
])('%s: a rejected traceparent is visible (issue 13 item 11)', (_name, fastify) => {
  it('counts it in app.tracewireStats() and logs the reason at debug once per reason, in the new trace', async () => {
    const { logger, lines } = memoryLogger({ mixin: true, level: 'debug' })
    const app = fastify()
    await app.register(fastifyPlugin, { logger })
    app.get('/', async () => 'x')
    const base = await listen(app)
    const send = (traceparent: string) => fetch(base, { headers: { traceparent } }).then((r) => r.headers.get('traceparent'))
    const firstOut = await send(`ff-${TRACE}-${PARENT}-01`)
    await send(`ff-${TRACE}-${PARENT}-01`)
    await send(`00-${TRACE}-${'0'.repeat(16)}-01`)
    await send(TRACEPARENT)
    await until(() => lines.filter((l) => l.msg === 'request completed').length === 4)
    expect(app.tracewireStats()).toEqual({ rejectedTraceparent: 3 })
    await app.close()
    const debug = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('traceparent rejected'))
    expect(debug.map((l) => [l.level, l.msg])).toEqual([
      [20, 'traceparent rejected: version ff'],
      [20, 'traceparent rejected: all-zero parent id'],
    ])
    expect(debug[0]?.trace_id).toBe(parseTraceparent(firstOut ?? undefined)?.traceId)
  })
})

describe.each([
  ['fastify 4', fastify4 as unknown as FastifyFactory],
  ['fastify 5', fastify5],
])('%s: access-line hooks (issue 13 item 3)', (_name, fastify) => {
  type Options = MiddlewareOptions<FastifyRequest, FastifyReply>
  async function appWith(options: Options): Promise<{ app: App; base: string; lines: Line[]; raw: string[] }> {
    const { logger, lines, raw } = memoryLogger({ mixin: true })
    const app = fastify()
    await app.register(fastifyPlugin, { logger, ...options } as MiddlewareOptions<unknown, unknown>)
    app.get('/ok', async (_request, reply) => {
      reply.header('set-cookie', 'sid=s3cr/et@x:1%').header('x-served-by', 'a1')
      return 'ok'
    })
    app.get('/health', async () => 'ok')
    app.get('/fail', async () => {
      throw new Error('kaput')
    })
    return { app, base: await listen(app), lines, raw }
  }
  const access = (lines: Line[]): Line[] => lines.filter((l) => l.msg === 'request completed')

  it('customProps gets Fastify\'s request and reply; own fields and trace ids win', async () => {
    const { app, base, lines, raw } = await appWith({
      customProps: (request, reply) => ({ tenant: request.headers['x-tenant'], route_url: request.routeOptions.url, code: reply.statusCode, status: 'x', span_id: 'forged' }),
    })
    await fetch(`${base}/ok`, { headers: { 'x-tenant': 'acme', traceparent: TRACEPARENT } }).then((r) => r.text())
    await until(() => access(lines).length === 1)
    await app.close()
    expect(access(lines)[0]).toMatchObject({ tenant: 'acme', route_url: '/ok', code: 200, status: 200, trace_id: TRACE })
    for (const l of raw) expect(keyCount(l, 'span_id')).toBe(1)
  })

  it('customLogLevel(req, res, err) sees the error from onError; silent writes no line', async () => {
    const seen: unknown[] = []
    const { app, base, lines } = await appWith({
      customLogLevel: (request, _reply, err) => {
        seen.push(err)
        return err !== undefined ? 'fatal' : request.url === '/health' ? 'silent' : 'info'
      },
    })
    await fetch(`${base}/fail`).then((r) => r.text())
    await fetch(`${base}/health`).then((r) => r.text())
    await fetch(`${base}/ok`).then((r) => r.text())
    await until(() => access(lines).length === 2)
    await app.close()
    expect((seen[0] as Error).message).toBe('kaput')
    expect(access(lines).map((l) => [l.path, l.level])).toEqual([['/fail', 60], ['/ok', 30]])
  })

  it('autoLogging.ignore(request) skips by predicate; the request is still traced', async () => {
    const { app, base, lines } = await appWith({ autoLogging: { ignore: (request) => request.url.startsWith('/health') } })
    const res = await fetch(`${base}/health?probe=1`)
    await res.text()
    await fetch(`${base}/ok`).then((r) => r.text())
    await until(() => access(lines).length === 1)
    await app.close()
    expect(res.headers.get('traceparent')).toMatch(/^00-/)
    expect(access(lines).map((l) => l.path)).toEqual(['/ok'])
  })

  it('headers only when asked, credentials always redacted; serializers write req and res', async () => {
    const { app, base, lines, raw } = await appWith({
      requestHeaders: true, responseHeaders: true, redactHeaders: ['x-internal-token'],
      serializers: { req: (request) => ({ id: request.id }), res: (reply) => ({ code: reply.statusCode }) },
    })
    await fetch(`${base}/ok`, { headers: { authorization: 'Bearer a/b@c:d%', cookie: 'c/@:%', 'x-api-key': 'k/@:%', 'x-internal-token': 't0k', 'x-tenant': 'acme' } }).then((r) => r.text())
    await until(() => access(lines).length === 1)
    await app.close()
    expect(access(lines)[0]).toMatchObject({
      request_headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]', 'x-internal-token': '[redacted]', 'x-tenant': 'acme' },
      response_headers: { 'set-cookie': '[redacted]', 'x-served-by': 'a1' },
      req: { id: expect.any(String) },
      res: { code: 200 },
    })
    for (const needle of ['a/b@c', 'c/@:%', 'k/@:%', 't0k', 's3cr/et']) expect(raw.join('\n')).not.toContain(needle)
  })

  it('a hook that throws breaks neither the request nor the line: defaults plus hook_errors', async () => {
    const boom = (): never => {
      throw new Error('hook bug')
    }
    const { app, base, lines } = await appWith({ customProps: boom, customLogLevel: boom, autoLogging: { ignore: boom }, serializers: { req: boom, res: boom } })
    const res = await fetch(`${base}/ok`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('ok')
    await until(() => access(lines).length === 1)
    await app.close()
    expect(access(lines)[0]).toMatchObject({
      level: 30, status: 200,
      hook_errors: ['autoLogging.ignore', 'customProps', 'serializers.req', 'serializers.res', 'customLogLevel'],
    })
  })
})
