// The middleware with the real @tracewire/logger (workspace package, built to packages/logger/dist).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import express from 'express'
import fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import fastify4 from 'fastify4'
import { createLogger } from '@tracewire/logger'
import { expressMiddleware, fastifyPlugin } from '../src/index.js'
import { requestLoggingOff } from '../src/fastify-entry.js'
import type { ExpressLikeRequest } from '../src/index.js'
import { PARENT, TRACE, TRACEPARENT, abortedRequest, keyCount, until } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'tracewire-tracing-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function fileLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean)
  } catch {
    return []
  }
}

/** The completed request's line carries the span id sent back in `traceparent`; the aborted one its own ids. */
function expectSpanAccessLines(file: string, res: Response): void {
  const lines = fileLines(file).map((l) => JSON.parse(l) as Record<string, unknown>)
  const sentSpanId = res.headers.get('traceparent')?.split('-')[2]
  expect(lines[0]).toMatchObject({ message: 'request completed', trace_id: TRACE, span_id: sentSpanId, parent_span_id: PARENT, trace_flags: '01' })
  expect(lines[1]).toMatchObject({ message: 'request aborted', level: 'warn', aborted: true, path: '/hang' })
  expect(lines[1]?.trace_id).toMatch(/^[0-9a-f]{32}$/)
  expect(lines[1]?.span_id).toMatch(/^[0-9a-f]{16}$/)
}

describe('@tracewire/logger as the middleware logger', () => {
  it('express: handler and access lines carry the trace once, no fields_clash', async () => {
    const file = join(dir, 'express.log')
    const logger = createLogger({ service: 'orders', stdout: false, file, handleExit: false })
    const app = express()
    app.use(expressMiddleware({ logger }))
    app.get('/o/:id', (req, res) => {
      ;(req as ExpressLikeRequest).log?.info('handler')
      res.send('ok')
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/o/1`, { headers: { traceparent: TRACEPARENT } })).text()
    await until(() => fileLines(file).length >= 2 || (void logger.flush(), false), 5000)
    server.close()
    await logger.close()
    const raw = fileLines(file)
    expect(raw).toHaveLength(2)
    for (const l of raw) {
      expect(keyCount(l, 'trace_id')).toBe(1)
      expect(l).not.toContain('fields_clash')
      const line = JSON.parse(l) as Record<string, unknown>
      expect(line).toMatchObject({ service: 'orders', trace_id: TRACE })
    }
    expect(JSON.parse(raw[1]!)).toMatchObject({ message: 'request completed', level: 'info', parent_span_id: PARENT, route: '/o/:id' })
  })

  it.each([
    ['fastify 5', 'loggerInstance', fastify],
    ['fastify 4', 'logger', fastify4 as unknown as typeof fastify],
  ] as const)('%s: as Fastify\'s own logger (%s), every request line carries the trace', async (name, option, factory) => {
    const file = join(dir, `${name.replace(' ', '')}.log`)
    const logger = createLogger({ service: 'orders', stdout: false, file, handleExit: false })
    const app = factory({ [option]: logger, ...requestLoggingOff(factory) } as Parameters<typeof fastify>[0]) as unknown as FastifyInstance
    await app.register(fastifyPlugin)
    app.get('/o/:id', async (request: FastifyRequest) => {
      request.log.info('handler')
      return 'ok'
    })
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    await (await fetch(`${url}/o/1`, { headers: { traceparent: TRACEPARENT } })).text()
    await until(() => fileLines(file).some((l) => l.includes('request completed')) || (void logger.flush(), false), 5000)
    await app.close()
    await logger.close()
    const raw = fileLines(file).filter((l) => l.includes('"reqId"'))
    expect(raw.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['handler', 'request completed'])
    for (const l of raw) {
      expect(keyCount(l, 'trace_id')).toBe(1)
      expect(l).not.toContain('fields_clash')
      expect(JSON.parse(l)).toMatchObject({ trace_id: TRACE, service: 'orders' })
    }
  })

  // The access line is handed to @tracewire/logger with the request's span (no context entered around the
  // call): the ids must be the request's, for completed and aborted requests, in both frameworks.
  it('express: the access line carries the request\'s own span id (as sent in traceparent), completed or aborted', async () => {
    const file = join(dir, 'express-span.log')
    const logger = createLogger({ service: 'orders', stdout: false, file, handleExit: false })
    const app = express()
    app.use(expressMiddleware({ logger }))
    app.get('/ok', (_req, res) => {
      res.send('ok')
    })
    app.get('/hang', () => {
      // never answers: the client aborts
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const res = await fetch(`${base}/ok`, { headers: { traceparent: TRACEPARENT } })
    await res.text()
    await abortedRequest(`${base}/hang`, 50)
    await until(() => fileLines(file).length >= 2 || (void logger.flush(), false), 5000)
    server.close()
    await logger.close()
    expectSpanAccessLines(file, res)
  })

  it('fastify: with the `logger` option, the access line carries the request\'s own span id, completed or aborted', async () => {
    const file = join(dir, 'fastify-span.log')
    const logger = createLogger({ service: 'orders', stdout: false, file, handleExit: false })
    const app = fastify()
    await app.register(fastifyPlugin, { logger })
    app.get('/ok', async () => 'ok')
    app.get('/hang', () => new Promise(() => {}))
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const res = await fetch(`${url}/ok`, { headers: { traceparent: TRACEPARENT } })
    await res.text()
    await abortedRequest(`${url}/hang`, 50)
    await until(() => fileLines(file).length >= 2 || (void logger.flush(), false), 5000)
    await app.close()
    await logger.close()
    expectSpanAccessLines(file, res)
  })
})
