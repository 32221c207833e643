/**
 * Wires the durable segment log and the dead-letter file (both in `./disk-buffer`) to the shipper.
 * Opening is asynchronous; the shipper accepts lines meanwhile and appends them once the log is open.
 */
import type { DeadLetterFile, SegmentLog, SegmentLogReport } from './disk-buffer/index.js'
import { openDeadLetterFile, openSegmentLog } from './disk-buffer/index.js'
import type { Entry } from './entry.js'
import { EntryState } from './entry.js'
import type { ResolvedOptions } from './options.js'
import { writeStderr } from './stderr.js'

/** What the shipper holds on disk: the replay log and the dead-letter sink, each optional. */
export interface DurableBuffer {
  log: SegmentLog | undefined
  deadLetters: DeadLetterFile | undefined
  /** Why the log could not be opened (locked by another process, unusable directory), if it could not. */
  logError: Error | undefined
  close(): Promise<void>
}

/** What the shipper learns from the disk side. */
export interface DurableBufferEvents {
  /** A disk problem the buffer handled itself (memory-only fallback, corrupt segment, full disk). */
  onReport(report: SegmentLogReport): void
  /** Dead-letter records that will never reach the file. */
  onDeadLetterDrop(count: number): void
}

/**
 * Opens what `bufferDir` / `deadLetterDir` ask for. Never rejects: a log that cannot be opened is
 * `logError`, and the dead-letter file is opened regardless (a second process on a locked buffer
 * directory still keeps its dead letters).
 */
export async function openDurableBuffer(opts: ResolvedOptions, events: DurableBufferEvents): Promise<DurableBuffer> {
  const report = (r: SegmentLogReport): void => {
    // Disk problems are handled by the buffer (memory-only fallback); they are made visible here.
    writeStderr(`${r.kind}: ${r.message}`)
    events.onReport(r)
  }
  const deadLetters = opts.deadLetterDir !== false
    ? openDeadLetterFile(opts.deadLetterDir, { onReport: report, onDrop: (count) => events.onDeadLetterDrop(count) })
    : undefined
  let log: SegmentLog | undefined
  let logError: Error | undefined
  if (opts.bufferDir !== false) {
    try {
      log = await openSegmentLog({ dir: opts.bufferDir, maxDiskBytes: opts.maxDiskBytes, fsyncIntervalMs: opts.fsyncIntervalMs, onReport: report })
    } catch (err) {
      logError = err as Error
    }
  }
  return {
    log,
    deadLetters,
    logError,
    async close() {
      await log?.close()
      await deadLetters?.close()
    },
  }
}

/**
 * Appends the lines accepted while the log was opening (they kept their raw text for this) and
 * drops that copy, so they survive a crash like every later line.
 */
export function appendAcceptedWhileOpening(log: SegmentLog, entries: Entry[], idOf: (entry: Entry) => string): void {
  for (const entry of entries) {
    if (entry.raw !== undefined && entry.ticket === undefined && entry.state !== EntryState.Settled) {
      entry.ticket = log.append({ id: idOf(entry), line: typeof entry.raw === 'string' ? Buffer.from(entry.raw) : entry.raw })
    }
    entry.raw = undefined
  }
}
