import type { DeadLetter } from '../types.js'

/**
 * Contract between the durable disk buffer and the rest of the shipper. Internal to
 * `@tracewire/shipper`: nothing here is re-exported from the package entry point.
 */

/** One accepted log line as the shipper spools it. */
export interface SpoolEntry {
  /** The document `_id` assigned when the line was accepted; kept through every retry and restart. */
  id: string
  /**
   * The raw accepted log line, without its trailing `\n`: its bytes, or the string they are the
   * UTF-8 encoding of (encoded straight into the segment, so the hot path copies the line once).
   */
  line: Buffer | string
}

/** An entry read back from an earlier run's segments: the line as the bytes that were written. */
export interface RecoveredEntry {
  id: string
  line: Buffer
  /** The segment it came from, for `ack`. */
  ticket: number
}

/** Options of {@link openSegmentLog}. */
export interface SegmentLogOptions {
  /** Buffer directory; created (`mkdir -p`) if missing. One process at a time (see the `lock` file). */
  dir: string
  /** Upper bound of the bytes held in segment files (written or about to be written). */
  maxDiskBytes: number
  /** A segment file is closed ("rolled") once the next record would make it larger. Default 8 MiB. */
  segmentMaxBytes?: number
  /** Written data is fsynced at least this often. `0` fsyncs after every write batch. */
  fsyncIntervalMs: number
  /** Called (never more than once per `reportIntervalMs` for the same kind, except `corrupt-segment`). */
  onReport?: (r: SegmentLogReport) => void
  /**
   * Minimum interval between two `disk-full` or two `io-error` reports; what happens in between
   * is counted and folded into the next report. Default 10 000 ms. (Addition to the first contract.)
   */
  reportIntervalMs?: number
  /**
   * Appended bytes allowed to wait in memory for the disk; beyond it `append` returns `undefined`
   * (memory-only, reported as `io-error`) until writes catch up. Default max(32 MiB,
   * 4 x segmentMaxBytes). (Addition to the first contract.)
   */
  maxPendingBytes?: number
}

/** A problem the buffer handled by itself and reports for visibility. */
export interface SegmentLogReport {
  kind: 'corrupt-segment' | 'disk-full' | 'io-error'
  /** The segment file concerned, when there is one. */
  file?: string
  /** Bytes of a segment that could not be recovered (`corrupt-segment`). */
  lostBytes?: number
  /** Human-readable, one line; never contains log content. */
  message: string
}

/** An append-only log of segment files that survives process crashes (see README.md beside this file). */
export interface SegmentLog {
  /**
   * Spools one entry. Returns its ticket (the segment number, to pass to {@link SegmentLog.ack}),
   * or `undefined` when the entry is kept in memory only: over `maxDiskBytes`, disk error,
   * or after `close()`. Never throws, never blocks on I/O.
   */
  append(entry: SpoolEntry): number | undefined
  /**
   * Marks `count` (default 1) entries of segment `ticket` as done (delivered, dead-lettered or
   * dropped). A closed segment whose entries are all done is deleted. Unknown tickets are ignored.
   */
  ack(ticket: number, count?: number): void
  /**
   * Entries left by earlier runs, oldest first, about `maxBytes` of records per call (at least one
   * entry when any remain). Resolves `[]` when every earlier segment has been read.
   */
  readRecovered(maxBytes: number): Promise<Array<RecoveredEntry>>
  /** Bytes held by segment files, including appended bytes not yet written. */
  readonly diskBytes: number
  /** Writes what is pending and fsyncs now. Never rejects; failures are reported. */
  sync(): Promise<void>
  /** Final write and fsync, deletes fully acknowledged segments, releases the lock. Idempotent. */
  close(): Promise<void>
}

/** Options of {@link openDeadLetterFile}. */
export interface DeadLetterFileOptions {
  /** Upper bound of all `dead-letter-*.ndjson` files in the directory. Default 100 MiB. */
  maxBytes?: number
  /** Called for write errors and drops, at most once per `reportIntervalMs` (default 10 000 ms). */
  onReport?: (r: SegmentLogReport) => void
  reportIntervalMs?: number
  /** Called (synchronously, every time) with the number of records that will never reach the file. */
  onDrop?: (count: number) => void
}

/** Append-only NDJSON sink for documents that will never be delivered. */
export interface DeadLetterFile {
  /** Queues one record; never throws. Dropped (and counted) when over `maxBytes`. */
  write(record: DeadLetter): void
  /** Records dropped because of the size bound or a write error. */
  readonly dropped: number
  /** Resolves once every record queued so far is written or dropped. Never rejects. */
  idle(): Promise<void>
  /** Writes what is queued and releases the file. Idempotent, never rejects. */
  close(): Promise<void>
}
