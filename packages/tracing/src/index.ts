/**
 * `@tracewire/tracing`: W3C Trace Context over HTTP (traceparent, tracestate, B3), the trace context,
 * outgoing propagation and `startTracing`. The framework middleware lives in `@tracewire/tracing/express`
 * and `@tracewire/tracing/fastify`; the root re-exports below are deprecated.
 * @packageDocumentation
 */
export { parseTraceparent, formatTraceparent, MAX_TRACEPARENT_LENGTH } from './traceparent.js'
export {
  parseTracestate,
  serializeTracestate,
  MAX_TRACESTATE_MEMBERS,
  MAX_TRACESTATE_SEND_LENGTH,
} from './tracestate.js'
export { traceIdFromRequestId } from './request-id.js'
export { extractTraceContext } from './extract.js'
export { injectTraceHeaders } from './inject.js'
export { getTraceContext, withTraceContext, startTraceContext } from './context.js'
export { expressMiddleware, expressErrorLogger, fastifyPlugin } from './deprecated-root-exports.js'
export type { FrameworkFreeFastifyPlugin } from './deprecated-root-exports.js'
export { propagateOutgoing } from './outgoing.js'
export { startTracing } from './sdk.js'
export { TracingError } from './errors.js'
export type { TracingErrorCode } from './errors.js'
export type {
  AccessLogFields,
  AccessLogLevel,
  Disposer,
  ExpressErrorMiddleware,
  ExpressLikeRequest,
  ExpressMiddleware,
  ExtractOptions,
  HeaderBag,
  IncomingTrace,
  InjectOptions,
  LoggerLike,
  LogMethod,
  MiddlewareOptions,
  MiddlewareStats,
  PropagateOptions,
  RequestLogger,
  StartTracingOptions,
  TraceContext,
  TraceParent,
  TraceSource,
  TraceStateMember,
  TracingHandle,
  TrustedHeader,
} from './types.js'
