import type { IncomingHttpHeaders } from 'node:http'
import { context, trace, type Context, type SpanContext } from '@opentelemetry/api'
import { applyAccessHooks, type AccessHooks } from './access-hooks.js'
import { requestErrorOf } from './request-errors.js'
import type { AccessLogFields, AccessLogLevel, LoggerLike, TraceContext } from './types.js'

// A user agent is client-controlled text; it is logged as a JSON string, but bounded.
const MAX_USER_AGENT_LENGTH = 512

/** The path of a request URL, without its query string. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return ''
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

/** The log level of an access line: 5xx error, 4xx and aborted warn, otherwise info. */
function accessLevel(status: number, aborted: boolean): 'error' | 'warn' | 'info' {
  if (status >= 500) return 'error'
  if (status >= 400 || aborted) return 'warn'
  return 'info'
}

/** Child bindings that carry the trace for loggers that do not read the active span themselves. */
export function traceBindings(tc: TraceContext): Record<string, string> {
  // The line contract (FORMAT.md) writes only the sampled bit, as `@tracewire/logger` does: `"01"` or `"00"`,
  // whatever other flags (W3C level 2's random bit) the traceparent carries.
  return { trace_id: tc.traceId, span_id: tc.spanId, trace_flags: tc.traceFlags & 1 ? '01' : '00' }
}

/**
 * `@tracewire/logger` puts a method under this registry symbol that writes a line for a given span context
 * (no import: the packages stay independent). Through it the access line carries the request's ids without
 * entering the request's context around the call: on Node 20 an AsyncLocalStorage switch, on Node 24 a new
 * context frame, per request (bench/http/README.md). Other loggers read the active span (a pino mixin), so
 * they still get the line inside the context.
 */
const LOG_FOR_SPAN_CONTEXT = Symbol.for('tracewire.logForSpanContext')
type LogForSpanContext = (this: LoggerLike, spanContext: SpanContext, level: string, obj: object, msg: string) => void

/** What the framework adapter knows once the response is over. */
export interface FinishedRequest {
  readonly method: string | undefined
  readonly route: string | undefined
  readonly url: string | undefined
  readonly clientIp: string | undefined
  readonly userAgent: string | string[] | undefined
}

/** A response as both frameworks expose it underneath: node's `ServerResponse`. */
interface RawResponse {
  readonly statusCode: number
  readonly writableFinished: boolean
  getHeader(name: string): number | string | string[] | undefined
  once(event: 'close', listener: () => void): unknown
}

/** A request whose middleware has access-line hooks: what they are given. Made only when hooks are set. */
export interface HookedRequest<Req, Res> {
  readonly hooks: AccessHooks<Req, Res>
  /** The framework's request and reply, as the hooks receive them. */
  readonly req: Req
  readonly res: Res
  readonly requestHeaders: IncomingHttpHeaders
  /** The headers sent: Fastify writes them with `writeHead`, so node's `getHeaders()` does not see them. */
  responseHeaders(): Readonly<Record<string, unknown>>
  /** Hooks that threw so far (`autoLogging.ignore` at the start): written as `hook_errors`. */
  readonly failed: string[]
}

/**
 * Writes one access line when the response ends: on `close`, which node emits after `finish` for a complete
 * response and alone when the client went away first (then `aborted: true`). The line carries the request's
 * span: handed to `@tracewire/logger` explicitly, or for other loggers written inside the request's context so
 * one that reads the active span (pino mixin) sees its ids.
 */
export function logOnClose<Req, Res>(
  res: RawResponse,
  log: LoggerLike,
  ctx: Context,
  tc: TraceContext,
  startedMs: number,
  describe: () => FinishedRequest,
  hooked?: HookedRequest<Req, Res>,
): void {
  res.once('close', () => {
    try {
      const info = describe()
      const aborted = !res.writableFinished
      const status = res.statusCode
      const length = res.getHeader('content-length')
      const bytes = typeof length === 'number' ? length : typeof length === 'string' ? Number(length) : undefined
      const ua = Array.isArray(info.userAgent) ? info.userAgent[0] : info.userAgent
      // Built by assignment, not spreads: this runs once per request.
      const fields: { -readonly [K in keyof AccessLogFields]: AccessLogFields[K] } = {
        method: info.method ?? '',
        path: pathOf(info.url),
        status,
        duration_ms: Math.round((performance.now() - startedMs) * 1000) / 1000,
      }
      if (info.route !== undefined) fields.route = info.route
      if (bytes !== undefined && Number.isFinite(bytes)) fields.bytes = bytes
      if (info.clientIp !== undefined) fields.client_ip = info.clientIp
      if (ua !== undefined) fields.user_agent = ua.length > MAX_USER_AGENT_LENGTH ? ua.slice(0, MAX_USER_AGENT_LENGTH) : ua
      if (tc.parentSpanId !== undefined) fields.parent_span_id = tc.parentSpanId
      if (aborted) fields.aborted = true
      let level: AccessLogLevel = accessLevel(status, aborted)
      if (hooked !== undefined) level = withHooks(hooked, res, log, level, fields as Record<string, unknown>)
      if (level === 'silent') return
      const message = aborted ? 'request aborted' : 'request completed'
      const logFor = (log as unknown as Record<symbol, LogForSpanContext | undefined>)[LOG_FOR_SPAN_CONTEXT]
      const spanContext = typeof logFor === 'function' ? trace.getSpanContext(ctx) : undefined
      if (logFor !== undefined && spanContext !== undefined) {
        logFor.call(log, spanContext, level, fields, message)
        return
      }
      const write = (log as unknown as Record<string, ((obj: object, msg: string) => void) | undefined>)[level]
      context.with(ctx, () => write?.call(log, fields, message))
    } catch {
      // Telemetry never throws into the application (a throwing custom logger included).
    }
  })
}

/** Runs the hooks into `fields`; returns the level, falling back when the logger has no such method. */
function withHooks<Req, Res>(
  hooked: HookedRequest<Req, Res>,
  res: RawResponse,
  log: LoggerLike,
  level: AccessLogLevel,
  fields: Record<string, unknown>,
): AccessLogLevel {
  const failed = hooked.failed
  let chosen = applyAccessHooks(hooked.hooks, hooked.req, hooked.res, hooked, requestErrorOf(res), level, fields, failed)
  if (chosen !== 'silent' && typeof (log as unknown as Record<string, unknown>)[chosen] !== 'function') {
    failed.push('customLogLevel')
    chosen = level
  }
  if (failed.length > 0) fields.hook_errors = failed
  return chosen
}
