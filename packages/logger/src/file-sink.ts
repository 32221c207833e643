import fs from 'node:fs'
import path from 'node:path'
import { RateLimitedReport } from '@tracewire/internal'
import { LoggerConfigError } from './errors.js'
import type { RotateOptions } from './types.js'

const DAY_MS = 86_400_000
/** Characters buffered before a write is forced without waiting for the next turn of the event loop. */
const FLUSH_AT_CHARS = 64 * 1024
/**
 * At most one write per this interval while lines keep coming. A quiet logger still writes on the next turn
 * of the event loop; a busy one (an access line per request) shares one write(2) among the lines of the
 * interval instead of paying a system call per turn, which bench/http measured as the largest part of an
 * access line's cost. It bounds what a SIGKILL can lose to the lines of the last 10 ms.
 */
const MIN_FLUSH_INTERVAL_MS = 10
/**
 * Bytes of the one encoding buffer every sink reuses (twice FLUSH_AT_CHARS: a batch of ASCII lines that
 * reached the flush size plus one more line fits). `Buffer.from` of each batch allocated a new buffer every
 * flush, 9-23% of the logger's CPU samples in bench/logger; `encodeInto` a reused one writes the same
 * bytes in about a fifth of the time. A batch that does not fit is copied with `Buffer.from` as before, so
 * a batch is still one `write(2)` (O_APPEND keeps it whole beside another writer). Shared by all sinks:
 * a flush never yields between encoding and writing, so no two flushes use it at once.
 */
const SCRATCH_BYTES = 2 * FLUSH_AT_CHARS
let scratch: Uint8Array | undefined
const utf8 = new TextEncoder()

/**
 * The UTF-8 bytes of `text`: a view of the shared scratch buffer, valid until the next call, or a new
 * buffer when `text` does not fit in it. Lone surrogates become U+FFFD in both, as with `Buffer.from`.
 */
function encode(text: string): Uint8Array {
  scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES)
  const { read, written } = utf8.encodeInto(text, scratch)
  return read === text.length ? scratch.subarray(0, written) : Buffer.from(text)
}

// One `exit` listener for every open file, so a line logged just before exit is never left in memory,
// whether or not the logger's exit handlers are installed.
const openSinks = new Set<FileSink>()
function flushAllOnExit(): void {
  for (const sink of openSinks) sink.flushSync()
}

function openAppend(file: string): number {
  try {
    // 'a' is O_APPEND | O_CREAT: every write lands whole at the end of the file, even with another writer.
    return fs.openSync(file, 'a')
  } catch (err) {
    throw new LoggerConfigError('TW_LOGGER_FILE_OPEN', `Cannot open log file ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err })
  }
}

/**
 * How old the file behind `fd` already is, for the rotation pacing. A file that was there before us, with
 * lines in it, counts from its birth time; an empty one (usually one we just created: file system
 * timestamps come from a coarse clock and can predate our own `Date.now()` by a few ms) and one whose file
 * system reports no birth time count as new, the safe side: the first rotation waits the whole minimum age.
 */
function ageOf(stat: fs.Stats): number {
  return stat.size > 0 && stat.birthtimeMs > 0 ? Math.max(0, Date.now() - stat.birthtimeMs) : 0
}

/**
 * Appends lines to one file, buffered, and rotates it by size and/or UTC date.
 *
 * Writes: a log call only appends to an in-memory buffer; the buffer is written with one `write(2)` on the
 * next turn of the event loop, at most once per 10 ms while lines keep coming (or at once at 64 KiB). We do not use sonic-boom's asynchronous mode here: its
 * `flushSync()` can write the buffered tail while an asynchronous write is still in flight, which puts
 * lines out of order (seen in this package's tests) and can lose the in-flight chunk at exit. With no write
 * ever in flight, flushing on exit, on a signal or before a rotation is always complete and in order.
 *
 * Rotation renames `<file>` to `<file>.1` (shifting `.1` to `.2` ... keeping `maxFiles`) and reopens
 * `<file>` at once, after flushing the buffer into the old file; it happens between two whole lines, so no
 * line is lost, split or written twice. Fluentd keeps reading the renamed file for `rotate_wait` and reads
 * the new one from its start. We do not use pino-roll: it names rotated files `x.1.log`, which still
 * match Fluentd's `*.log` glob and are read again in full (every line duplicated, FORMAT.md).
 * Copy-and-truncate is never used either: lines written between the copy and the truncate are lost.
 *
 * Pacing: a file younger than `minAgeMs` is never renamed; a limit reached earlier only makes the file grow
 * past it until that age. `in_tail` finds a new `orders.log` only on its `refresh_interval` (5 s in the
 * reference) and reads a renamed one only for `rotate_wait` (5 s): a file renamed before the tailer found
 * it is never read at all, and rotations closer together than that lose files (measured against Fluentd
 * 1.16: 2,480 of 20,000 lines lost at ~150 KB/s with `maxBytes` 200 KB; FORMAT.md "Files and rotation").
 *
 * A reopen that fails after a rotation (folder deleted or replaced, descriptors exhausted) is retried at
 * every flush; the lines of a flush that still cannot open the file are dropped, counted and reported in a
 * `TW_LOGGER_WRITE_FAILED` warning at most once a minute, never thrown at the caller.
 */
export class FileSink {
  readonly #file: string
  readonly #rotate: Required<RotateOptions> | undefined
  /** -1 while the file could not be reopened after a rotation. */
  #fd: number
  #buffer = ''
  #bufferedLines = 0
  #scheduled = false
  #lastFlushMs = -Infinity
  #bytes = 0
  #day = 0
  /** `performance.now()` at which the current file counts as created (monotonic: a clock step never stalls rotation). */
  #bornAt = 0
  #closed = false
  /** Writes that failed (disk full, I/O error); never thrown into the log call. */
  failedWrites = 0
  /** Lines dropped because the file could not be reopened after a rotation. */
  droppedLines = 0

  constructor(file: string, rotate: Required<RotateOptions> | undefined) {
    this.#file = file
    this.#rotate = rotate
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true })
    } catch (err) {
      throw new LoggerConfigError('TW_LOGGER_FILE_OPEN', `Cannot create the folder of log file ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err })
    }
    this.#fd = openAppend(file)
    if (rotate !== undefined) {
      const stat = fs.fstatSync(this.#fd)
      this.#bytes = stat.size
      this.#day = Math.floor((stat.size > 0 ? stat.mtimeMs : Date.now()) / DAY_MS)
      this.#bornAt = performance.now() - ageOf(stat)
    }
    if (openSinks.size === 0) process.on('exit', flushAllOnExit)
    openSinks.add(this)
  }

  write(line: string): void {
    if (this.#closed) return
    const rotate = this.#rotate
    if (rotate !== undefined) {
      const size = rotate.maxBytes > 0 ? Buffer.byteLength(line) : 0
      const day = rotate.daily ? Math.floor(Date.now() / DAY_MS) : 0
      if (
        ((rotate.maxBytes > 0 && this.#bytes > 0 && this.#bytes + size > rotate.maxBytes) || (rotate.daily && day !== this.#day)) &&
        performance.now() - this.#bornAt >= rotate.minAgeMs
      ) {
        this.#rotateNow()
        this.#day = day
      }
      this.#bytes += size
    }
    this.#buffer += line
    this.#bufferedLines++
    if (this.#buffer.length >= FLUSH_AT_CHARS) this.flushSync()
    else if (!this.#scheduled) {
      this.#scheduled = true
      const waitMs = this.#lastFlushMs + MIN_FLUSH_INTERVAL_MS - performance.now()
      if (waitMs <= 0) setImmediate(this.#flushSoon).unref()
      else setTimeout(this.#flushSoon, waitMs).unref()
    }
  }

  readonly #flushSoon = (): void => {
    this.#scheduled = false
    this.flushSync()
  }

  /**
   * Writes the whole buffer now. Never throws: a failed write is counted in `failedWrites`, the lines of a
   * flush that finds the file still unopenable in `droppedLines`.
   */
  flushSync(): void {
    if (this.#buffer === '') return
    const data = encode(this.#buffer)
    const lines = this.#bufferedLines
    this.#buffer = ''
    this.#bufferedLines = 0
    this.#lastFlushMs = performance.now()
    if (this.#fd < 0) {
      const err = this.#reopen()
      if (err !== undefined) {
        this.droppedLines += lines
        this.#reportFailure(err)
        return
      }
      this.#bytes += data.length
    }
    let offset = 0
    try {
      while (offset < data.length) offset += fs.writeSync(this.#fd, data, offset)
    } catch (err) {
      this.failedWrites++
      this.#reportFailure(err)
    }
  }

  /**
   * Failures are reported as a process warning at most once a minute, never thrown at the caller. The
   * warning quotes the running totals, so the failures held back in between need no summary of their own:
   * the next one after the minute says how many there were. Monotonic clock: a clock step never silences it.
   */
  readonly #failures = new RateLimitedReport<string>((text) => process.emitWarning(text, { code: 'TW_LOGGER_WRITE_FAILED' }), {
    intervalMs: 60_000,
    now: () => performance.now(),
  })

  #reportFailure(err: unknown): void {
    this.#failures.report(
      () =>
        `tracewire logger: could not write to ${this.#file} (${this.failedWrites} failed writes, ${this.droppedLines} lines dropped while it could not be reopened, so far): ${(err as Error).message}`,
    )
  }

  /** Opens `<file>` again, creating its folder as at construction; returns the error when it still cannot. */
  #reopen(): unknown {
    try {
      fs.mkdirSync(path.dirname(this.#file), { recursive: true })
      this.#fd = fs.openSync(this.#file, 'a')
      this.#bornAt = performance.now()
      this.#bytes = fs.fstatSync(this.#fd).size
      return undefined
    } catch (err) {
      this.#fd = -1
      return err
    }
  }

  #rotateNow(): void {
    const rotate = this.#rotate as Required<RotateOptions>
    // Still waiting to reopen: nothing to rename, and the next flush tries the reopen (not every line).
    if (this.#fd < 0) return
    this.flushSync()
    try {
      fs.closeSync(this.#fd)
    } catch {
      // already closed by an I/O error; the reopen below still gives a working descriptor
    }
    try {
      for (let n = rotate.maxFiles; n >= 1; n--) {
        const from = n === 1 ? this.#file : `${this.#file}.${n - 1}`
        const to = `${this.#file}.${n}`
        if (n === rotate.maxFiles) fs.rmSync(to, { force: true })
        if (fs.existsSync(from)) fs.renameSync(from, to)
      }
    } catch {
      // Telemetry never throws into the application: if a rename failed, keep appending to the file.
    }
    // A failure leaves #fd at -1: the next flush tries again and counts what it cannot write.
    this.#reopen()
  }

  flush(cb: (err?: Error | null) => void): void {
    this.flushSync()
    cb()
  }

  /** Flushes and closes the file. Idempotent. */
  end(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.flushSync()
    this.#closed = true
    openSinks.delete(this)
    if (openSinks.size === 0) process.removeListener('exit', flushAllOnExit)
    if (this.#fd < 0) return Promise.resolve()
    return new Promise((resolve) => fs.close(this.#fd, () => resolve()))
  }
}
