import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { context } from '@opentelemetry/api'
import { isIgnored } from './access-hooks.js'
import { logOnClose, pathOf, traceBindings } from './access-log.js'
import { recordRequestError } from './request-errors.js'
import { ensureContextManager, requestContext, type RequestScope } from './context.js'
import { extractResolved } from './extract.js'
import { resolveMiddlewareOptions, shouldBindTraceFields, type ResolvedMiddleware } from './middleware-options.js'
import { formatTraceparent } from './traceparent.js'
import { TraceparentRejections } from './traceparent-rejections.js'
import type { LoggerLike, MiddlewareOptions, TraceContext } from './types.js'

// `request.traceContext` is declared for users in fastify-entry.ts; inside, the decoration is typed here.
type TracedRequest = { traceContext: TraceContext | null }

const plugin: FastifyPluginCallback<MiddlewareOptions<FastifyRequest, FastifyReply>> = (fastify, options, done) => {
  let o: ResolvedMiddleware<FastifyRequest, FastifyReply>
  try {
    o = resolveMiddlewareOptions(options)
  } catch (err) {
    // A callback plugin reports through done(): thrown, the error escapes Fastify and ready() hangs.
    done(err as Error)
    return
  }
  ensureContextManager()
  const ownLogger = o.logger
  const bindOwn = ownLogger !== undefined && shouldBindTraceFields(ownLogger, o.bindTraceFields)
  // Fastify's own logger is the same object for every request's child; decide for it once.
  let bindFastify: boolean | undefined
  const rejections = new TraceparentRejections()

  fastify.decorateRequest('traceContext', null)
  // One plugin per app is the norm; a second registration keeps the first one's counters readable.
  if (!fastify.hasDecorator('tracewireStats')) {
    fastify.decorate('tracewireStats', () => ({ rejectedTraceparent: rejections.total }))
  }

  fastify.addHook('onRequest', (request, reply, next) => {
    const startedMs = performance.now()
    let scope: RequestScope
    try {
      scope = requestContext(() => extractResolved(request.headers, o.extract, true, rejections.note), o.sampled)
      const rejected = rejections.take()
      const tc = scope.trace
      ;(request as unknown as TracedRequest).traceContext = tc
      if (o.responseHeader) reply.header('traceparent', formatTraceparent(tc))
      let log: LoggerLike
      if (ownLogger !== undefined) {
        log = bindOwn ? ownLogger.child(traceBindings(tc)) : ownLogger
      } else {
        bindFastify ??= shouldBindTraceFields(request.log as LoggerLike, o.bindTraceFields)
        log = bindFastify ? (request.log as LoggerLike).child(traceBindings(tc)) : (request.log as LoggerLike)
      }
      // Fastify's own lines ("request completed", its error log) go through reply.log: bind both.
      request.log = log as typeof request.log
      reply.log = log as typeof reply.log
      if (rejected !== undefined) context.with(scope.logCtx, () => rejections.report(rejected, log))
      const raw = request.raw
      // Only with hooks set: the hooks' view of the request and the names of those that threw.
      const hookRun =
        o.hooks === undefined
          ? undefined
          : { hooks: o.hooks, req: request, res: reply, requestHeaders: raw.headers, responseHeaders: () => reply.getHeaders(), failed: [] as string[] }
      if (o.accessLog && !o.skipPaths.has(pathOf(raw.url)) && (hookRun === undefined || !isIgnored(hookRun.hooks, request, hookRun.failed))) {
        logOnClose(reply.raw, log, scope.logCtx, tc, startedMs, () => ({
          method: raw.method,
          // `routeOptions` (4.10+) when present: reading `routerPath` on later 4.x prints FSTDEP017.
          route: request.routeOptions !== undefined ? request.routeOptions.url : (request as unknown as { routerPath?: string }).routerPath,
          url: raw.url,
          clientIp: request.ip,
          userAgent: raw.headers['user-agent'],
        }), hookRun)
      }
      // The body parser listens to the raw stream, which resumes in the socket's context.
      if (scope.own && (raw.headers['content-length'] !== undefined || raw.headers['transfer-encoding'] !== undefined)) {
        context.bind(scope.ctx, raw)
      }
    } catch {
      next()
      return
    }
    context.with(scope.ctx, next)
  })

  // With Fastify's own logger, Fastify logs errors itself (through reply.log, now trace-bound); a separate
  // logger gets them here, once. customLogLevel(req, res, err) needs the error either way.
  if (ownLogger !== undefined || o.hooks?.customLogLevel !== undefined) {
    fastify.addHook('onError', (request, reply, error, next) => {
      try {
        recordRequestError(reply.raw, error)
        if (ownLogger !== undefined) (request.log as LoggerLike).error({ err: error }, 'request error')
      } catch {
        // never throw into the application
      }
      next()
    })
  }
  done()
}

/**
 * Fastify (4 and 5) plugin: `await app.register(fastifyPlugin, { logger })`. Continues the caller's trace (or
 * starts one) for the whole request lifecycle, sets the `traceparent` response header, replaces
 * `request.log`/`reply.log` with a logger bound to the trace, decorates `request.traceContext`, writes one
 * access line per request when it completes or is aborted, and logs errors with their stack and ids.
 * Decorates the app with `tracewireStats()`, this plugin's counters ({@link MiddlewareStats}).
 *
 * Without `logger`, Fastify's own logger is used (it can be tracewire's: `Fastify({ loggerInstance })` in v5,
 * `Fastify({ logger })` in v4). Fastify's own `incoming request`/`request completed` lines then come too;
 * spread `requestLoggingOff(Fastify)` into Fastify's options to keep one line per request.
 */
export const fastifyPlugin = fp(plugin, { name: '@tracewire/tracing', fastify: '4.x || 5.x' })
