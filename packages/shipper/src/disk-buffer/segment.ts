/**
 * One segment file of the log and its bookkeeping, shared by the append side (`segment-log.ts`) and
 * the replay of segments an earlier run left (`segment-recovery.ts`).
 */
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { SegmentScanner } from './segment-scanner.js'

/** File name of segment `n`; zero-padded so `ls` shows them in order (parsing accepts any width). */
export function segmentFileName(n: number): string {
  return `seg-${String(n).padStart(8, '0')}.log`
}

/** One segment file: what it holds on disk and in memory, and how far it is acknowledged. */
export interface Segment {
  readonly n: number
  readonly path: string
  /** Left by an earlier run: read through `readRecovered`, never appended to. */
  readonly recovered: boolean
  /** Bytes this segment contributes to `diskBytes` (written + pending). */
  bytes: number
  /** Entries appended (live) or read so far (recovered). */
  entries: number
  acked: number
  /** No more appends: rolled, failed, closed, or recovered. */
  sealed: boolean
  /** Every entry is known: always true for live segments, true at end of scan for recovered. */
  scanDone: boolean
  deleted: boolean
  fh: FileHandle | undefined
  /** Final fsync + close of a sealed segment, running beside the write chain. */
  closingFile: Promise<void> | undefined
  /** Encoded records waiting for the next write, and how many entries they hold. */
  pending: Buffer[]
  pendingBytes: number
  pendingEntries: number
  queued: boolean
  writtenBytes: number
  scanner: SegmentScanner | undefined
}

/** A segment at `path` (default: the zero-padded name of `n` in `dir`). */
export function newSegment(dir: string, n: number, recovered: boolean, bytes: number, path = join(dir, segmentFileName(n))): Segment {
  return {
    n, path, recovered, bytes, entries: 0, acked: 0, sealed: recovered,
    scanDone: !recovered, deleted: false, fh: undefined, closingFile: undefined, pending: [], pendingBytes: 0, pendingEntries: 0,
    queued: false, writtenBytes: recovered ? bytes : 0, scanner: undefined,
  }
}
