import { open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { DiskBufferError } from './errors.js'
import { makeDirectory } from './make-directory.js'
import { abandonLock, acquireLock, releaseLock, rewriteLock } from './lock.js'
import { encodeRecord, MAX_ID_BYTES, recordBytes } from './record.js'
import { RateLimitedReport, safeReporter } from './reporter.js'
import { SegmentScanner } from './segment-scanner.js'
import type { SegmentLog, SegmentLogOptions, SegmentLogReport, SpoolEntry } from './types.js'

/** Fluentd's file buffer uses 8 MB chunks (`chunk_limit_size` for most outputs); so do we. */
const DEFAULT_SEGMENT_MAX_BYTES = 8 * 1024 * 1024
const DEFAULT_REPORT_INTERVAL_MS = 10_000
/** Records are encoded straight into slabs of this size, so an append allocates nothing. */
const SLAB_BYTES = 256 * 1024
/** After a failed write, appends stay memory-only this long before the disk is tried again. */
const IO_RETRY_MS = 1_000
const SEGMENT_FILE = /^seg-(\d+)\.log$/

/** File name of segment `n`; zero-padded so `ls` shows them in order (parsing accepts any width). */
export function segmentFileName(n: number): string {
  return `seg-${String(n).padStart(8, '0')}.log`
}

interface Segment {
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

function newSegment(dir: string, n: number, recovered: boolean, bytes: number): Segment {
  return {
    n, path: join(dir, segmentFileName(n)), recovered, bytes, entries: 0, acked: 0, sealed: recovered,
    scanDone: !recovered, deleted: false, fh: undefined, closingFile: undefined, pending: [], pendingBytes: 0, pendingEntries: 0,
    queued: false, writtenBytes: recovered ? bytes : 0, scanner: undefined,
  }
}

/**
 * Opens (creating if needed) the buffer directory, takes its lock and lists the segments left by
 * earlier runs, which `readRecovered` then replays.
 *
 * @throws DiskBufferError `TW_SHIPPER_BUFFER_OPTIONS` for invalid options,
 *   `TW_SHIPPER_BUFFER_LOCKED` when a live process holds the directory,
 *   `TW_SHIPPER_BUFFER_IO` when the directory cannot be created or listed.
 */
export async function openSegmentLog(options: SegmentLogOptions): Promise<SegmentLog> {
  const dir = resolve(validate(options))
  try {
    await makeDirectory(dir)
  } catch (err) {
    throw new DiskBufferError('TW_SHIPPER_BUFFER_IO', `cannot create buffer directory ${dir}: ${(err as Error).message}`, { cause: err })
  }
  await acquireLock(dir)
  try {
    const found: Segment[] = []
    for (const name of await readdir(dir)) {
      const m = SEGMENT_FILE.exec(name)
      if (!m) continue
      const st = await stat(join(dir, name)).catch(() => undefined)
      if (!st?.isFile()) continue
      const seg = newSegment(dir, Number(m[1]), true, st.size)
      // Keep the name we found (it may not be zero-padded like ours).
      found.push({ ...seg, path: join(dir, name) })
    }
    found.sort((a, b) => a.n - b.n)
    return new FileSegmentLog(dir, options, found)
  } catch (err) {
    await releaseLock(dir)
    throw err instanceof DiskBufferError
      ? err
      : new DiskBufferError('TW_SHIPPER_BUFFER_IO', `cannot list buffer directory ${dir}: ${(err as Error).message}`, { cause: err })
  }
}

function validate(o: SegmentLogOptions): string {
  const bad = (what: string, got: unknown): never => {
    throw new DiskBufferError('TW_SHIPPER_BUFFER_OPTIONS', `disk buffer option ${what}; received ${JSON.stringify(got)}`)
  }
  if (typeof o.dir !== 'string' || o.dir === '') bad('dir must be a non-empty path', o.dir)
  if (!Number.isFinite(o.maxDiskBytes) || o.maxDiskBytes <= 0) bad('maxDiskBytes must be a positive number', o.maxDiskBytes)
  if (o.segmentMaxBytes !== undefined && (!Number.isFinite(o.segmentMaxBytes) || o.segmentMaxBytes <= 0)) {
    bad('segmentMaxBytes must be a positive number', o.segmentMaxBytes)
  }
  if (!Number.isFinite(o.fsyncIntervalMs) || o.fsyncIntervalMs < 0) bad('fsyncIntervalMs must be >= 0', o.fsyncIntervalMs)
  if (o.maxPendingBytes !== undefined && (!Number.isFinite(o.maxPendingBytes) || o.maxPendingBytes <= 0)) {
    bad('maxPendingBytes must be a positive number', o.maxPendingBytes)
  }
  if (o.reportIntervalMs !== undefined && (!Number.isFinite(o.reportIntervalMs) || o.reportIntervalMs < 0)) {
    bad('reportIntervalMs must be >= 0', o.reportIntervalMs)
  }
  return o.dir
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
  private readonly recoverQueue: Segment[]
  private readonly segmentMaxBytes: number
  private readonly maxDiskBytes: number
  private readonly maxPendingBytes: number
  private readonly fsyncIntervalMs: number
  private readonly emit: (r: SegmentLogReport) => void
  private readonly fullReport: RateLimitedReport
  private readonly ioReport: RateLimitedReport
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
  private lastIoError = ''

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
    const reportIntervalMs = options.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS
    this.fullReport = new RateLimitedReport(this.emit, reportIntervalMs)
    this.ioReport = new RateLimitedReport(this.emit, reportIntervalMs)
    for (const seg of recovered) {
      this.segments.set(seg.n, seg)
      this.accounted += seg.bytes
    }
    this.recoverQueue = [...recovered]
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
        this.ioReport.report(this.describeBlocked)
        return undefined
      }
      this.blockedUntil = 0
    }
    const idBytes = Buffer.byteLength(entry.id)
    if (idBytes > MAX_ID_BYTES) {
      this.ioReport.report(this.describeLongId)
      return undefined
    }
    const size = recordBytes(idBytes, entry.line.length)
    if (this.accounted + size > this.maxDiskBytes) {
      this.fullReport.report(this.describeFull)
      return undefined
    }
    if (this.pendingTotal > 0 && this.pendingTotal + size > this.maxPendingBytes) {
      this.ioReport.report(this.describeBehind)
      return undefined
    }
    let seg = this.active
    if (seg === undefined || (seg.entries > 0 && seg.bytes + size > this.segmentMaxBytes)) seg = this.roll()
    if (this.slabEnd + size > this.slab.length) {
      this.cut()
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, size))
      this.slabStart = this.slabEnd = 0
    }
    this.slabEnd = encodeRecord(this.slab, this.slabEnd, entry.id, idBytes, entry.line)
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

  readRecovered(maxBytes: number): Promise<Array<SpoolEntry & { ticket: number }>> {
    const run = this.readChain.then(() => this.readRecoveredNow(Math.max(1, maxBytes)))
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

  // --- recovery ----------------------------------------------------------------------------

  private async readRecoveredNow(maxBytes: number): Promise<Array<SpoolEntry & { ticket: number }>> {
    const out: Array<SpoolEntry & { ticket: number }> = []
    let bytes = 0
    while (!this.closed && this.recoverQueue.length > 0) {
      const seg = this.recoverQueue[0]!
      let rec
      if (!seg.deleted && !seg.scanDone) {
        seg.scanner ??= new SegmentScanner(seg.path, seg.writtenBytes)
        try {
          rec = await seg.scanner.next(maxBytes - bytes)
        } catch (err) {
          this.reportIoError(err, `cannot read recovered segment ${seg.path}: ${(err as Error).message}; the rest of it is skipped`)
        }
      }
      if (rec === undefined) {
        this.recoverQueue.shift()
        await this.finishScan(seg)
        continue
      }
      seg.entries++
      out.push({ id: rec.id, line: rec.line, ticket: seg.n })
      bytes += rec.size
      if (bytes >= maxBytes) break
    }
    return out
  }

  private async finishScan(seg: Segment): Promise<void> {
    const scanner = seg.scanner
    seg.scanner = undefined
    seg.scanDone = true
    if (scanner) {
      await scanner.finish()
      if (scanner.lostBytes > 0) {
        this.emit({
          kind: 'corrupt-segment',
          file: seg.path,
          lostBytes: scanner.lostBytes,
          message: `skipped ${scanner.lostBytes} corrupt or torn bytes of ${seg.path}; recovered ${seg.entries} entries`,
        })
      }
    }
    this.maybeDelete(seg)
  }

  // --- housekeeping ------------------------------------------------------------------------

  private tick(): void {
    this.fullReport.flush()
    this.ioReport.flush()
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
    this.fullReport.flush(true)
    this.ioReport.flush(true)
    await releaseLock(this.dir)
  }

  private reportIoError(err: unknown, message?: string): void {
    this.lastIoError = message ?? `disk buffer I/O error: ${(err as Error)?.message ?? String(err)}`
    this.ioReport.report(this.describeIo)
  }

  private readonly describeIo = (count: number): SegmentLogReport => ({
    kind: 'io-error',
    message: count > 1 ? `${this.lastIoError} (${count} I/O problems in this interval)` : this.lastIoError,
  })

  private readonly describeFull = (count: number): SegmentLogReport => ({
    kind: 'disk-full',
    message: `disk buffer full (maxDiskBytes ${this.maxDiskBytes}, ${this.accounted} in use): ${count} entries kept in memory only`,
  })

  private readonly describeBlocked = (count: number): SegmentLogReport => ({
    kind: 'io-error',
    message: `disk buffer paused after a write error: ${count} entries kept in memory only`,
  })

  private readonly describeBehind = (count: number): SegmentLogReport => ({
    kind: 'io-error',
    message: `disk writes are falling behind (${this.pendingTotal} bytes waiting): ${count} entries kept in memory only`,
  })

  private readonly describeLongId = (count: number): SegmentLogReport => ({
    kind: 'io-error',
    message: `${count} entries have an id longer than ${MAX_ID_BYTES} bytes and were kept in memory only`,
  })
}

/** Writes every byte of `bufs` (`writev` may write less than asked). */
async function writeAll(fh: FileHandle, bufs: Buffer[], bytes: number): Promise<void> {
  let rest = bufs
  let left = bytes
  for (;;) {
    const { bytesWritten } = await fh.writev(rest)
    left -= bytesWritten
    if (left <= 0) return
    if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' })
    let skip = bytesWritten
    const next: Buffer[] = []
    for (const b of rest) {
      if (skip >= b.length) skip -= b.length
      else {
        next.push(skip > 0 ? b.subarray(skip) : b)
        skip = 0
      }
    }
    rest = next
  }
}

/**
 * fsyncs the directory so a newly created segment file survives power loss (a file's own fsync
 * does not persist its directory entry on Linux; Vector PRs #25766/#25779 add the same).
 * Unsupported on some platforms (Windows): ignored there.
 */
async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err
  } finally {
    await fh?.close().catch(() => undefined)
  }
}
