/**
 * `@tracewire/tracing/express`: the Express (4 and 5) middleware and the types of `req.log` and
 * `req.traceContext`. Only this entry's types mention Express, so a Fastify-only or framework-free
 * project never needs Express's types.
 * @packageDocumentation
 */
import type { RequestLogger, TraceContext } from './types.js'

export { expressMiddleware, expressErrorLogger } from './express.js'
export type {
  AccessLogFields,
  AccessLogLevel,
  ExpressErrorMiddleware,
  ExpressLikeRequest,
  ExpressMiddleware,
  LoggerLike,
  LogMethod,
  MiddlewareOptions,
  MiddlewareStats,
  RequestLogger,
  TraceContext,
} from './types.js'

declare module 'express-serve-static-core' {
  interface Request {
    /**
     * Set by `expressMiddleware({ logger })`: the logger bound to this request's trace (a child of
     * `logger`, so it has every method of the logger you passed). Not set when no `logger` is given.
     */
    log: RequestLogger
    /** Set by `expressMiddleware`: the trace context of this request. */
    traceContext: TraceContext
  }
}
