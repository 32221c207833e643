import { parseB3Multi, parseB3Single } from './b3.js'
import { traceIdFromRequestId } from './request-id.js'
import { checkTraceparent, type TraceparentRejection } from './traceparent.js'
import { parseTracestate } from './tracestate.js'
import type { ExtractOptions, HeaderBag, IncomingTrace, TrustedHeader } from './types.js'
import { TracingError } from './errors.js'
import { refuseUnknownOptions } from './unknown-options.js'

const SAMPLED = 0x01
const DEFAULT_TRUSTED: readonly TrustedHeader[] = ['traceparent', 'b3']
// Typed against the interface, so an option added there and forgotten here is a compile error.
const EXTRACT_OPTIONS: Record<keyof ExtractOptions, true> = { trustedHeaders: true, requestIdHeader: true }

/** Options resolved once at construction. */
export interface ResolvedExtract {
  readonly traceparent: boolean
  readonly b3: boolean
  readonly requestIdHeader: string | undefined
}

/** Validates extract options; throws {@link TracingError} `TW_TRACING_INVALID_OPTION` on a bad value. */
export function resolveExtractOptions(options: ExtractOptions = {}): ResolvedExtract {
  const trusted = options.trustedHeaders ?? DEFAULT_TRUSTED
  if (!Array.isArray(trusted)) {
    throw new TracingError('TW_TRACING_INVALID_OPTION', `trustedHeaders must be an array, received ${typeof trusted}`)
  }
  for (const t of trusted) {
    if (t !== 'traceparent' && t !== 'b3' && t !== 'request-id') {
      throw new TracingError(
        'TW_TRACING_INVALID_OPTION',
        `trustedHeaders: unknown entry ${JSON.stringify(t)}; allowed: 'traceparent', 'b3', 'request-id'`,
      )
    }
  }
  const header = options.requestIdHeader ?? 'x-request-id'
  if (typeof header !== 'string' || header.length === 0) {
    throw new TracingError('TW_TRACING_INVALID_OPTION', 'requestIdHeader must be a non-empty header name')
  }
  return {
    traceparent: trusted.includes('traceparent'),
    b3: trusted.includes('b3'),
    requestIdHeader: trusted.includes('request-id') ? header.toLowerCase() : undefined,
  }
}

type RawHeader = string | readonly string[] | undefined

/**
 * Reads a header by lowercase name. Node lowercases incoming header names, so `lowercased` skips the
 * case-insensitive scan that plain objects (message headers, fetch-style records) may need.
 */
function read(headers: HeaderBag, name: string, lowercased: boolean): RawHeader {
  const v = headers[name]
  if (v !== undefined || lowercased) return normalise(v)
  for (const key of Object.keys(headers)) {
    if (key.length === name.length && key.toLowerCase() === name) return normalise(headers[key])
  }
  return undefined
}

function normalise(v: HeaderBag[string]): RawHeader {
  if (typeof v === 'string') return v
  if (Array.isArray(v)) return v as readonly string[]
  return undefined
}

/** A single value: B3 and request-id headers repeated are ambiguous, so only one value is read. */
function single(v: RawHeader): string | undefined {
  if (typeof v === 'string') return v
  return v !== undefined && v.length === 1 ? v[0] : undefined
}

/**
 * Reads the trace a caller sent, from the trusted headers only: a valid `traceparent` (with its
 * `tracestate`); otherwise B3 (single `b3`, then `X-B3-*`); otherwise the request id as a trace id seed.
 * Returns `undefined` when nothing valid arrived: the caller then starts a new trace. An invalid
 * `traceparent` also discards `tracestate` (W3C §3.3.1.4). Header names are case-insensitive. Never throws
 * for headers; throws {@link TracingError} `TW_TRACING_INVALID_OPTION` for invalid or unknown option names
 * (checked before the headers, so a misspelt option fails on the first call, not only on a lucky one).
 */
export function extractTraceContext(headers: HeaderBag | undefined | null, options?: ExtractOptions): IncomingTrace | undefined {
  if (options !== undefined) refuseUnknownOptions(options, EXTRACT_OPTIONS, 'extractTraceContext options')
  const resolved = resolveExtractOptions(options)
  if (headers == null || typeof headers !== 'object') return undefined
  return extractResolved(headers, resolved, false)
}

/**
 * {@link extractTraceContext} with options resolved once (the middleware's hot path). `onRejected` hears why
 * a `traceparent` that was sent was dropped (B3 or the request id may still continue the trace).
 */
export function extractResolved(
  headers: HeaderBag,
  opts: ResolvedExtract,
  lowercased: boolean,
  onRejected?: (reason: TraceparentRejection) => void,
): IncomingTrace | undefined {
  if (opts.traceparent) {
    const parent = checkTraceparent(read(headers, 'traceparent', lowercased))
    if (typeof parent === 'string') onRejected?.(parent)
    else if (parent !== undefined) {
      const raw = read(headers, 'tracestate', lowercased)
      // A broken tracestate is dropped on its own; it never invalidates the traceparent (§3.3.1.4).
      const state = raw === undefined ? undefined : parseTracestate(raw)
      return {
        traceId: parent.traceId,
        parentSpanId: parent.parentId,
        traceFlags: parent.traceFlags,
        ...(state !== undefined && state.length > 0 ? { traceState: state } : {}),
        source: 'traceparent',
      }
    }
  }
  if (opts.b3) {
    const b3 =
      parseB3Single(single(read(headers, 'b3', lowercased))) ??
      parseB3Multi(
        single(read(headers, 'x-b3-traceid', lowercased)),
        single(read(headers, 'x-b3-spanid', lowercased)),
        single(read(headers, 'x-b3-sampled', lowercased)),
        single(read(headers, 'x-b3-flags', lowercased)),
      )
    if (b3 !== undefined) {
      return {
        traceId: b3.traceId,
        parentSpanId: b3.spanId,
        traceFlags: b3.sampled === false ? 0 : SAMPLED,
        source: 'b3',
      }
    }
  }
  if (opts.requestIdHeader !== undefined) {
    const traceId = traceIdFromRequestId(single(read(headers, opts.requestIdHeader, lowercased)))
    if (traceId !== undefined) return { traceId, traceFlags: SAMPLED, source: 'request-id' }
  }
  return undefined
}
