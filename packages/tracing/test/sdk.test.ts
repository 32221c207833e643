// startTracing with the real @opentelemetry/sdk-node (own file: the SDK registers process-wide globals).
// Modules are required after the SDK starts, as the README tells users, so its instrumentations patch them.
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { SpanKind } from '@opentelemetry/api'
import { expressMiddleware, fastifyPlugin, parseTraceparent, startTracing, type TracingHandle } from '../src/index.js'
import type { ExpressLikeRequest } from '../src/index.js'
import { memoryLogger, PARENT, rawGet, TRACE, TRACEPARENT, until } from './helpers.js'

const require = createRequire(import.meta.url)
const exporter = new InMemorySpanExporter()
let handle: TracingHandle
const { logger, lines } = memoryLogger({ mixin: true })
let server: Server
let base: string

beforeAll(async () => {
  handle = await startTracing({ serviceName: 'sdk-test', spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const express = require('express') as typeof import('express')
  const app = express()
  app.use(expressMiddleware({ logger }))
  app.get('/users/:id', (req, res) => {
    ;(req as ExpressLikeRequest).log?.info('handler')
    res.send('ok')
  })
  server = app.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.close()
  await handle.shutdown()
  await handle.shutdown()
})

it('uses the SDK span: log lines carry the SDK ids and no second span is made', async () => {
  const headers = await rawGet(`${base}/users/1`, { traceparent: TRACEPARENT })
  await until(() => lines.some((l) => l.msg === 'request completed'))
  await until(() => exporter.getFinishedSpans().some((s) => s.kind === SpanKind.SERVER))

  const spans = exporter.getFinishedSpans()
  const serverSpans = spans.filter((s) => s.kind === SpanKind.SERVER)
  expect(serverSpans).toHaveLength(1)
  const serverSpan = serverSpans[0]!
  // the SDK continued the caller's trace
  expect(serverSpan.spanContext().traceId).toBe(TRACE)
  expect(serverSpan.parentSpanContext?.spanId).toBe(PARENT)

  // every exported span belongs to the SDK; the response header and the access line name its server span
  const sent = parseTraceparent(headers.traceparent)
  expect(sent?.parentId).toBe(serverSpan.spanContext().spanId)
  const access = lines.find((l) => l.msg === 'request completed')
  expect(access).toMatchObject({ trace_id: TRACE, span_id: serverSpan.spanContext().spanId, parent_span_id: PARENT })

  // the handler line carries the SDK's innermost active span (express's request-handler span), same trace
  const handler = lines.find((l) => l.msg === 'handler')
  expect(handler?.trace_id).toBe(TRACE)
  expect(spans.map((s) => s.spanContext().spanId)).toContain(handler?.span_id)
})

it('exports nothing tracewire-made: every span id in the logs is an SDK span', async () => {
  const ids = new Set(exporter.getFinishedSpans().map((s) => s.spanContext().spanId))
  for (const l of lines.filter((x) => x.span_id !== undefined)) expect(ids.has(l.span_id as string)).toBe(true)
})

it('fastifyPlugin registers next to the SDK', async () => {
  const fastify = require('fastify') as typeof import('fastify').default
  const app = fastify()
  await app.register(fastifyPlugin, { logger })
  app.get('/', async () => 'ok')
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const before = lines.length
  await rawGet(url, { traceparent: TRACEPARENT })
  await until(() => lines.slice(before).some((l) => l.msg === 'request completed'))
  await app.close()
  const access = lines.slice(before).find((l) => l.msg === 'request completed')
  expect(access?.trace_id).toBe(TRACE)
  const serverIds = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER).map((s) => s.spanContext().spanId)
  expect(serverIds).toContain(access?.span_id)
})
