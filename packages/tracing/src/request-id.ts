import { createHash } from 'node:crypto'
import { isAllZero } from './ids.js'
import { trimOws } from './ows.js'

// A request id is an opaque string of any shape; we only hash what a proxy could reasonably send.
const MAX_REQUEST_ID_LENGTH = 1024

function isHex(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) | 0x20
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/**
 * Maps a request id (`X-Request-Id`) to a 32-hex trace id, so that the id a proxy or a client logged finds
 * the trace:
 * - 32 hex characters (any case): used as is, lowercased;
 * - a UUID (`8-4-4-4-12` hex): its 32 hex digits, lowercased (so `x-request-id` and `trace_id` show the
 *   same digits);
 * - anything else: the first 32 hex characters of its SHA-256 (stable: the same request id always gives
 *   the same trace id).
 * Returns `undefined` for an empty value or one over 1,024 characters. Never throws.
 */
export function traceIdFromRequestId(value: string | undefined): string | undefined {
  if (value === undefined || value.length > MAX_REQUEST_ID_LENGTH) return undefined
  const s = trimOws(value)
  if (s.length === 0) return undefined
  let id: string | undefined
  if (s.length === 32 && isHex(s, 0, 32)) {
    id = s.toLowerCase()
  } else if (
    s.length === 36 &&
    s[8] === '-' && s[13] === '-' && s[18] === '-' && s[23] === '-' &&
    isHex(s, 0, 8) && isHex(s, 9, 13) && isHex(s, 14, 18) && isHex(s, 19, 23) && isHex(s, 24, 36)
  ) {
    id = (s.slice(0, 8) + s.slice(9, 13) + s.slice(14, 18) + s.slice(19, 23) + s.slice(24)).toLowerCase()
  }
  if (id === undefined || isAllZero(id, 0, 32)) {
    id = createHash('sha256').update(s).digest('hex').slice(0, 32)
  }
  return id
}
