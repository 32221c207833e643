import { TracingError } from './errors.js'
import { resolveExtractOptions, type ResolvedExtract } from './extract.js'
import { resolveAccessHooks, type AccessHooks } from './access-hooks.js'
import type { LoggerLike, MiddlewareOptions } from './types.js'
import { refuseUnknownOptions } from './unknown-options.js'

// Typed against the interface, so an option added there and forgotten here is a compile error.
const MIDDLEWARE_OPTIONS: Record<keyof MiddlewareOptions, true> = {
  logger: true, skipPaths: true, accessLog: true, responseHeader: true, sampled: true, bindTraceFields: true,
  trustedHeaders: true, requestIdHeader: true, customProps: true, customLogLevel: true, autoLogging: true,
  requestHeaders: true, responseHeaders: true, redactHeaders: true, serializers: true,
}
/** Fastify hands a plugin the options of `register()`, including its own reserved names. */
const FASTIFY_REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers']

/** Middleware options validated once, at construction. */
export interface ResolvedMiddleware<Req, Res> {
  readonly extract: ResolvedExtract
  /** `undefined` when no hook is set: the per-request path then does no hook work at all. */
  readonly hooks: AccessHooks<Req, Res> | undefined
  readonly logger: LoggerLike | undefined
  readonly skipPaths: ReadonlySet<string>
  readonly accessLog: boolean
  readonly responseHeader: boolean
  readonly sampled: boolean
  readonly bindTraceFields: boolean | 'auto'
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') {
    throw new TracingError('TW_TRACING_INVALID_OPTION', `${name} must be a boolean, received ${typeof value}`)
  }
  return value
}

/** Validates {@link MiddlewareOptions}; throws {@link TracingError} `TW_TRACING_INVALID_OPTION`. */
export function resolveMiddlewareOptions<Req, Res>(options: MiddlewareOptions<Req, Res> = {}): ResolvedMiddleware<Req, Res> {
  refuseUnknownOptions(options, MIDDLEWARE_OPTIONS, 'middleware options', FASTIFY_REGISTER_OPTIONS)
  const { logger } = options
  if (logger !== undefined && (typeof logger !== 'object' || logger === null || typeof logger.child !== 'function' || typeof logger.info !== 'function')) {
    throw new TracingError('TW_TRACING_INVALID_OPTION', 'logger must be a pino-compatible logger (with info/warn/error/child)')
  }
  const skip = options.skipPaths ?? []
  if (!Array.isArray(skip) || skip.some((p) => typeof p !== 'string')) {
    throw new TracingError('TW_TRACING_INVALID_OPTION', 'skipPaths must be an array of path strings')
  }
  const bindTraceFields = options.bindTraceFields ?? 'auto'
  if (bindTraceFields !== 'auto' && typeof bindTraceFields !== 'boolean') {
    throw new TracingError('TW_TRACING_INVALID_OPTION', `bindTraceFields must be true, false or 'auto'`)
  }
  return {
    extract: resolveExtractOptions(options),
    hooks: resolveAccessHooks(options),
    logger,
    skipPaths: new Set(skip),
    accessLog: bool('accessLog', options.accessLog, true),
    responseHeader: bool('responseHeader', options.responseHeader, true),
    sampled: bool('sampled', options.sampled, true),
    bindTraceFields,
  }
}

function symbolNamed(o: object, description: string): symbol | undefined {
  for (const sym of Object.getOwnPropertySymbols(o)) if (sym.description === description) return sym
  return undefined
}

/** Set by `@tracewire/logger` on its loggers (inherited by children): lines already carry the span's ids. */
const WRITES_TRACE_FIELDS = Symbol.for('tracewire.writesTraceFields')

/**
 * True when the logger writes trace ids itself: `@tracewire/logger` (its marker symbol), or a pino `mixin`
 * (OpenTelemetry's pino instrumentation and hand-written span mixins), found by pino's private symbol
 * description so pino need not be loaded here.
 */
function readsActiveSpan(logger: object): boolean {
  if ((logger as Record<symbol, unknown>)[WRITES_TRACE_FIELDS] === true) return true
  for (let o: object | null = logger; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    const mixin = symbolNamed(o, 'pino.mixin')
    if (mixin !== undefined && typeof (o as Record<symbol, unknown>)[mixin] === 'function') return true
  }
  return false
}

/** Whether `req.log` gets the trace ids as child bindings (see `bindTraceFields`). */
export function shouldBindTraceFields(logger: LoggerLike, setting: boolean | 'auto'): boolean {
  return setting === 'auto' ? !readsActiveSpan(logger) : setting
}
