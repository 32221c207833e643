/**
 * Public types of `@tracewire/tracing`.
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A parsed `traceparent` header (W3C Trace Context §3.2). */
export interface TraceParent {
  /** Two lowercase hex characters; `00` today, higher values are parsed by the forward-compatibility rules. */
  readonly version: string
  /** 32 lowercase hex characters, never all zero. */
  readonly traceId: string
  /** The caller's span id: 16 lowercase hex characters, never all zero. */
  readonly parentId: string
  /** The trace-flags byte (bit 0 `sampled`, bit 1 `random` from level 2). */
  readonly traceFlags: number
}

/** One `tracestate` list-member: `key=value` (W3C Trace Context §3.3.1). */
export interface TraceStateMember {
  readonly key: string
  readonly value: string
}

/** The trace context that is active in the current async scope. */
export interface TraceContext {
  /** 32 lowercase hex characters. */
  readonly traceId: string
  /** This service's span id: 16 lowercase hex characters. */
  readonly spanId: string
  /** trace-flags byte: bit 0 sampled, bit 1 random. */
  readonly traceFlags: number
  /** The caller's span id, when the trace was continued from a caller. */
  readonly parentSpanId?: string
  /** Vendor state carried along with the trace, already validated. */
  readonly traceState?: readonly TraceStateMember[]
}

/** Where an incoming trace came from. */
export type TraceSource = 'traceparent' | 'b3' | 'request-id'

/** A trace continued from incoming headers: the caller's ids, before this service makes its own span. */
export interface IncomingTrace {
  readonly traceId: string
  /** The caller's span id. Absent when the trace id was seeded from a request id. */
  readonly parentSpanId?: string
  readonly traceFlags: number
  readonly traceState?: readonly TraceStateMember[]
  readonly source: TraceSource
}

/** Headers as Node, Fetch-like plain objects or message brokers give them. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | number | undefined | null>>

/** Which incoming headers may continue a trace. */
export type TrustedHeader = 'traceparent' | 'b3' | 'request-id'

/** How incoming trace headers are read. */
export interface ExtractOptions {
  /**
   * Headers allowed to continue a trace, tried in this order of precedence: `traceparent` first, then B3,
   * then the request id. Default `['traceparent', 'b3']`. An empty list always starts a new trace
   * (for edge services that must not trust callers).
   */
  readonly trustedHeaders?: readonly TrustedHeader[]
  /** Header whose value seeds the trace id when `'request-id'` is trusted. Default `x-request-id`. */
  readonly requestIdHeader?: string
}

/** How outgoing trace headers are written. */
export interface InjectOptions {
  /** Also write B3 headers for callees that only speak B3: `'single'` (`b3`) or `'multi'` (`X-B3-*`). Default off. */
  readonly b3?: false | 'single' | 'multi'
}

/** A pino-style log method: fields first, then the message; or the message alone. */
export interface LogMethod {
  (obj: object, msg?: string): void
  (msg: string): void
}

/**
 * The logger handlers get as `req.log` (`@tracewire/tracing/express`): the `logger` option, or its child
 * bound to the trace. The surface of a pino logger (`@tracewire/logger`'s included) that handlers use.
 */
export interface RequestLogger {
  /** The current level label, e.g. `info`. */
  level: string
  fatal: LogMethod
  error: LogMethod
  warn: LogMethod
  info: LogMethod
  debug: LogMethod
  trace: LogMethod
  silent: LogMethod
  /** A logger with extra bindings on every line (pino's `child`). */
  child(bindings: Record<string, unknown>, options?: object): RequestLogger
  /** Whether a call at `level` would write a line. */
  isLevelEnabled(level: string): boolean
}

/** The smallest logger surface the middleware needs; any pino logger fits. */
export interface LoggerLike {
  info: LogMethod
  warn: LogMethod
  error: LogMethod
  child(bindings: Record<string, unknown>): LoggerLike
}

/** The fields of one access line, as written under the logger's bindings. */
export interface AccessLogFields {
  readonly method: string
  /** Route template (`/users/:id`) when the framework matched a route. */
  readonly route?: string
  /** Path without the query string. */
  readonly path: string
  /** Response status; for an aborted request, the status that was set when the client went away. */
  readonly status: number
  readonly duration_ms: number
  /** Body bytes from `content-length`; absent for responses sent without it (chunked). */
  readonly bytes?: number
  readonly client_ip?: string
  readonly user_agent?: string
  /** The caller's span id when the trace was continued. */
  readonly parent_span_id?: string
  /** True when the client closed the connection before the response was complete. */
  readonly aborted?: boolean
}

/** A level an access line can be written at; `silent` writes none. */
export type AccessLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/**
 * Options shared by {@link expressMiddleware} and {@link fastifyPlugin}. `Req`/`Res` are what the access-line
 * hooks receive: Express's `req`/`res`; Fastify's `request`/`reply`.
 *
 * The hooks (`customProps`, `customLogLevel`, `autoLogging.ignore`, `serializers`) are named after pino-http's.
 * A hook that throws (or returns something unusable) never fails the request and never loses the line: its
 * part falls back to the default and the line gets `hook_errors: ['<hook name>']`.
 */
export interface MiddlewareOptions<Req = IncomingMessage, Res = ServerResponse> extends ExtractOptions {
  /**
   * Logger for access lines, errors and `req.log`. Any pino logger (for example `createLogger({ service })`
   * from `@tracewire/logger`). Express: required for logging (without it only the trace is handled).
   * Fastify: defaults to Fastify's own `request.log`.
   */
  readonly logger?: LoggerLike
  /** Paths (exact match, without query) that get no access line, e.g. `['/healthz']`. They are still traced. */
  readonly skipPaths?: readonly string[]
  /** Write the access line. Default true. */
  readonly accessLog?: boolean
  /** Set `traceparent` on the response so callers and browsers can find the trace. Default true. */
  readonly responseHeader?: boolean
  /** Sampled bit for traces this service starts. Default true. */
  readonly sampled?: boolean
  /**
   * Bind `trace_id`, `span_id` and `trace_flags` into `req.log` as child bindings. Default `'auto'`: only when
   * the logger does not read the active span itself. `@tracewire/logger` (marked with `Symbol.for('tracewire.writesTraceFields')`) and loggers
   * with a pino `mixin` (OpenTelemetry's pino instrumentation) do; binding the ids too would write each key
   * twice (or, with `@tracewire/logger`, move them under `fields_clash`).
   */
  readonly bindTraceFields?: boolean | 'auto'
  /**
   * Extra fields for the access line, asked when the response ends: `(req, res) => ({ user_id: req.user?.id })`.
   * The middleware's own fields and the trace ids win over a prop of the same name.
   */
  readonly customProps?: (req: Req, res: Res) => object
  /**
   * The level of the access line, asked when the response ends; `err` is the error the request ended with
   * (seen by `expressErrorLogger` or Fastify's `onError`), else `undefined`. Default: 5xx `error`, 4xx and
   * aborted `warn`, else `info`. `'silent'` writes no line.
   */
  readonly customLogLevel?: (req: Req, res: Res, err: unknown) => AccessLogLevel
  /** `ignore(req)` true: no access line for this request (asked when it starts; it is still traced). Beside `skipPaths`. */
  readonly autoLogging?: { readonly ignore?: (req: Req) => boolean }
  /** Log the request headers as `request_headers`. Default false. Credentials are redacted (`redactHeaders`). */
  readonly requestHeaders?: boolean
  /** Log the response headers as `response_headers`. Default false. Credentials are redacted (`redactHeaders`). */
  readonly responseHeaders?: boolean
  /**
   * More header names (any case) written as `[redacted]` in `request_headers`/`response_headers`. `authorization`,
   * `cookie`, `set-cookie` and `x-api-key` always are.
   */
  readonly redactHeaders?: readonly string[]
  /** Write `req`/`res` fields on the access line from the request and response (pino-http's serializers). */
  readonly serializers?: { readonly req?: (req: Req) => unknown; readonly res?: (res: Res) => unknown }
}

/** Options of {@link propagateOutgoing}. */
export interface PropagateOptions extends InjectOptions {
  /** Intercept global `fetch` and undici through `diagnostics_channel`. Default true. */
  readonly undici?: boolean
  /** Wrap `http.request`/`http.get`/`https.request`/`https.get` (reversible). Default true. */
  readonly nodeHttp?: boolean
}

/** Options of {@link startTracing}. */
export interface StartTracingOptions {
  /** `service.name` resource attribute. Default `OTEL_SERVICE_NAME`, else the SDK's default. */
  readonly serviceName?: string
  /** OTLP/HTTP traces endpoint, e.g. `http://collector:4318/v1/traces`. Default: `OTEL_EXPORTER_OTLP_*` variables. */
  readonly otlpEndpoint?: string
  /** Extra OTLP headers (e.g. auth). Default: `OTEL_EXPORTER_OTLP_HEADERS`. */
  readonly otlpHeaders?: Readonly<Record<string, string>>
  /** Replace the exporter pipeline (tests, custom exporters): passed to `NodeSDK` as `spanProcessors`. */
  readonly spanProcessors?: readonly unknown[]
  /** Which instrumentations to enable. Default all four. */
  readonly instrumentations?: {
    readonly http?: boolean
    readonly express?: boolean
    readonly fastify?: boolean
    readonly undici?: boolean
  }
}

/** Handle returned by {@link startTracing}. */
export interface TracingHandle {
  /** Flush and stop the SDK. Idempotent. */
  shutdown(): Promise<void>
}

/** Stops what {@link propagateOutgoing} started. Idempotent. */
export type Disposer = () => void

/** The parts of an Express request the middleware reads and sets (Express 4 and 5 alike). */
export interface ExpressLikeRequest extends IncomingMessage {
  originalUrl?: string
  ip?: string
  baseUrl?: string
  route?: { path?: unknown }
  /** Set by `expressMiddleware`: a child of the `logger` option, bound to the request's trace. */
  log?: LoggerLike
  /** Set by `expressMiddleware`: the request's trace context. */
  traceContext?: TraceContext
}

/** Counters of one middleware instance, read with `stats()`. */
export interface MiddlewareStats {
  /**
   * Incoming `traceparent` headers this middleware rejected since it was made (malformed, all-zero ids,
   * version `ff`, two values...): each broke the caller's trace unless B3 or the request id continued it.
   * The reason is logged at `debug` (`traceparent rejected: version ff`), once per reason and then at most once
   * a minute per reason. Not counted while an OpenTelemetry SDK span is recording (the SDK reads the headers).
   */
  readonly rejectedTraceparent: number
}

/** The Express middleware (request, response, next) returned by `expressMiddleware`. */
export interface ExpressMiddleware {
  (req: ExpressLikeRequest, res: ServerResponse, next: (err?: unknown) => void): void
  /** This middleware's counters (see {@link MiddlewareStats}). */
  stats(): MiddlewareStats
}
/** An Express error middleware (error, request, response, next). */
export type ExpressErrorMiddleware = (
  err: unknown,
  req: ExpressLikeRequest,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void
