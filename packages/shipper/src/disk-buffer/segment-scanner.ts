import { open, type FileHandle } from 'node:fs/promises'
import { decodeRecord, MAGIC, type DecodedRecord } from './record.js'

const MIN_READ_BYTES = 64 * 1024

/**
 * Reads the records of one segment file left by an earlier run, front to back, a window at a time.
 *
 * Corruption policy (Vector's disk buffer recovers the valid prefix; Fluentd moves a broken chunk
 * aside): a record whose magic, length or CRC is wrong is skipped by searching for the next
 * position where a whole valid record starts. The skipped bytes are counted in `lostBytes`.
 * Every step moves the cursor forward by at least one byte, so a hostile file ends the scan; it
 * can never loop.
 */
export class SegmentScanner {
  /** Bytes skipped as corrupt so far. */
  lostBytes = 0
  private fh: FileHandle | undefined
  private buf: Buffer = Buffer.alloc(0)
  /** File offset of `buf[0]`. */
  private bufStart = 0
  /** File offset of the next record. */
  private pos = 0
  private done = false

  constructor(
    readonly path: string,
    private readonly fileBytes: number,
  ) {}

  /** True once the whole file has been consumed. */
  get finished(): boolean {
    return this.done
  }

  /**
   * Returns the next valid record, or `undefined` at the end of the file. `readAheadBytes` sizes
   * the read window; returned records are views into buffers that are never written again.
   */
  async next(readAheadBytes: number): Promise<DecodedRecord | undefined> {
    if (this.done) return undefined
    const readAhead = Math.max(readAheadBytes, MIN_READ_BYTES)
    let at = this.pos
    for (;;) {
      const result = await this.decodeAt(at, readAhead)
      if (result !== 'bad') {
        this.lostBytes += at - this.pos
        this.pos = at + result.size
        return result
      }
      const found = await this.findMagic(at + 1, readAhead)
      if (found === undefined) {
        this.lostBytes += this.fileBytes - this.pos
        this.pos = this.fileBytes
        await this.finish()
        return undefined
      }
      at = found
    }
  }

  /** Releases the file handle; safe to call more than once. */
  async finish(): Promise<void> {
    this.done = true
    this.buf = Buffer.alloc(0)
    const fh = this.fh
    this.fh = undefined
    if (fh) await fh.close().catch(() => undefined)
  }

  /** Tries to decode a record at file offset `at`, reading more of the file as needed. */
  private async decodeAt(at: number, readAhead: number): Promise<DecodedRecord | 'bad'> {
    const remaining = this.fileBytes - at
    if (remaining <= 0) return 'bad'
    for (;;) {
      const result = decodeRecord(this.buf, at - this.bufStart, remaining)
      if (result === 'bad' || !('need' in result)) return result
      await this.ensure(at, Math.max(result.need, readAhead))
      // ensure() guarantees min(need, remaining) bytes; a second 'need' cannot happen.
      const again = decodeRecord(this.buf, at - this.bufStart, remaining)
      return again !== 'bad' && 'need' in again ? 'bad' : again
    }
  }

  /** File offset of the next magic marker at or after `from`, or undefined. */
  private async findMagic(from: number, readAhead: number): Promise<number | undefined> {
    let at = from
    while (at + MAGIC.length <= this.fileBytes) {
      await this.ensure(at, readAhead)
      const idx = this.buf.indexOf(MAGIC, at - this.bufStart)
      if (idx !== -1) return this.bufStart + idx
      const bufEnd = this.bufStart + this.buf.length
      if (bufEnd >= this.fileBytes) return undefined
      // Keep the last 3 bytes: a marker may straddle the window boundary.
      at = Math.max(at + 1, bufEnd - (MAGIC.length - 1))
    }
    return undefined
  }

  /** Makes `buf` hold the file bytes [at, at + want) (clipped at end of file). */
  private async ensure(at: number, want: number): Promise<void> {
    const end = Math.min(this.fileBytes, at + want)
    const bufEnd = this.bufStart + this.buf.length
    if (at >= this.bufStart && end <= bufEnd) return
    this.fh ??= await open(this.path, 'r')
    const keepFrom = at >= this.bufStart && at < bufEnd ? at : bufEnd
    const keep = keepFrom < bufEnd ? this.buf.subarray(keepFrom - this.bufStart) : Buffer.alloc(0)
    const readFrom = keepFrom < bufEnd ? bufEnd : at
    // A fresh buffer every time: records handed out earlier are views into the old one.
    const next = Buffer.allocUnsafe(keep.length + (end - readFrom))
    keep.copy(next, 0)
    let filled = keep.length
    while (filled < next.length) {
      const { bytesRead } = await this.fh.read(next, filled, next.length - filled, readFrom + (filled - keep.length))
      if (bytesRead === 0) break
      filled += bytesRead
    }
    this.buf = filled === next.length ? next : next.subarray(0, filled)
    this.bufStart = at
  }
}
