// One benchmark server variant, run in its own child process so instrumentation never leaks between
// variants. Usage: node server.mjs <variant> <logFile>. Reports its port over IPC, answers 'cpu' messages
// with process.cpuUsage(), exits on 'stop'.
import { createRequire } from 'node:module'

const [variant, logFile] = process.argv.slice(2)
const require = createRequire(import.meta.url)
const payload = { hello: 'world' }

async function otel() {
  // OpenTelemetry's http + express instrumentation, spans batched to an exporter that drops them: the
  // cost measured is instrumentation and span bookkeeping, not network.
  const { NodeSDK } = await import('@opentelemetry/sdk-node')
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http')
  const { ExpressInstrumentation } = await import('@opentelemetry/instrumentation-express')
  const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base')
  const dropping = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} }
  new NodeSDK({
    serviceName: 'bench',
    instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
    spanProcessors: [new BatchSpanProcessor(dropping)],
  }).start()
}

async function tracewireLogger() {
  const { createLogger } = await import('@tracewire/logger')
  return createLogger({ service: 'bench', stdout: false, file: logFile, handleExit: false })
}

async function start() {
  if (variant.startsWith('express')) {
    if (variant === 'express-otel') await otel()
    const express = require('express')
    const app = express()
    if (variant === 'express-tracewire') {
      const { expressMiddleware } = await import('@tracewire/tracing')
      app.use(expressMiddleware({ logger: await tracewireLogger() }))
    } else if (variant === 'express-tracewire-pino-only') {
      // diagnostic: the middleware with plain pino (a span mixin, sonic-boom to the file) instead of
      // @tracewire/logger, to split the middleware's cost from the logger's
      const pino = require('pino')
      const { trace, context } = require('@opentelemetry/api')
      const mixin = () => {
        const sc = trace.getSpanContext(context.active())
        return sc ? { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: sc.traceFlags & 1 ? '01' : '00' } : {}
      }
      const { expressMiddleware } = await import('@tracewire/tracing')
      app.use(expressMiddleware({ logger: pino({ mixin }, pino.destination({ dest: logFile, sync: false })) }))
    } else if (variant === 'express-tracewire-nooplog-only') {
      // diagnostic: the access line built and handed to a logger that discards it (middleware cost only)
      const { expressMiddleware } = await import('@tracewire/tracing')
      const noop = { info() {}, warn() {}, error() {}, child() { return noop } }
      app.use(expressMiddleware({ logger: noop, bindTraceFields: false }))
    } else if (variant === 'express-trace-only') {
      // diagnostic: the trace without any log line
      const { expressMiddleware } = await import('@tracewire/tracing')
      app.use(expressMiddleware())
    } else if (variant === 'express-als-only') {
      // diagnostic: the floor any AsyncLocalStorage-based context pays (node 20 async hooks)
      const { AsyncLocalStorage } = await import('node:async_hooks')
      const als = new AsyncLocalStorage()
      app.use((_req, _res, next) => als.run({}, next))
    } else if (variant === 'express-pino-http') {
      const pino = require('pino')
      const pinoHttp = require('pino-http')
      app.use(pinoHttp({ logger: pino(pino.destination({ dest: logFile, sync: false })) }))
    }
    app.get('/', (_req, res) => res.json(payload))
    const server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    return server.address().port
  }
  const fastify = require('fastify')
  let app
  if (variant === 'fastify-logger') {
    app = fastify({ logger: { level: 'info', file: logFile } })
  } else if (variant === 'fastify-tracewire') {
    app = fastify()
    const { fastifyPlugin } = await import('@tracewire/tracing')
    await app.register(fastifyPlugin, { logger: await tracewireLogger() })
  } else if (variant === 'fastify-als-only') {
    // diagnostic: the floor any AsyncLocalStorage-based context pays (node 20 async hooks)
    const { AsyncLocalStorage } = await import('node:async_hooks')
    const als = new AsyncLocalStorage()
    app = fastify()
    app.addHook('onRequest', (_req, _reply, next) => als.run({}, next))
  } else if (variant === 'fastify-tracewire-nooplog-only') {
    // diagnostic: the access line built and handed to a logger that discards it (middleware cost only)
    app = fastify()
    const { fastifyPlugin } = await import('@tracewire/tracing')
    const noop = { info() {}, warn() {}, error() {}, child() { return noop } }
    await app.register(fastifyPlugin, { logger: noop, bindTraceFields: false })
  } else if (variant === 'fastify-tracewire-nullstream-only') {
    // diagnostic: @tracewire/logger building every access line and handing it to a stream that drops it
    // (no file, no batching, no write(2)): splits the logger's formatting from its file writing
    app = fastify()
    const { fastifyPlugin } = await import('@tracewire/tracing')
    const { createLogger } = await import('@tracewire/logger')
    const logger = createLogger({ service: 'bench', stdout: false, stream: { write() {} }, handleExit: false })
    await app.register(fastifyPlugin, { logger })
  } else if (variant === 'fastify-header-only') {
    // diagnostic: a constant traceparent response header and nothing else (what the header alone costs)
    app = fastify()
    app.addHook('onRequest', (_req, reply, next) => {
      reply.header('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
      next()
    })
  } else if (variant === 'fastify-trace-only') {
    // diagnostic: the trace without any log line
    app = fastify()
    const { fastifyPlugin } = await import('@tracewire/tracing')
    await app.register(fastifyPlugin, { accessLog: false })
  } else {
    app = fastify()
  }
  app.get('/', async () => payload)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app.server.address().port
}

const port = await start()
process.on('message', (m) => {
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() })
  else if (m === 'stop') process.exit(0)
})
process.send({ port })
