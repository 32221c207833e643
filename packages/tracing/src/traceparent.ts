import { hexByte, isAllZero, isLowerHex } from './ids.js'
import { trimOws } from './ows.js'
import type { TraceParent } from './types.js'

/**
 * Longest `traceparent` value we read. Version 00 is exactly 55 characters; future versions may append
 * fields, and the Recommendation asks to "only disallow prohibitively large headers". Anything longer is
 * rejected before it is scanned, in constant time.
 */
export const MAX_TRACEPARENT_LENGTH = 512

const V00_LENGTH = 55
/** Bits of trace-flags defined by level 1 (sampled) and level 2 (random); others are not forwarded. */
const KNOWN_FLAGS = 0x03

/**
 * Why a `traceparent` value was rejected: a fixed set of short phrases (never the value itself, which is
 * caller-controlled), so they are safe to log and bound any per-reason bookkeeping.
 */
export type TraceparentRejection =
  | 'not a string'
  | 'multiple values'
  | 'too long'
  | 'too short'
  | 'malformed version'
  | 'version ff'
  | 'version 00 with extra fields'
  | 'malformed future version'
  | 'malformed trace id'
  | 'all-zero trace id'
  | 'malformed parent id'
  | 'all-zero parent id'
  | 'malformed flags'

/**
 * {@link parseTraceparent} that says why it rejected a value: the parsed header, or the reason. `undefined`
 * when there was no header at all (nothing was rejected).
 */
export function checkTraceparent(value: string | readonly string[] | undefined | null): TraceParent | TraceparentRejection | undefined {
  if (value == null) return undefined
  if (typeof value !== 'string') {
    // Two traceparent headers: the Recommendation lets a vendor pick neither (harness: traceparent_duplicated).
    if (!Array.isArray(value)) return 'not a string'
    if (value.length !== 1) return 'multiple values'
    const only: unknown = value[0]
    if (typeof only !== 'string') return 'not a string'
    value = only
  }
  if (value.length > MAX_TRACEPARENT_LENGTH) return 'too long'
  const s = trimOws(value)
  if (s.length < V00_LENGTH) return 'too short'

  if (!isLowerHex(s, 0, 2) || s.charCodeAt(2) !== 45 /* - */) return 'malformed version'
  const version = s.slice(0, 2)
  if (version === 'ff') return 'version ff'
  if (version === '00') {
    if (s.length !== V00_LENGTH) return s.includes(',') ? 'multiple values' : 'version 00 with extra fields'
  } else if (s.length > V00_LENGTH && s.charCodeAt(V00_LENGTH) !== 45) {
    return 'malformed future version'
  } else if (s.includes(',')) {
    // Two comma-joined values of a future version: not one traceparent.
    return 'multiple values'
  }

  if (!isLowerHex(s, 3, 32) || s.charCodeAt(35) !== 45) return 'malformed trace id'
  if (isAllZero(s, 3, 32)) return 'all-zero trace id'
  if (!isLowerHex(s, 36, 16) || s.charCodeAt(52) !== 45) return 'malformed parent id'
  if (isAllZero(s, 36, 16)) return 'all-zero parent id'
  if (!isLowerHex(s, 53, 2)) return 'malformed flags'

  return {
    version,
    traceId: s.slice(3, 35),
    parentId: s.slice(36, 52),
    traceFlags: Number.parseInt(s.slice(53, 55), 16),
  }
}

/**
 * Parses a `traceparent` header value by the W3C Trace Context Recommendation (§3.2, §3.2.4 versioning).
 *
 * Returns `undefined` (start a new trace) for anything invalid: wrong length, non-hex or uppercase hex,
 * version `ff`, all-zero trace or parent id, version `00` with extra fields, more than one value (an array
 * with two entries or values joined by a comma), or a value over {@link MAX_TRACEPARENT_LENGTH}.
 * Surrounding spaces and tabs are accepted. A future version is parsed by §3.2.4: the first 55 characters
 * must follow the version-00 layout and be followed by the end or a `-`; its extra fields are dropped.
 * Never throws.
 */
export function parseTraceparent(value: string | readonly string[] | undefined | null): TraceParent | undefined {
  const checked = checkTraceparent(value)
  return typeof checked === 'string' ? undefined : checked
}

/**
 * Formats a version-`00` `traceparent` value. We always send `00`, whatever version arrived (§3.2.4), and
 * only the flags we understand (sampled, random). The ids are written as given: callers pass validated ids.
 */
export function formatTraceparent(ctx: { traceId: string; spanId: string; traceFlags: number }): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${hexByte(ctx.traceFlags & KNOWN_FLAGS)}`
}
