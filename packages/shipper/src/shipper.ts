/**
 * The shipper: accepts lines, batches them, sends `_bulk` requests, settles every document as
 * delivered, dead-lettered or dropped, and retries everything else until it can.
 *
 * Invariant (tested): accepted = delivered + deadLettered + deadLetterDropped + dropped + leftOnDisk + buffered.
 *
 * This file is the accounting: intake (`write`), settling, `flush()` and `close()`. It stays one file
 * (~430 lines) because every counter of the invariant is moved here and only here; the parts with
 * a seam of their own are beside it: sending and retries (`bulk-sender.ts`, `retry-queue.ts`), the
 * queue of unsent entries (`pending-queue.ts`), the durable buffer (`durable-buffer.ts`,
 * `replay.ts`), drop reports (`drop-reporter.ts`) and flush waiters (`flush-waiters.ts`).
 */
import type { BulkTransport } from './bulk-transport.js'
import { BulkSender } from './bulk-sender.js'
import { createClientTransport } from './client-transport.js'
import { documentText, parseLine } from './document.js'
import { createRunId } from './document-id.js'
import { DropReporter } from './drop-reporter.js'
import { DurableStore } from './durable-buffer.js'
import type { RecoveredEntry } from './disk-buffer/index.js'
import type { Entry } from './entry.js'
import { Arena, EntryState, documentOf } from './entry.js'
import { ShipperRequestError } from './errors.js'
import type { ShipperErrorCode } from './errors.js'
import { createHttpTransport } from './http-transport.js'
import type { IndexNamer } from './index-name.js'
import type { ResolvedOptions } from './options.js'
import { redactText } from './redact.js'
import type { CloseResult, DeadLetter, Shipper, ShipperOptions, ShipperStats } from './types.js'
import { FlushWaiters } from './flush-waiters.js'
import { describeValue, isBlank } from './line-input.js'
import { PendingQueue } from './pending-queue.js'
import { writeStderr } from './stderr.js'
import { checkOptions } from './validate-options.js'

/**
 * Creates a shipper that indexes log lines into `fluentd-<service>-YYYYMMDD` exactly as the
 * reference Fluentd pipeline would. Validates every option here and throws `ShipperConfigError`
 * (code `TW_SHIPPER_CONFIG`) for mistakes; after construction nothing throws into the caller.
 *
 * @example
 * const shipper = createShipper({ node: 'http://127.0.0.1:9200' })
 * shipper.write(line)
 * await shipper.close()
 */
export function createShipper(options: ShipperOptions): Shipper {
  const { resolved, namer, nodes } = checkOptions(options)
  let transport: BulkTransport
  if (nodes === undefined) {
    transport = createClientTransport(options.client!, resolved.requestTimeoutMs)
  } else {
    const { urls, auth } = nodes
    transport = createHttpTransport(urls, {
      auth,
      tls: options.tls,
      compression: resolved.compression,
      connections: resolved.maxConcurrentRequests,
      requestTimeoutMs: resolved.requestTimeoutMs,
      nodeCooldownMs: resolved.retryWaitMs,
    })
  }
  return new BulkShipper(resolved, options, namer, transport)
}

class BulkShipper implements Shipper {
  private readonly runId = createRunId()
  private readonly arena: Arena
  private readonly drops: DropReporter
  private readonly durable: DurableStore
  private readonly pending = new PendingQueue()
  private readonly sender: BulkSender

  private seq = 0
  private accepted = 0
  private recovered = 0
  private delivered = 0
  private duplicates = 0
  private deadLettered = 0
  private deadLetterDropped = 0
  private leftOnDisk = 0
  private bufferedBytes = 0
  private bufferedDocs = 0
  private lastError: ShipperStats['lastError'] = null

  private readonly intervalTimer: NodeJS.Timeout
  private readonly flushWaiters = new FlushWaiters()
  private drainWaiters: Array<() => void> = []
  private closing = false
  private closedHard = false
  private closePromise: Promise<CloseResult> | undefined

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly callbacks: Pick<ShipperOptions, 'onDeadLetter' | 'onDrop' | 'onError'>,
    private readonly namer: IndexNamer,
    private readonly transport: BulkTransport,
  ) {
    // One arena holds a full batch plus a maximal line, so most batches are one zero-copy slice; but
    // at most 1/8 of maxBufferBytes, because arenas still referenced by a pending or in-flight entry
    // are memory beyond bufferedBytes (bounded by about (maxConcurrentRequests + 2) arenas).
    this.arena = new Arena(Math.min(opts.flushBytes + opts.maxLineBytes, Math.max(64 * 1024, Math.floor(opts.maxBufferBytes / 8))))
    this.drops = new DropReporter(opts.dropReportIntervalMs, opts.overflowPolicy, opts.reportDropsToStderr, callbacks.onDrop)
    this.sender = new BulkSender(opts, transport, this.pending, this.arena, {
      delivered: (entry, duplicate) => {
        if (duplicate) this.duplicates++
        this.delivered++
        this.settle(entry)
      },
      deadLetter: (entry, status, reason) => this.deadLetterEntry(entry, status, reason),
      error: (code, message, status) => this.recordError(code, message, status, true),
    })
    this.intervalTimer = setInterval(() => {
      if (!this.pending.isEmpty) this.sender.flushPending()
    }, opts.flushIntervalMs)
    this.intervalTimer.unref()
    this.durable = new DurableStore(opts, {
      reportBufferError: (message) => this.recordError('TW_SHIPPER_BUFFER', message, null, true),
      deadLettersLost: (count) => {
        this.deadLettered -= count
        this.deadLetterDropped += count
      },
      unsettledEntries: () => this.unsettledEntries(),
      idOf: (entry) => entry.id ?? this.runId + entry.seq.toString(36),
      fits: (bytes) => this.bufferedBytes + bytes <= this.opts.maxBufferBytes,
      roomOrStop: () => new Promise((resolve) => this.drainWaiters.push(resolve)),
      stopped: () => this.closedHard,
      accept: (entries) => this.acceptReplayed(entries),
    })
  }

  write(line: string | Buffer): boolean {
    if (typeof line !== 'string' && !Buffer.isBuffer(line)) return this.refuseNonText(line)
    const text = typeof line === 'string' ? line : line.toString('utf8')
    // One write is one line; a `\n` before the end starts another line (NDJSON, as a stream of
    // lines would be read). Never part of one document: in a `_bulk` body a newline inside a
    // document would end it, and what follows would be read as an action of its own.
    const firstNewline = text.indexOf('\n')
    if (firstNewline >= 0 && firstNewline < text.length - 1 && !isBlank(text, firstNewline)) return this.writeLines(text)
    // The logger ends lines with \n (a CRLF writer with \r\n); the parser is told where the line ends.
    let end = text.length
    while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--
    if (end === 0) return true
    this.accepted++
    if (this.closing) {
      this.drops.add(1)
      return false
    }
    return this.accept(text, end, typeof line === 'string' ? undefined : line.subarray(0, Buffer.byteLength(text.slice(0, end))), undefined, undefined)
  }

  /** Several lines in one write: each is accepted on its own. */
  private writeLines(text: string): boolean {
    let room = true
    for (const part of text.split('\n')) {
      if (!this.write(part)) room = false
    }
    return room
  }

  /** `write(123)`, `write(null)`…: counted and dead-lettered with the reason, never thrown into the caller. */
  private refuseNonText(value: unknown): boolean {
    this.accepted++
    if (this.closing) {
      this.drops.add(1)
      return false
    }
    const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
    this.deadLetter({ document: describeValue(value), index: null, status: null, reason: `write() takes a string or a Buffer holding one line, got ${kind}` })
    return true
  }

  /** Shared by `write` and recovery: recovered lines bring their id and ticket. */
  private accept(text: string, end: number, raw: Buffer | undefined, id: string | undefined, ticket: number | undefined): boolean {
    const parsed = parseLine(text, end)
    if ('reason' in parsed) {
      this.deadLetter({ document: text.slice(0, end), index: null, status: null, reason: parsed.reason })
      if (ticket !== undefined) this.durable.ack(ticket)
      return true
    }
    const index = this.namer(parsed.service, parsed.timeSeconds)
    const seq = this.seq
    const docId = id ?? this.runId + seq.toString(36)
    const placed = this.arena.append(`{"create":{"_index":"${index}","_id":"${docId}"}}\n`, parsed, this.opts.maxLineBytes)
    if (!placed) {
      const document = documentText(parsed)
      this.deadLetter({
        document,
        index,
        status: null,
        reason: `document of ${Buffer.byteLength(document)} bytes exceeds maxLineBytes (${this.opts.maxLineBytes}); it could never be sent`,
      })
      if (ticket !== undefined) this.durable.ack(ticket)
      return true
    }
    // The body pairs each action with exactly one document line: a document holding a newline (only
    // possible as JSON whitespace) would pair the rest with nothing. write() already split its text at
    // every `\n` and a document is cut from that text (UTF-8 never encodes other characters with a
    // 0x0A byte), so only replayed lines, read back from disk with their id, can still hold one.
    if (id !== undefined && placed.buf.indexOf(10, placed.docStart) !== placed.end - 1) {
      this.arena.undo(placed.start)
      this.deadLetter({ document: documentText(parsed), index, status: null, reason: 'document contains a newline; it would break the _bulk request apart' })
      if (ticket !== undefined) this.durable.ack(ticket)
      return true
    }
    const bytes = placed.end - placed.start
    let accepted = true
    if (this.bufferedBytes + bytes > this.opts.maxBufferBytes) {
      accepted = this.makeRoom(bytes)
      if (!accepted) {
        this.drops.add(1)
        if (ticket !== undefined) this.durable.ack(ticket)
        return false
      }
    }
    this.seq++
    const entry: Entry = {
      id,
      seq,
      buf: placed.buf,
      start: placed.start,
      docStart: placed.docStart,
      end: placed.end,
      index,
      ticket,
      raw: undefined,
      attempts: 0,
      firstFailedAt: 0,
      state: EntryState.Pending,
    }
    if (ticket === undefined) {
      const log = this.durable.log
      if (log) entry.ticket = log.append({ id: docId, line: raw ?? (end === text.length ? text : text.slice(0, end)) })
      // The log is still opening: keep the raw line so it can be appended once it is ready.
      else if (this.durable.isOpening) entry.raw = raw ?? text.slice(0, end)
    }
    this.pending.push(entry)
    this.bufferedBytes += bytes
    this.bufferedDocs++
    if (this.pending.bytes >= this.opts.flushBytes) this.sender.pump()
    return this.bufferedBytes < this.opts.maxBufferBytes
  }

  /** Applies the overflow policy; returns whether the new entry may be added. */
  private makeRoom(bytes: number): boolean {
    const { overflowPolicy, maxBufferBytes } = this.opts
    if (overflowPolicy === 'drop_newest') return false
    if (overflowPolicy === 'block') {
      // The caller was told to wait (write returned false); a caller that ignores it is bounded at 2x.
      return this.bufferedBytes + bytes <= 2 * maxBufferBytes
    }
    // drop_oldest: the oldest data not currently on the wire: first waiting retries, then pending.
    let dropped = 0
    while (this.bufferedBytes + bytes > maxBufferBytes) {
      const victim = this.oldestDroppable()
      if (!victim) break
      this.settle(victim)
      dropped++
    }
    if (dropped > 0) this.drops.add(dropped)
    return this.bufferedBytes + bytes <= maxBufferBytes
  }

  private oldestDroppable(): Entry | undefined {
    return this.sender.shiftOldestRetry() ?? this.pending.shift()
  }

  drained(): Promise<void> {
    if (this.bufferedBytes < this.opts.maxBufferBytes || this.closedHard) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  flush(): Promise<void> {
    this.sender.flushPending()
    return (async () => {
      // Lines replayed from the durable buffer count as "accepted so far": wait for the replay first.
      await this.durable.replayed()
      await this.flushAccepted()
      // Dead letters count once they are in the file: let the file catch up before anyone reads stats().
      await this.durable.deadLettersWritten()
    })()
  }

  private flushAccepted(): Promise<void> {
    this.sender.markFlushDue()
    if (this.bufferedDocs === 0) return Promise.resolve()
    const promise = this.flushWaiters.wait(this.seq, this.bufferedDocs)
    // Waiting retries are sent now too: flush means "try now", not "after the backoff".
    this.sender.sendAllNow()
    return promise
  }

  stats(): ShipperStats {
    return {
      accepted: this.accepted,
      recovered: this.recovered,
      delivered: this.delivered,
      duplicates: this.duplicates,
      retried: this.sender.retried,
      deadLettered: this.deadLettered,
      deadLetterDropped: this.deadLetterDropped,
      dropped: this.drops.dropped,
      leftOnDisk: this.leftOnDisk,
      bufferedBytes: this.bufferedBytes,
      bufferedDocs: this.bufferedDocs,
      diskBytes: this.durable.diskBytes,
      inFlight: this.sender.inFlight,
      lastError: this.lastError,
    }
  }

  close(): Promise<CloseResult> {
    this.closePromise ??= this.doClose()
    return this.closePromise
  }

  private async doClose(): Promise<CloseResult> {
    this.closing = true
    clearInterval(this.intervalTimer)
    // The deadline starts now, whatever the buffer is doing (opening a directory, replaying).
    let deadline: NodeJS.Timeout | undefined
    const timedOut = new Promise<boolean>((resolve) => {
      // Ref'd on purpose: close() must keep the process alive until the final flush settles or the deadline.
      deadline = setTimeout(() => resolve(true), this.opts.shutdownTimeoutMs)
    })
    // flush(), not only what was written: a short-lived process also delivers the backlog an
    // earlier run left on disk, or it would only ever grow.
    const flushed = this.flush().then(() => false)
    const expired = await Promise.race([flushed, timedOut])
    clearTimeout(deadline)
    this.closedHard = true
    this.sender.stop()
    this.keepUnsettledOnDisk()
    this.durable.abandonEarlyDeadLetters()
    const lost = this.bufferedDocs
    this.drops.report()
    this.drops.stop()
    for (const resolve of this.drainWaiters.splice(0)) resolve()
    await this.transport.close()
    await this.durable.close()
    if (this.opts.reportDropsToStderr) this.reportClose(expired, lost, this.durable.diskBytes)
    return { delivered: this.delivered, deadLettered: this.deadLettered, undelivered: this.leftOnDisk + lost, leftOnDisk: this.leftOnDisk }
  }

  /**
   * At the deadline, unsettled entries with a durable-buffer ticket stay on disk (not acked) for the
   * next start: they leave `buffered` for `leftOnDisk`. What is left in `buffered` is lost.
   */
  private keepUnsettledOnDisk(): void {
    if (!this.durable.log) return
    const unsettled = this.unsettledEntries()
    for (const entry of unsettled) {
      if (entry.state === EntryState.Settled || entry.ticket === undefined) continue
      entry.state = EntryState.Settled
      this.bufferedBytes -= entry.end - entry.start
      this.bufferedDocs--
      this.leftOnDisk++
    }
  }

  /** One stderr summary of what close() could not deliver and what it replayed. */
  private reportClose(expired: boolean, lost: number, diskBytes: number): void {
    const parts: string[] = []
    if (this.recovered > 0) parts.push(`replayed ${this.recovered} line(s) from the durable buffer`)
    if (expired) parts.push(`gave up after ${this.opts.shutdownTimeoutMs} ms`)
    if (this.leftOnDisk > 0) parts.push(`${this.leftOnDisk} document(s) undelivered, kept in the durable buffer for the next start (leftOnDisk)`)
    if (lost > 0) parts.push(`${lost} document(s) undelivered and lost (memory only)`)
    if (diskBytes > 0) parts.push(`${diskBytes} byte(s) remain in the durable buffer`)
    if (this.deadLetterDropped > 0) parts.push(`${this.deadLetterDropped} dead letter(s) could not be written (deadLetterDropped)`)
    if (expired || this.leftOnDisk > 0 || lost > 0 || this.recovered > 0 || this.deadLetterDropped > 0) writeStderr(`closed: ${parts.join('; ')}`)
  }

  /** A chunk of the backlog an earlier run left on disk, accepted again with its ids and tickets. */
  private acceptReplayed(entries: Array<RecoveredEntry>): void {
    this.accepted += entries.length
    this.recovered += entries.length
    for (const e of entries) {
      const text = e.line.toString('utf8')
      this.accept(text, text.length, e.line, e.id, e.ticket)
    }
    this.sender.flushPending()
  }

  /** Every entry not yet settled: pending, waiting to retry, in flight. */
  private unsettledEntries(): Entry[] {
    return [...this.pending.toArray(), ...this.sender.unsettledEntries()]
  }

  private recordError(code: ShipperErrorCode | 'TW_SHIPPER_CONFIG', message: string, status: number | null, report: boolean): void {
    const safe = redactText(message)
    this.lastError = { code, message: safe, time: new Date().toISOString() }
    if (!report || !this.callbacks.onError) return
    try {
      this.callbacks.onError(new ShipperRequestError(code, safe, status))
    } catch {
      // Callbacks never break shipping.
    }
  }

  // ---- settling -------------------------------------------------------------------------------

  private deadLetterEntry(entry: Entry, status: number | null, reason: string): void {
    this.deadLetter({ document: documentOf(entry), index: entry.index, status, reason })
    this.settle(entry)
  }

  private deadLetter(record: Omit<DeadLetter, 'time'>): void {
    // The reason may quote the server, and a server (or proxy) may echo the request's credentials.
    const full: DeadLetter = { ...record, reason: redactText(record.reason), time: new Date().toISOString() }
    this.deadLettered++
    this.durable.writeDeadLetter(full)
    try {
      this.callbacks.onDeadLetter?.(full)
    } catch {
      // Callbacks never break shipping.
    }
  }

  /** Removes an entry from the buffer accounting (delivered, dead-lettered or dropped). */
  private settle(entry: Entry): void {
    if (entry.state === EntryState.Settled) return
    entry.state = EntryState.Settled
    entry.raw = undefined
    this.bufferedBytes -= entry.end - entry.start
    this.bufferedDocs--
    if (entry.ticket !== undefined) this.durable.ack(entry.ticket)
    this.flushWaiters.settled(entry.seq)
    if (this.drainWaiters.length > 0 && this.bufferedBytes < this.opts.maxBufferBytes) {
      for (const resolve of this.drainWaiters.splice(0)) resolve()
    }
  }
}
