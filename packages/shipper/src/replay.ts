/**
 * Replay of the backlog an earlier run left in the durable buffer: read in chunks that fit the
 * memory buffer, each line accepted again with its original `_id` and ticket.
 */
import type { RecoveredEntry, SegmentLog } from './disk-buffer/index.js'

/** What the replay needs from the shipper. */
export interface ReplayTarget {
  /** Whether `bytes` more fit in the memory buffer now. */
  fits(bytes: number): boolean
  /** Resolves when room may have appeared (something settled) or the shipper stopped. */
  roomOrStop(): Promise<void>
  /** The shipper gave up (close() deadline): what is not read stays on disk for the next start. */
  stopped(): boolean
  /** Accepts one chunk of replayed lines. */
  accept(entries: Array<RecoveredEntry>): void
}

/**
 * Bytes read per chunk: at most half the memory buffer, so a chunk always fits once the buffer
 * drains (a 64 KiB floor above a smaller `maxBufferBytes` waited forever for room that cannot exist).
 */
export function replayChunkBytes(flushBytes: number, maxBufferBytes: number): number {
  return Math.max(1, Math.min(Math.max(64 * 1024, Math.min(flushBytes, maxBufferBytes >> 2)), maxBufferBytes >> 1))
}

/** Replays until the backlog is read or the target stopped. */
export async function replayBacklog(log: SegmentLog, chunkBytes: number, target: ReplayTarget): Promise<void> {
  for (;;) {
    while (!target.fits(chunkBytes) && !target.stopped()) await target.roomOrStop()
    if (target.stopped()) return
    const entries = await log.readRecovered(chunkBytes)
    if (entries.length === 0 || target.stopped()) return
    target.accept(entries)
  }
}
