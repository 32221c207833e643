import fs from 'node:fs'
import path from 'node:path'
import pino from 'pino'
import { LoggerConfigError } from './errors.js'
import type { RotateOptions } from './types.js'

type Boom = ReturnType<typeof pino.destination>

const DAY_MS = 86_400_000
/** Bytes buffered per file before writes are dropped (and counted) instead of growing memory. */
const MAX_BUFFER_BYTES = 16 * 1024 * 1024

function openBoom(file: string): Boom {
  let fd: number
  try {
    // Opened synchronously so the first lines are never waiting on an `open` when the process exits;
    // 'a' is O_APPEND | O_CREAT: every write lands at the end, whole, even with another writer.
    fd = fs.openSync(file, 'a')
  } catch (err) {
    throw new LoggerConfigError('TW_LOGGER_FILE_OPEN', `Cannot open log file ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err })
  }
  // pino.destination (sonic-boom) gives asynchronous buffered writes and registers pino's flush-on-exit.
  return pino.destination({ dest: fd as unknown as string, sync: false, maxLength: MAX_BUFFER_BYTES })
}

/**
 * Appends lines to one file and rotates it by size and/or UTC date.
 *
 * Rotation renames `<file>` to `<file>.1` (shifting `.1` to `.2` ... keeping `maxFiles`) and reopens
 * `<file>` at once. We do not use pino-roll: it names rotated files `x.1.log`, which still match Fluentd's
 * `*.log` glob and are read again in full (every line duplicated, FORMAT.md). Copy-and-truncate is never
 * used either: lines written between the copy and the truncate are lost.
 *
 * No line is lost or written twice: rotation happens between two whole lines, and the retired writer keeps
 * its descriptor, which follows the renamed file, so its buffered lines are flushed into `<file>.1` (then
 * it closes) while new lines go to the new `<file>`. Fluentd keeps reading a renamed file for
 * `rotate_wait` (5 s), far longer than that flush takes.
 */
export class FileSink {
  readonly #file: string
  readonly #rotate: Required<RotateOptions> | undefined
  #boom: Boom
  #bytes = 0
  #day = 0
  readonly #retired = new Set<Boom>()

  constructor(file: string, rotate: Required<RotateOptions> | undefined) {
    this.#file = file
    this.#rotate = rotate
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true })
    } catch (err) {
      throw new LoggerConfigError('TW_LOGGER_FILE_OPEN', `Cannot create the folder of log file ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err })
    }
    this.#boom = openBoom(file)
    if (rotate !== undefined) {
      const stat = fs.statSync(file)
      this.#bytes = stat.size
      this.#day = Math.floor((stat.size > 0 ? stat.mtimeMs : Date.now()) / DAY_MS)
    }
  }

  write(line: string): void {
    const rotate = this.#rotate
    if (rotate !== undefined) {
      const size = rotate.maxBytes > 0 ? Buffer.byteLength(line) : 0
      const day = rotate.daily ? Math.floor(Date.now() / DAY_MS) : 0
      if ((rotate.maxBytes > 0 && this.#bytes > 0 && this.#bytes + size > rotate.maxBytes) || (rotate.daily && day !== this.#day)) {
        this.#rotateNow()
        this.#day = day
      }
      this.#bytes += size
    }
    this.#boom.write(line)
  }

  #rotateNow(): void {
    const rotate = this.#rotate as Required<RotateOptions>
    const old = this.#boom
    try {
      for (let n = rotate.maxFiles; n >= 1; n--) {
        const from = n === 1 ? this.#file : `${this.#file}.${n - 1}`
        const to = `${this.#file}.${n}`
        if (n === rotate.maxFiles) fs.rmSync(to, { force: true })
        if (fs.existsSync(from)) fs.renameSync(from, to)
      }
      this.#boom = openBoom(this.#file)
    } catch {
      // Telemetry never throws into the application: if the rename failed, keep appending to the open
      // file and try again at the next threshold.
      this.#bytes = 0
      return
    }
    this.#bytes = 0
    this.#retired.add(old)
    old.once('close', () => this.#retired.delete(old))
    old.end()
  }

  flushSync(): void {
    for (const boom of [...this.#retired, this.#boom]) {
      try {
        boom.flushSync()
      } catch {
        // an ending writer may already be closed
      }
    }
  }

  flush(cb: (err?: Error | null) => void): void {
    this.#boom.flush(cb)
  }

  async end(): Promise<void> {
    const booms = [...this.#retired, this.#boom]
    await Promise.all(booms.map((boom) => new Promise<void>((resolve) => {
      if ((boom as unknown as { destroyed?: boolean }).destroyed === true) return resolve()
      boom.once('close', () => resolve())
      boom.once('error', () => resolve())
      boom.end()
    })))
  }
}
