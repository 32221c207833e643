/**
 * Client-generated `_id`s: a random run id plus a sequence number. Assigned once when a line is
 * accepted and stored with it in the durable buffer, so every retry and every replay after a restart
 * sends the same id and `create` answers `409` instead of indexing a duplicate.
 */
import { randomBytes } from 'node:crypto'

/** Returns a function producing ids unique across runs (≈ 16-24 ASCII bytes, far below ES's 512). */
export function createIdGenerator(): () => string {
  // 96 random bits: collisions between runs are negligible; base64url keeps ids URL- and JSON-safe.
  const run = randomBytes(12).toString('base64url')
  let seq = 0
  return () => `${run}${(seq++).toString(36)}`
}
