/**
 * Client-generated `_id`s: a random run id plus a sequence number. Assigned once when a line is
 * accepted and stored with it in the durable buffer, so every retry and every replay after a restart
 * sends the same id and `create` answers `409` instead of indexing a duplicate.
 */
import { randomBytes } from 'node:crypto'

/**
 * The per-run prefix of every `_id`: 96 random bits (collisions between runs are negligible) in
 * base64url, so ids are URL- and JSON-safe. An id is this prefix plus the accept sequence number in
 * base 36: 16-20 ASCII bytes, far below Elasticsearch's 512.
 */
export function createRunId(): string {
  return randomBytes(12).toString('base64url')
}
