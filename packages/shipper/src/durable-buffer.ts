/**
 * Wires the durable segment log and the dead-letter file (both in `./disk-buffer`) to the shipper.
 * Opening is asynchronous; the shipper accepts lines meanwhile and appends them once the log is open.
 */
import type { DeadLetterFile, SegmentLog, SegmentLogReport } from './disk-buffer/index.js'
import { openDeadLetterFile, openSegmentLog } from './disk-buffer/index.js'
import type { Entry } from './entry.js'
import { EntryState } from './entry.js'
import type { ResolvedOptions } from './options.js'
import type { ReplayTarget } from './replay.js'
import { replayBacklog, replayChunkBytes } from './replay.js'
import { writeStderr } from './stderr.js'
import type { DeadLetter } from './types.js'

/**
 * Dead letters decided before the file opened wait in memory up to this count; beyond it they are
 * counted as `deadLetterDropped` (the directory may take long to open, e.g. behind a held lock).
 */
const MAX_EARLY_DEAD_LETTERS = 10_000

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
      entry.ticket = log.append({ id: idOf(entry), line: entry.raw })
    }
    entry.raw = undefined
  }
}

/** What the durable side needs from the shipper: replay of the backlog, and its accounting. */
export interface DurableHost extends ReplayTarget {
  /** A disk problem the buffer handled itself: recorded as `lastError` and handed to `onError`. */
  reportBufferError(message: string): void
  /** Dead letters counted as dead-lettered that will never reach the file. */
  deadLettersLost(count: number): void
  /** Entries accepted and not yet settled: those accepted while the log was opening are appended to it. */
  unsettledEntries(): Entry[]
  /** The `_id` of an entry. */
  idOf(entry: Entry): string
}

/**
 * The shipper's view of its disk: opens what `bufferDir` / `deadLetterDir` ask for, keeps dead
 * letters decided before the file opened, appends the lines accepted meanwhile, starts the replay
 * of an earlier run's backlog, and reports a buffer that could not be opened. With both options
 * `false` it holds nothing and every method is a no-op.
 */
export class DurableStore {
  private buffer: DurableBuffer | undefined
  private opening: Promise<void> | undefined
  private early: DeadLetter[] = []
  private replaying: Promise<void> | undefined

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly host: DurableHost,
  ) {
    if (opts.bufferDir === false && opts.deadLetterDir === false) return
    this.opening = openDurableBuffer(opts, {
      onReport: (e) => host.reportBufferError(`${e.kind}: ${e.message}`),
      // Counted as dead-lettered when decided; moved to deadLetterDropped when the file could not take them.
      onDeadLetterDrop: (count) => host.deadLettersLost(count),
    }).then((buffer) => this.onOpen(buffer))
  }

  /** The segment log once it is open; `undefined` while opening, when off, or when it could not be opened. */
  get log(): SegmentLog | undefined {
    return this.buffer?.log
  }

  /** Whether the directory is still opening: accepted lines keep their raw text until it is. */
  get isOpening(): boolean {
    return this.opening !== undefined
  }

  /** Bytes the segment log holds on disk. */
  get diskBytes(): number {
    return this.buffer?.log?.diskBytes ?? 0
  }

  /** Settles a line on disk: it will not be replayed. */
  ack(ticket: number): void {
    this.buffer?.log?.ack(ticket)
  }

  /** Writes a dead letter to its file, or keeps it (bounded) until the file is open. */
  writeDeadLetter(record: DeadLetter): void {
    if (this.buffer) this.buffer.deadLetters?.write(record)
    else if (this.opening && this.opts.deadLetterDir !== false) {
      if (this.early.length < MAX_EARLY_DEAD_LETTERS) this.early.push(record)
      else this.host.deadLettersLost(1)
    }
  }

  /** Resolves once the directory is open and the backlog of an earlier run is replayed (or the replay stopped). */
  async replayed(): Promise<void> {
    await this.opening
    await this.replaying
  }

  /** Resolves once every dead letter handed over so far is in the file (or dropped). */
  async deadLettersWritten(): Promise<void> {
    await this.buffer?.deadLetters?.idle()
  }

  /** At close: dead letters that never found their file (it was still opening) are not on disk. */
  abandonEarlyDeadLetters(): void {
    if (this.early.length === 0) return
    this.host.deadLettersLost(this.early.length)
    this.early = []
  }

  /** Final write, fsync and release of the directory. */
  async close(): Promise<void> {
    await this.buffer?.close()
  }

  private onOpen(buffer: DurableBuffer): void {
    this.opening = undefined
    if (this.host.stopped()) {
      // close() gave up waiting for the directory: nothing was appended, release it again.
      void buffer.close()
      return
    }
    this.buffer = buffer
    if (buffer.logError) {
      const message = `durable buffer unavailable, keeping lines in memory only: ${buffer.logError.message}`
      writeStderr(message)
      this.host.reportBufferError(message)
    }
    const early = this.early.splice(0)
    if (buffer.deadLetters) for (const record of early) buffer.deadLetters.write(record)
    else if (early.length > 0) this.host.deadLettersLost(early.length)
    const log = buffer.log
    if (!log) return
    // Lines accepted while the log was opening are appended now, so they survive a crash too.
    appendAcceptedWhileOpening(log, this.host.unsettledEntries(), (entry) => this.host.idOf(entry))
    // Not awaited: close() must not wait for a replay that itself waits for buffer room. It goes
    // on during close() (which delivers the backlog too) and stops at its deadline.
    const chunkBytes = replayChunkBytes(this.opts.flushBytes, this.opts.maxBufferBytes)
    this.replaying = replayBacklog(log, chunkBytes, this.host).finally(() => (this.replaying = undefined))
  }
}
