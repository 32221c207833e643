import { hexByte, isAllZero } from './ids.js'
import { trimOws } from './ows.js'

/** What a B3 header carries that matters to us. */
export interface B3Trace {
  readonly traceId: string
  readonly spanId: string
  /** `true`/`false` when the caller decided, `undefined` when it deferred the decision. */
  readonly sampled: boolean | undefined
}

// B3 ids are short (at most 32 + 1 + 16 + 2 + 16 characters in the single header); longer input is refused
// before it is looked at.
const MAX_B3_LENGTH = 128

/** Lowercases `s` when it is 16 or 32 hex characters (B3 asks for lower-hex; Sleuth and Brave accept either). */
function hexId(s: string, lengths: readonly number[]): string | undefined {
  if (!lengths.includes(s.length)) return undefined
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return undefined
  }
  const id = s.toLowerCase()
  return isAllZero(id, 0, id.length) ? undefined : id
}

/** 64-bit B3 trace ids are left-padded with zeros to W3C's 128 bits, as Zipkin's own W3C bridge does. */
function padTraceId(id: string): string {
  return id.length === 16 ? '0000000000000000' + id : id
}

function sampledFrom(state: string | undefined): boolean | undefined {
  if (state === undefined || state === '') return undefined
  if (state === '1' || state === 'd' || state === 'true') return true
  if (state === '0' || state === 'false') return false
  return undefined
}

/**
 * Parses the single `b3` header: `{TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]`. A header that only
 * carries a sampling decision (`0`, `1`, `d`) has no ids and gives `undefined`. Never throws.
 */
export function parseB3Single(value: string | undefined): B3Trace | undefined {
  if (value === undefined || value.length > MAX_B3_LENGTH) return undefined
  const parts = trimOws(value).split('-')
  if (parts.length < 2 || parts.length > 4) return undefined
  const traceId = hexId(parts[0] as string, [16, 32])
  const spanId = hexId(parts[1] as string, [16])
  if (traceId === undefined || spanId === undefined) return undefined
  const state = parts[2]
  if (state !== undefined && state !== '0' && state !== '1' && state !== 'd') return undefined
  if (parts[3] !== undefined && hexId(parts[3], [16]) === undefined) return undefined
  return { traceId: padTraceId(traceId), spanId, sampled: sampledFrom(state) }
}

/** Parses the multi-header form `X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled`, `X-B3-Flags`. Never throws. */
export function parseB3Multi(
  traceIdHeader: string | undefined,
  spanIdHeader: string | undefined,
  sampledHeader: string | undefined,
  flagsHeader: string | undefined,
): B3Trace | undefined {
  if (traceIdHeader === undefined || spanIdHeader === undefined) return undefined
  if (traceIdHeader.length > MAX_B3_LENGTH || spanIdHeader.length > MAX_B3_LENGTH) return undefined
  const traceId = hexId(trimOws(traceIdHeader), [16, 32])
  const spanId = hexId(trimOws(spanIdHeader), [16])
  if (traceId === undefined || spanId === undefined) return undefined
  // X-B3-Flags: 1 is "debug", which implies sampled.
  const debug = flagsHeader !== undefined && trimOws(flagsHeader) === '1'
  const sampled = debug ? true : sampledFrom(sampledHeader === undefined ? undefined : trimOws(sampledHeader).slice(0, 8))
  return { traceId: padTraceId(traceId), spanId, sampled }
}

/** The single `b3` header value for a span. */
export function formatB3Single(traceId: string, spanId: string, traceFlags: number): string {
  return `${traceId}-${spanId}-${(traceFlags & 1) === 1 ? '1' : '0'}`
}

/** The multi-header B3 values for a span, lowercase names. */
export function formatB3Multi(traceId: string, spanId: string, traceFlags: number): Record<string, string> {
  return {
    'x-b3-traceid': traceId,
    'x-b3-spanid': spanId,
    'x-b3-sampled': hexByte(traceFlags & 1).slice(1),
  }
}
