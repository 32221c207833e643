import type { IncomingHttpHeaders } from 'node:http'
import { TracingError } from './errors.js'
import type { AccessLogLevel, MiddlewareOptions } from './types.js'
import { refuseUnknownOptions } from './unknown-options.js'

/**
 * Header names always written as `[redacted]` when headers are logged: they carry credentials, and the
 * access line goes to a shared log store.
 */
export const ALWAYS_REDACTED_HEADERS: readonly string[] = ['authorization', 'cookie', 'set-cookie', 'x-api-key']
const REDACTED = '[redacted]'
const LEVELS: ReadonlySet<string> = new Set<AccessLogLevel>(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
/** The ids the logger writes itself; a custom prop of the same name would write the key twice. */
const TRACE_KEYS: ReadonlySet<string> = new Set(['trace_id', 'span_id', 'trace_flags'])

const AUTO_LOGGING_OPTIONS: Record<'ignore', true> = { ignore: true }
const SERIALIZER_OPTIONS: Record<'req' | 'res', true> = { req: true, res: true }

/** The access-line hooks of one middleware, validated once; `undefined` when none is set (the fast path). */
export interface AccessHooks<Req, Res> {
  readonly customProps: ((req: Req, res: Res) => object) | undefined
  readonly customLogLevel: ((req: Req, res: Res, err: unknown) => AccessLogLevel) | undefined
  readonly ignore: ((req: Req) => boolean) | undefined
  readonly requestHeaders: boolean
  readonly responseHeaders: boolean
  /** Lowercase names: {@link ALWAYS_REDACTED_HEADERS} plus `redactHeaders`. */
  readonly redact: ReadonlySet<string>
  readonly serializeReq: ((req: Req) => unknown) | undefined
  readonly serializeRes: ((res: Res) => unknown) | undefined
}

function fn<T>(name: string, value: unknown): T | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw new TracingError('TW_TRACING_INVALID_OPTION', `${name} must be a function, received ${typeof value}`)
  return value as T
}

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw new TracingError('TW_TRACING_INVALID_OPTION', `${name} must be a boolean, received ${typeof value}`)
  return value
}

/** Validates the hook options; throws {@link TracingError} `TW_TRACING_INVALID_OPTION`. */
export function resolveAccessHooks<Req, Res>(options: MiddlewareOptions<Req, Res>): AccessHooks<Req, Res> | undefined {
  const { customProps, customLogLevel, autoLogging, requestHeaders, responseHeaders, redactHeaders, serializers } = options
  if (
    customProps === undefined && customLogLevel === undefined && autoLogging === undefined && requestHeaders === undefined &&
    responseHeaders === undefined && redactHeaders === undefined && serializers === undefined
  ) return undefined
  if (autoLogging !== undefined) refuseUnknownOptions(autoLogging, AUTO_LOGGING_OPTIONS, 'autoLogging')
  if (serializers !== undefined) refuseUnknownOptions(serializers, SERIALIZER_OPTIONS, 'serializers')
  const extra = redactHeaders ?? []
  if (!Array.isArray(extra) || extra.some((h) => typeof h !== 'string')) {
    throw new TracingError('TW_TRACING_INVALID_OPTION', 'redactHeaders must be an array of header names')
  }
  return {
    customProps: fn('customProps', customProps),
    customLogLevel: fn('customLogLevel', customLogLevel),
    ignore: fn('autoLogging.ignore', autoLogging?.ignore),
    requestHeaders: flag('requestHeaders', requestHeaders),
    responseHeaders: flag('responseHeaders', responseHeaders),
    redact: new Set([...ALWAYS_REDACTED_HEADERS, ...extra.map((h) => h.toLowerCase())]),
    serializeReq: fn('serializers.req', serializers?.req),
    serializeRes: fn('serializers.res', serializers?.res),
  }
}

/**
 * `autoLogging.ignore(req)`, asked once when the request starts. A predicate that throws does not lose the
 * line: the request is logged, with the hook named in `hook_errors`.
 */
export function isIgnored<Req, Res>(hooks: AccessHooks<Req, Res>, req: Req, failed: string[]): boolean {
  if (hooks.ignore === undefined) return false
  try {
    return hooks.ignore(req) === true
  } catch {
    failed.push('autoLogging.ignore')
    return false
  }
}

function redacted(headers: Readonly<Record<string, unknown>>, redact: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  // Node gives lowercase names for both; a user-built object may not, so compare lowercased.
  for (const [name, value] of Object.entries(headers)) out[name] = redact.has(name.toLowerCase()) ? REDACTED : value
  return out
}

/** What the line gets from the hooks: the fields are added to `fields`; returns the level to write at. */
export function applyAccessHooks<Req, Res>(
  hooks: AccessHooks<Req, Res>,
  req: Req,
  res: Res,
  raw: { readonly requestHeaders: IncomingHttpHeaders; responseHeaders(): Readonly<Record<string, unknown>> },
  err: unknown,
  defaultLevel: AccessLogLevel,
  fields: Record<string, unknown>,
  failed: string[],
): AccessLogLevel {
  // Each hook runs alone: one that throws (or returns the wrong thing) loses only its own part of the line.
  if (hooks.customProps !== undefined) {
    try {
      const props = hooks.customProps(req, res)
      if (typeof props !== 'object' || props === null) throw new TypeError('customProps must return an object')
      // The middleware's own fields win; the trace keys belong to the logger (a second copy breaks the line).
      for (const key of Object.keys(props)) {
        if (!TRACE_KEYS.has(key) && !Object.hasOwn(fields, key)) fields[key] = (props as Record<string, unknown>)[key]
      }
    } catch {
      failed.push('customProps')
    }
  }
  if (hooks.requestHeaders) fields.request_headers = redacted(raw.requestHeaders, hooks.redact)
  if (hooks.responseHeaders) {
    try {
      fields.response_headers = redacted(raw.responseHeaders(), hooks.redact)
    } catch {
      failed.push('responseHeaders')
    }
  }
  if (hooks.serializeReq !== undefined) {
    try {
      fields.req = hooks.serializeReq(req)
    } catch {
      failed.push('serializers.req')
    }
  }
  if (hooks.serializeRes !== undefined) {
    try {
      fields.res = hooks.serializeRes(res)
    } catch {
      failed.push('serializers.res')
    }
  }
  if (hooks.customLogLevel === undefined) return defaultLevel
  try {
    const level = hooks.customLogLevel(req, res, err)
    if (typeof level === 'string' && LEVELS.has(level)) return level
    failed.push('customLogLevel')
  } catch {
    failed.push('customLogLevel')
  }
  return defaultLevel
}
