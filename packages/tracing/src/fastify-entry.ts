/**
 * `@tracewire/tracing/fastify`: the Fastify (4 and 5) plugin and the type of `request.traceContext`.
 * Only this entry's types mention Fastify (an optional peer dependency), so an Express-only project
 * compiles without Fastify installed.
 * @packageDocumentation
 */
import type { MiddlewareStats, TraceContext } from './types.js'

export { fastifyPlugin } from './fastify.js'
export { requestLoggingOff } from './fastify-request-logging.js'
export type { RequestLoggingOptions } from './fastify-request-logging.js'
export type { AccessLogFields, AccessLogLevel, LoggerLike, LogMethod, MiddlewareOptions, MiddlewareStats, TraceContext } from './types.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's trace context, set by `fastifyPlugin`. */
    traceContext: TraceContext | null
  }
  interface FastifyInstance {
    /** Counters of `fastifyPlugin` (e.g. rejected `traceparent` headers), set when it is registered. */
    tracewireStats(): MiddlewareStats
  }
}
