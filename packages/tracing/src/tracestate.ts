import { isOws } from './ows.js'
import type { TraceStateMember } from './types.js'

/** At most 32 list-members (W3C Trace Context §3.3.1.1). */
export const MAX_TRACESTATE_MEMBERS = 32
/** Vendors propagate at least 512 characters of combined header (§3.3.1.5); we never send more. */
export const MAX_TRACESTATE_SEND_LENGTH = 512
/** Entries above this size are the first dropped when the header must be shortened (§3.3.1.5). */
const LARGE_MEMBER_LENGTH = 128
/**
 * Longest combined `tracestate` we read: 32 members of a 256-character key and a 256-character value plus
 * separators fit in 16,448 characters; anything larger cannot be valid and is dropped unscanned.
 */
export const MAX_TRACESTATE_INPUT_LENGTH = 32 * (256 + 1 + 256) + 31 * 3 + 16

function isLcAlpha(c: number): boolean {
  return c >= 97 && c <= 122
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}
/** keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@" */
function isKeyChar(c: number): boolean {
  return isLcAlpha(c) || isDigit(c) || c === 95 || c === 45 || c === 42 || c === 47 || c === 64
}

/**
 * key = ( lcalpha / DIGIT ) 0*255 ( keychar ), W3C Trace Context Level 2 §3.3.1.3.1. Level 1's split into
 * simple-key and multi-tenant-key (tenant at most 241, system id at most 14 characters, one `@`) is gone:
 * `@` is one more key character, allowed anywhere after the first.
 */
function isValidTracestateKey(key: string): boolean {
  if (key.length < 1 || key.length > 256) return false
  const first = key.charCodeAt(0)
  if (!isLcAlpha(first) && !isDigit(first)) return false
  for (let i = 1; i < key.length; i++) if (!isKeyChar(key.charCodeAt(i))) return false
  return true
}

/**
 * value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
 * (printable ASCII without `,` and `=`, not ending in a space).
 */
function isValidTracestateValue(value: string): boolean {
  if (value.length < 1 || value.length > 256) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false
  }
  return value.charCodeAt(value.length - 1) !== 0x20
}

/**
 * Parses one or more `tracestate` header values (several headers are one list, in order; §3.3.1.1).
 *
 * Returns the members in order, or `undefined` when the header must be discarded as a whole: a member
 * that does not match the grammar, more than 32 members, or input over {@link MAX_TRACESTATE_INPUT_LENGTH}.
 * Empty list-members and spaces/tabs around members are allowed. An absent or empty header gives `[]`.
 * A key that appears again is dropped, not the header: only one entry per key is allowed (§3.3.1.4), the
 * left-most being the most recent position, and any entry MAY be deleted (§3.5), whereas discarding the
 * whole list would break every other vendor's correlation. Never throws.
 */
export function parseTracestate(value: string | readonly string[] | undefined | null): TraceStateMember[] | undefined {
  if (value == null) return []
  let s: string
  if (typeof value === 'string') {
    s = value
  } else if (Array.isArray(value)) {
    let total = 0
    for (const part of value as readonly unknown[]) {
      if (typeof part !== 'string') return undefined
      total += part.length + 1
      if (total > MAX_TRACESTATE_INPUT_LENGTH) return undefined
    }
    s = value.join(',')
  } else {
    return undefined
  }
  if (s.length > MAX_TRACESTATE_INPUT_LENGTH) return undefined

  const members: TraceStateMember[] = []
  const seen = new Set<string>()
  // Counted as received, duplicates included: the limit is on the list's members (§3.3.1.1).
  let count = 0
  let start = 0
  while (start <= s.length) {
    let end = s.indexOf(',', start)
    if (end === -1) end = s.length
    let a = start
    let b = end
    while (a < b && isOws(s.charCodeAt(a))) a++
    while (b > a && isOws(s.charCodeAt(b - 1))) b--
    if (a < b) {
      if (++count > MAX_TRACESTATE_MEMBERS) return undefined
      const eq = s.indexOf('=', a)
      if (eq === -1 || eq >= b) return undefined
      const key = s.slice(a, eq)
      const val = s.slice(eq + 1, b)
      if (!isValidTracestateKey(key) || !isValidTracestateValue(val)) return undefined
      if (!seen.has(key)) {
        seen.add(key)
        members.push({ key, value: val })
      }
    }
    start = end + 1
  }
  return members
}

/**
 * Serialises members for sending, at most `maxLength` characters (default 512). When the list is too long,
 * members over 128 characters are removed first (right-most first), then members from the end (§3.3.1.5).
 * Only whole members are removed; the result is `''` when nothing fits.
 */
export function serializeTracestate(
  members: readonly TraceStateMember[],
  maxLength: number = MAX_TRACESTATE_SEND_LENGTH,
): string {
  const parts = members.slice(0, MAX_TRACESTATE_MEMBERS).map((m) => `${m.key}=${m.value}`)
  let length = parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1)
  for (let i = parts.length - 1; i >= 0 && length > maxLength; i--) {
    const part = parts[i] as string
    if (part.length > LARGE_MEMBER_LENGTH) {
      parts.splice(i, 1)
      length -= part.length + (parts.length > 0 ? 1 : 0)
    }
  }
  while (length > maxLength && parts.length > 0) {
    const part = parts.pop() as string
    length -= part.length + (parts.length > 0 ? 1 : 0)
  }
  return parts.join(',')
}
