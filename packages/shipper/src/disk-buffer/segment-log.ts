/**
 * The append side of the durable buffer: the segment lifecycle (append, roll, seal, write, fsync,
 * delete) on one serial I/O chain. One file on purpose (~500 lines): every step of that lifecycle
 * reads and moves the same counters (`accounted`, `pendingTotal`, a segment's `entries`/`acked`)
 * in the order the chain runs them, and the directory-removed path rewinds them all; split apart,
 * that ordering would have to be re-established across modules. What has its own seam lives beside
 * it: `segment.ts`, `segment-recovery.ts` (replay of an earlier run), `segment-log-reports.ts`,
 * `segment-log-options.ts`, `file-io.ts`.
 */
import { open, stat, unlink, type FileHandle } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DiskBufferError } from './errors.js'
import { fsyncDir, writeAll } from './file-io.js'
import { makeDirectory } from './make-directory.js'
import { validateSegmentLogOptions } from './segment-log-options.js'
import { abandonLock, acquireLock, releaseLock, rewriteLock } from './lock.js'
import { encodeRecord, MAX_ID_BYTES, maxRecordBytes } from './record.js'
import { safeReporter } from './reporter.js'
import { newSegment, type Segment } from './segment.js'
import { SegmentLogReports } from './segment-log-reports.js'
import { findLeftSegments, SegmentRecovery } from './segment-recovery.js'
import type { RecoveredEntry, SegmentLog, SegmentLogOptions, SegmentLogReport, SpoolEntry } from './types.js'

/** Fluentd's file buffer uses 8 MB chunks (`chunk_limit_size` for most outputs); so do we. */
const DEFAULT_SEGMENT_MAX_BYTES = 8 * 1024 * 1024
const DEFAULT_REPORT_INTERVAL_MS = 10_000
/** Records are encoded straight into slabs of this size, so an append allocates nothing. */
const SLAB_BYTES = 256 * 1024
/** After a failed write, appends stay memory-only this long before the disk is tried again. */
const IO_RETRY_MS = 1_000

/**
 * Opens (creating if needed) the buffer directory, takes its lock and lists the segments left by
 * earlier runs, which `readRecovered` then replays.
 *
 * @throws DiskBufferError `TW_SHIPPER_BUFFER_OPTIONS` for invalid options,
 *   `TW_SHIPPER_BUFFER_LOCKED` when a live process holds the directory,
 *   `TW_SHIPPER_BUFFER_IO` when the directory cannot be created or listed.
 */
export async function openSegmentLog(options: SegmentLogOptions): Promise<SegmentLog> {
  const dir = resolve(validateSegmentLogOptions(options))
  try {
    await makeDirectory(dir)
  } catch (err) {
    throw new DiskBufferError('TW_SHIPPER_BUFFER_IO', `cannot create buffer directory ${dir}: ${(err as Error).message}`, { cause: err })
  }
  await acquireLock(dir)
  try {
    return new FileSegmentLog(dir, options, await findLeftSegments(dir))
  } catch (err) {
    await releaseLock(dir)
    throw err instanceof DiskBufferError
      ? err
      : new DiskBufferError('TW_SHIPPER_BUFFER_IO', `cannot list buffer directory ${dir}: ${(err as Error).message}`, { cause: err })
  }
}

/**
 * The segment log. Design in the spirit of Fluentd's file buffer (chunk files, deleted once
 * flushed) and Vector's disk buffer v2 (length + checksum per record, valid-prefix recovery,
 * interval fsync instead of fsync per write):
 *
 * - `append` only encodes into an in-memory slab and counts; one `writev` per event-loop turn
 *   carries everything appended meanwhile (the shipper's hot path must not pay a syscall per line).
 * - All file I/O runs on one serial promise chain (`io`), so writes, fsyncs, closes and unlinks of
 *   a segment happen in the order they were decided.
 * - Acks are counts per segment, kept in memory. A segment is deleted once it is sealed and all its
 *   entries are acked. After a crash every entry of a surviving segment is replayed, delivered or
 *   not: at-least-once, with the `_id` making replays harmless (409 on `create`).
 */
class FileSegmentLog implements SegmentLog {
  private readonly segments = new Map<number, Segment>()
  private readonly recovery: SegmentRecovery
  private readonly segmentMaxBytes: number
  private readonly maxDiskBytes: number
  private readonly maxPendingBytes: number
  private readonly fsyncIntervalMs: number
  private readonly emit: (r: SegmentLogReport) => void
  private readonly reports: SegmentLogReports
  private readonly timer: NodeJS.Timeout

  private active: Segment | undefined
  private nextN: number
  private accounted = 0
  private pendingTotal = 0
  private slab: Buffer = Buffer.allocUnsafe(SLAB_BYTES)
  private slabStart = 0
  private slabEnd = 0
  private writeQueue: Segment[] = []
  private flushQueued = false
  private readonly unsynced = new Set<Segment>()
  /** Every segment handle not yet closed, so a crash or close can never leak one. */
  private readonly openFiles = new Set<FileHandle>()
  /**
   * fsyncs run beside the write chain, not on it: an fsync can take tens of milliseconds and
   * appends must keep flowing to the next segment meanwhile. Tracked so sync/close/crash await them.
   */
  private readonly background = new Set<Promise<void>>()
  private intervalFsync: Promise<void> | undefined
  private dirDirty = false
  private io: Promise<void> = Promise.resolve()
  private readChain: Promise<unknown> = Promise.resolve()
  private blockedUntil = 0
  private closed = false
  private crashed = false
  private closing: Promise<void> | undefined

  constructor(
    private readonly dir: string,
    options: SegmentLogOptions,
    recovered: Segment[],
  ) {
    this.segmentMaxBytes = options.segmentMaxBytes ?? DEFAULT_SEGMENT_MAX_BYTES
    this.maxDiskBytes = options.maxDiskBytes
    // Bound what waits in memory for a slow disk: past this, appends are memory-only (reported).
    // Measured (bench/shipper/disk-buffer.mjs): single writes sometimes stall 20-30 ms while the
    // page cache is written back; 32 MiB absorbs such stalls at several hundred thousand lines/s.
    this.maxPendingBytes = options.maxPendingBytes ?? Math.max(32 * 1024 * 1024, 4 * this.segmentMaxBytes)
    this.fsyncIntervalMs = options.fsyncIntervalMs
    this.emit = safeReporter(options.onReport)
    this.reports = new SegmentLogReports(this.emit, options.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS, () => ({
      maxDiskBytes: this.maxDiskBytes,
      diskBytes: this.accounted,
      pendingBytes: this.pendingTotal,
    }))
    for (const seg of recovered) {
      this.segments.set(seg.n, seg)
      this.accounted += seg.bytes
    }
    this.recovery = new SegmentRecovery(recovered, {
      closed: () => this.closed,
      scanned: (seg) => this.maybeDelete(seg),
      readFailed: (err, message) => this.reportIoError(err, message),
      emit: this.emit,
    })
    this.nextN = (recovered.at(-1)?.n ?? 0) + 1
    this.timer = setInterval(() => this.tick(), this.fsyncIntervalMs > 0 ? this.fsyncIntervalMs : 1_000)
    this.timer.unref()
  }

  get diskBytes(): number {
    return this.accounted
  }

  append(entry: SpoolEntry): number | undefined {
    if (this.closed) return undefined
    if (this.blockedUntil !== 0) {
      if (Date.now() < this.blockedUntil) {
        this.reports.blocked()
        return undefined
      }
      this.blockedUntil = 0
    }
    const idBytes = Buffer.byteLength(entry.id)
    if (idBytes > MAX_ID_BYTES) {
      this.reports.longId()
      return undefined
    }
    // Encoded first, at the free end of the slab, and committed (slabEnd moved) only once accepted:
    // a string line's size is known only after encoding, and measuring it first would read it twice.
    const room = maxRecordBytes(idBytes, entry.line)
    if (this.slabEnd + room > this.slab.length) {
      this.cut()
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, room))
      this.slabStart = this.slabEnd = 0
    }
    const end = encodeRecord(this.slab, this.slabEnd, entry.id, idBytes, entry.line)
    const size = end - this.slabEnd
    if (this.accounted + size > this.maxDiskBytes) {
      this.reports.diskFull()
      return undefined
    }
    if (this.pendingTotal > 0 && this.pendingTotal + size > this.maxPendingBytes) {
      this.reports.behind()
      return undefined
    }
    let seg = this.active
    // roll() cuts the slab at slabEnd: the record encoded beyond it moves to the new segment.
    if (seg === undefined || (seg.entries > 0 && seg.bytes + size > this.segmentMaxBytes)) seg = this.roll()
    this.slabEnd = end
    seg.entries++
    seg.bytes += size
    seg.pendingEntries++
    this.accounted += size
    this.pendingTotal += size
    if (!this.flushQueued) {
      this.flushQueued = true
      setImmediate(this.scheduledWrite)
    }
    return seg.n
  }

  ack(ticket: number, count = 1): void {
    if (this.closed || !(count > 0)) return
    const seg = this.segments.get(ticket)
    if (seg === undefined) return
    seg.acked = Math.min(seg.entries, seg.acked + count)
    this.maybeDelete(seg)
  }

  readRecovered(maxBytes: number): Promise<Array<RecoveredEntry>> {
    const run = this.readChain.then(() => this.recovery.read(Math.max(1, maxBytes)))
    this.readChain = run.catch(() => undefined)
    return run
  }

  async sync(): Promise<void> {
    if (this.closed) return this.closing
    await this.enqueue(() => this.writeOut())
    await this.settleBackground()
    await this.fsyncAll().catch((err: unknown) => this.reportIoError(err))
    // A vanished directory found by fsyncAll is handled on the chain; wait for it too.
    await this.io
  }

  close(): Promise<void> {
    this.closing ??= this.closeNow()
    return this.closing
  }

  /**
   * Test hook: behave as if the process were SIGKILLed now. What was only in memory (appended but
   * not yet written) is gone; what was written stays in the files (the page cache survives a
   * process kill); nothing more is written, fsynced or deleted. Waits for the syscall in flight.
   */
  async simulateCrash(): Promise<void> {
    this.crashed = true
    this.closed = true
    clearInterval(this.timer)
    this.slab = Buffer.alloc(0)
    for (const seg of this.segments.values()) seg.pending = []
    await this.io
    await this.readChain
    await this.settleBackground()
    await this.closeAllFiles()
    abandonLock(this.dir)
  }

  // --- append side -------------------------------------------------------------------------

  private readonly scheduledWrite = (): void => {
    void this.enqueue(() => this.writeOut())
  }

  private roll(): Segment {
    const prev = this.active
    if (prev !== undefined) {
      this.cut()
      this.seal(prev)
    }
    const seg = newSegment(this.dir, this.nextN++, false, 0)
    this.segments.set(seg.n, seg)
    this.active = seg
    return seg
  }

  /** No more appends to `seg`; its file is fsynced and closed by the write chain. */
  private seal(seg: Segment): void {
    if (this.active === seg) {
      this.cut()
      this.active = undefined
    }
    seg.sealed = true
    this.queue(seg)
    this.maybeDelete(seg)
  }

  /** Moves the encoded records of the slab to the active segment's pending list. */
  private cut(): void {
    if (this.slabEnd === this.slabStart || this.active === undefined) return
    const seg = this.active
    seg.pending.push(this.slab.subarray(this.slabStart, this.slabEnd))
    seg.pendingBytes += this.slabEnd - this.slabStart
    this.slabStart = this.slabEnd
    this.queue(seg)
  }

  private queue(seg: Segment): void {
    if (seg.queued) return
    seg.queued = true
    this.writeQueue.push(seg)
  }

  // --- the I/O chain -----------------------------------------------------------------------

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.io.then(op).catch((err: unknown) => this.reportIoError(err))
    this.io = next
    return next
  }

  private async writeOut(): Promise<void> {
    this.flushQueued = false
    if (this.crashed) return
    this.cut()
    const segs = this.writeQueue
    this.writeQueue = []
    for (const seg of segs) {
      if (this.crashed) return
      await this.writeSegment(seg)
    }
    if (this.fsyncIntervalMs === 0) await this.fsyncAll()
  }

  private async writeSegment(seg: Segment): Promise<void> {
    const bufs = seg.pending
    const bytes = seg.pendingBytes
    const entries = seg.pendingEntries
    seg.pending = []
    seg.pendingBytes = 0
    seg.pendingEntries = 0
    seg.queued = false
    this.pendingTotal -= bytes
    if (seg.deleted) return
    if (bytes > 0) {
      try {
        seg.fh ??= await this.createSegmentFile(seg.path)
        await writeAll(seg.fh, bufs, bytes)
        seg.writtenBytes += bytes
        this.unsynced.add(seg)
      } catch (err) {
        await this.writeFailed(seg, bytes, entries, err)
      }
    }
    if (seg.sealed && seg.pending.length === 0 && seg.fh !== undefined) {
      seg.closingFile = this.closeFile(seg, true)
      this.track(seg.closingFile)
    }
  }

  private track(p: Promise<void>): void {
    this.background.add(p)
    void p.finally(() => this.background.delete(p))
  }

  private async settleBackground(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background])
  }

  private async createSegmentFile(path: string): Promise<FileHandle> {
    this.dirDirty = true
    let fh: FileHandle
    try {
      fh = await open(path, 'a')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      // The buffer directory was removed under us (a cleanup job, an operator): recreate it.
      await this.recreateDir()
      fh = await open(path, 'a')
    }
    this.openFiles.add(fh)
    return fh
  }

  private async closeAllFiles(): Promise<void> {
    for (const seg of this.segments.values()) {
      seg.fh = undefined
      await seg.scanner?.finish()
    }
    for (const fh of this.openFiles) await fh.close().catch(() => undefined)
    this.openFiles.clear()
  }

  /**
   * A write failed (ENOSPC, EIO, ...): the batch is not on disk. Its entries keep their ticket
   * (the shipper still holds them in memory and will ack them), they are just no longer durable.
   * The torn bytes are cut off, the segment is sealed, and appends stay memory-only for
   * IO_RETRY_MS before a fresh segment is tried.
   */
  private async writeFailed(seg: Segment, bytes: number, entries: number, err: unknown): Promise<void> {
    seg.bytes -= bytes
    this.accounted -= bytes
    if (seg.fh) await seg.fh.truncate(seg.writtenBytes).catch(() => undefined)
    this.blockedUntil = Date.now() + IO_RETRY_MS
    if (!seg.sealed) this.seal(seg)
    const code = (err as NodeJS.ErrnoException).code
    const message = `disk buffer write to ${seg.path} failed (${code ?? (err as Error).message}); ${entries} entries kept in memory only, appends paused for ${IO_RETRY_MS} ms`
    if (code === 'ENOSPC' || code === 'EDQUOT') this.emit({ kind: 'disk-full', file: seg.path, message })
    else this.reportIoError(err, message)
  }

  private async closeFile(seg: Segment, fsync: boolean): Promise<void> {
    const fh = seg.fh
    if (fh === undefined) return
    seg.fh = undefined
    this.unsynced.delete(seg)
    this.openFiles.delete(fh)
    if (fsync && !this.crashed) await fh.sync().catch((err: unknown) => this.reportIoError(err))
    await fh.close().catch(() => undefined)
  }

  /** fsyncs every segment written since its last fsync, and the directory if files were created. */
  private async fsyncAll(): Promise<void> {
    if (this.crashed) return
    for (const seg of [...this.unsynced]) {
      this.unsynced.delete(seg)
      const fh = seg.fh
      if (fh === undefined || seg.deleted) continue
      try {
        await fh.sync()
        // An unlinked file (nlink 0) still accepts writes that no restart will ever see.
        if (seg === this.active && (await fh.stat()).nlink === 0) void this.enqueue(() => this.segmentVanished(seg))
      } catch (err) {
        // EBADF: the segment was sealed and closed meanwhile; its close did the fsync.
        if ((err as NodeJS.ErrnoException).code !== 'EBADF') throw err
      }
    }
    if (this.dirDirty) {
      this.dirDirty = false
      await fsyncDir(this.dir)
    }
  }

  private async segmentVanished(seg: Segment): Promise<void> {
    if (seg.deleted || seg.fh === undefined) return
    if (!seg.sealed) this.seal(seg)
    await this.closeFile(seg, false)
    await this.recreateDir()
  }

  /** Recreates the directory and lock, and forgets the bytes of segment files that are gone. */
  private async recreateDir(): Promise<void> {
    await makeDirectory(this.dir)
    await rewriteLock(this.dir)
    let lostEntries = 0
    for (const seg of [...this.segments.values()]) {
      if (seg.deleted || seg.writtenBytes === 0) continue
      if (await stat(seg.path).then(() => true, () => false)) continue
      lostEntries += seg.entries - seg.acked - seg.pendingEntries
      this.accounted -= seg.writtenBytes
      seg.bytes -= seg.writtenBytes
      seg.writtenBytes = 0
      // Writes through a handle of the unlinked file would vanish: start a fresh file instead.
      if (!seg.sealed) this.seal(seg)
      await this.closeFile(seg, false)
      if (seg.recovered && seg.scanner === undefined) seg.scanDone = true
    }
    this.dirDirty = true
    this.emit({
      kind: 'io-error',
      message: `disk buffer directory ${this.dir} was removed while in use; recreated it. ${Math.max(0, lostEntries)} unacknowledged entries are no longer on disk (the shipper still holds them in memory)`,
    })
  }

  // --- acks and deletion -------------------------------------------------------------------

  private maybeDelete(seg: Segment): void {
    if (this.crashed || seg.deleted || !seg.sealed || !seg.scanDone || seg.acked < seg.entries) return
    seg.deleted = true
    this.segments.delete(seg.n)
    void this.enqueue(async () => {
      if (this.crashed) return
      await seg.closingFile
      await this.closeFile(seg, false)
      await seg.scanner?.finish()
      this.pendingTotal -= seg.pendingBytes
      seg.pending = []
      seg.pendingBytes = 0
      await unlink(seg.path).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.reportIoError(err)
      })
      this.accounted -= seg.bytes
      seg.bytes = 0
    })
  }

  // --- housekeeping ------------------------------------------------------------------------

  private tick(): void {
    this.reports.flush()
    if (this.fsyncIntervalMs > 0 && this.intervalFsync === undefined && (this.unsynced.size > 0 || this.dirDirty)) {
      this.intervalFsync = this.fsyncAll()
        .catch((err: unknown) => this.reportIoError(err))
        .finally(() => (this.intervalFsync = undefined))
      this.track(this.intervalFsync)
    }
  }

  private async closeNow(): Promise<void> {
    if (this.crashed) return
    this.closed = true
    clearInterval(this.timer)
    await this.readChain
    if (this.active) this.seal(this.active)
    await this.enqueue(() => this.writeOut())
    await this.settleBackground()
    await this.fsyncAll().catch((err: unknown) => this.reportIoError(err))
    for (const seg of this.segments.values()) this.maybeDelete(seg)
    await this.io
    await this.settleBackground()
    await this.closeAllFiles()
    this.reports.flush(true)
    await releaseLock(this.dir)
  }

  private reportIoError(err: unknown, message?: string): void {
    this.reports.ioError(err, message)
  }
}

