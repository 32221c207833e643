import { randomFillSync } from 'node:crypto'

// Ids come from a pool refilled 4 KiB at a time: one randomFillSync per 512 span ids instead of one
// per id keeps id generation off the per-request profile.
const POOL_BYTES = 4096
const pool = Buffer.allocUnsafe(POOL_BYTES)
let offset = POOL_BYTES

function takeHex(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool)
    offset = 0
  }
  const hex = pool.toString('hex', offset, offset + bytes)
  offset += bytes
  return hex
}

const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

/** A random 16-byte trace id as 32 lowercase hex characters, never all zero (W3C §3.2.2.3). */
export function newTraceId(): string {
  let id = takeHex(16)
  while (id === ZERO_TRACE) id = takeHex(16)
  return id
}

/** A random 8-byte span id as 16 lowercase hex characters, never all zero (W3C §3.2.2.4). */
export function newSpanId(): string {
  let id = takeHex(8)
  while (id === ZERO_SPAN) id = takeHex(8)
  return id
}

/** True when `s[start, start+length)` is lowercase hex. Fixed-offset scan: no regex, no backtracking. */
export function isLowerHex(s: string, start: number, length: number): boolean {
  const end = start + length
  if (end > s.length) return false
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    // 0-9 or a-f
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/** True when `s[start, start+length)` is all `0`. */
export function isAllZero(s: string, start: number, length: number): boolean {
  for (let i = start; i < start + length; i++) if (s.charCodeAt(i) !== 48) return false
  return true
}

/** Two lowercase hex characters for a flags byte. */
export function hexByte(n: number): string {
  return (n < 16 ? '0' : '') + (n & 0xff).toString(16)
}
