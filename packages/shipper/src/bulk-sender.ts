/**
 * The sending side of the shipper: takes batches from the pending queue and the retry queue, keeps at
 * most `maxConcurrentRequests` `_bulk` requests in flight, reads each answer per item, and backs off
 * after failures as the reference Fluentd config does. What becomes of each entry (delivered,
 * dead-lettered) is handed back to the shipper, which keeps the accounting.
 */
import type { BackoffPolicy } from './backoff.js'
import { retryDelayMs } from './backoff.js'
import type { BulkTransport } from './bulk-transport.js'
import { ITEM_DEAD, ITEM_RETRY, classifyBulkResponse } from './bulk-response.js'
import type { Arena, Batch, Entry } from './entry.js'
import { EntryState, bodyOf, compact } from './entry.js'
import { ShipperRequestError } from './errors.js'
import type { ShipperErrorCode } from './errors.js'
import type { ResolvedOptions } from './options.js'
import type { PendingQueue } from './pending-queue.js'
import { redactText } from './redact.js'
import { RetryQueue } from './retry-queue.js'

/** What the sender hands back to the shipper. */
export interface SendOutcomes {
  /** Elasticsearch indexed the entry, or already held it (`duplicate`: a 409 on `create`). */
  delivered(entry: Entry, duplicate: boolean): void
  /** The entry will never be indexed. */
  deadLetter(entry: Entry, status: number | null, reason: string): void
  /** A failed request, for `lastError` and `onError`. */
  error(code: ShipperErrorCode, message: string, status: number | null): void
}

/** Sends batches to `_bulk` and retries what may succeed later. */
export class BulkSender {
  private readonly retries = new RetryQueue()
  private readonly inFlightBatches = new Set<Batch>()
  private readonly controllers = new Set<AbortController>()
  private readonly policy: BackoffPolicy
  private inFlightCount = 0
  private retriedCount = 0
  private consecutiveFailures = 0
  private pausedUntil = 0
  private flushDue = false
  private wakeTimer: NodeJS.Timeout | undefined
  private wakeAt = 0
  private stopped = false

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly transport: BulkTransport,
    private readonly pending: PendingQueue,
    private readonly arena: Arena,
    private readonly outcomes: SendOutcomes,
  ) {
    this.policy = opts
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.inFlightCount
  }

  /** Entries sent again after a failure, since start. */
  get retried(): number {
    return this.retriedCount
  }

  /** Sends what is pending even below `flushBytes` (the flush interval, `flush()`, a replayed chunk). */
  flushPending(): void {
    this.flushDue = true
    this.pump()
  }

  /** The next batch goes out even below `flushBytes` (set by `flush()`, also when nothing is buffered). */
  markFlushDue(): void {
    this.flushDue = true
  }

  /** `flush()`: sends what is pending and what waits to be retried now, not after the backoff. */
  sendAllNow(): void {
    this.flushDue = true
    this.pausedUntil = 0
    this.retries.makeAllDue()
    this.pump()
  }

  /** Entries waiting to be retried or in flight. */
  unsettledEntries(): Entry[] {
    return [...this.retries.entries(), ...[...this.inFlightBatches].flatMap((b) => b.entries)]
  }

  /** Removes the oldest entry waiting to be retried (for `drop_oldest`), or `undefined`. */
  shiftOldestRetry(): Entry | undefined {
    return this.retries.shiftOldestEntry()
  }

  /** At close's deadline: aborts the requests in flight; nothing is sent or settled any more. */
  stop(): void {
    this.stopped = true
    if (this.wakeTimer) clearTimeout(this.wakeTimer)
    for (const controller of this.controllers) controller.abort()
  }

  /** Sends batches while there is room for requests and something is due. */
  pump(): void {
    if (this.stopped) return
    while (this.inFlightCount < this.opts.maxConcurrentRequests) {
      const now = Date.now()
      if (now < this.pausedUntil) {
        this.wakeUpAt(this.pausedUntil)
        return
      }
      const batch = this.takeRetry(now) ?? this.takePending()
      if (!batch) {
        const next = this.retries.nextDueAt()
        if (next !== Number.POSITIVE_INFINITY) this.wakeUpAt(next)
        return
      }
      void this.send(batch)
    }
  }

  private wakeUpAt(time: number): void {
    if (this.wakeTimer && this.wakeAt <= time) return
    if (this.wakeTimer) clearTimeout(this.wakeTimer)
    this.wakeAt = time
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined
      this.pump()
    }, Math.max(0, time - Date.now()))
    // Idle processes may exit; close() holds its own ref'd deadline timer while it waits.
    this.wakeTimer.unref()
  }

  private takeRetry(now: number): Batch | undefined {
    const batch = this.retries.takeDue(now)
    if (batch) this.retriedCount += batch.entries.length
    return batch
  }

  private takePending(): Batch | undefined {
    if (this.pending.isEmpty) {
      this.flushDue = false
      return undefined
    }
    if (!this.flushDue && this.pending.bytes < this.opts.flushBytes) return undefined
    const { entries, bytes } = this.pending.take(this.opts.flushBytes)
    // The queue is empty now unless the batch is full: the next batch starts in a fresh arena.
    if (this.pending.isEmpty) this.arena.rollIfBelow(this.opts.flushBytes)
    return { entries, bytes, notBefore: 0 }
  }

  private async send(batch: Batch): Promise<void> {
    this.inFlightCount++
    this.inFlightBatches.add(batch)
    for (const entry of batch.entries) entry.state = EntryState.InFlight
    const controller = new AbortController()
    this.controllers.add(controller)
    // Our own timer: undici's header/body timeouts are coarse, and this also covers the client transport.
    const timeout = setTimeout(() => controller.abort(), this.opts.requestTimeoutMs)
    timeout.unref()
    const body = bodyOf(batch)
    try {
      const answer = await this.transport.send(body, controller.signal)
      if (this.stopped) return
      this.handleAnswer(batch, answer.status, answer.body)
    } catch (err) {
      if (this.stopped) return
      const e = err instanceof ShipperRequestError ? err : new ShipperRequestError('TW_SHIPPER_CONNECTION', redactText(String((err as Error)?.message ?? err)), null)
      this.failWhole(batch, e.code, e.message, null)
    } finally {
      clearTimeout(timeout)
      this.controllers.delete(controller)
      this.inFlightBatches.delete(batch)
      this.inFlightCount--
      this.pump()
    }
  }

  private handleAnswer(batch: Batch, status: number, body: string): void {
    const verdict = classifyBulkResponse(status, body, batch.entries.length)
    if (verdict.kind === 'retry') {
      this.failWhole(batch, verdict.code, verdict.message, verdict.status)
      return
    }
    if (verdict.kind === 'split') {
      let notBefore = 0
      if (verdict.status === 400) {
        // A whole-request 400 is reported and backed off like any failed request: halving finds a
        // poison item, but an endpoint that answers 400 to everything (a misconfigured proxy) must
        // not get thousands of requests a second with nobody told.
        this.outcomes.error('TW_SHIPPER_HTTP_STATUS', verdict.message, verdict.status)
        this.consecutiveFailures++
        notBefore = Date.now() + retryDelayMs(this.policy, this.consecutiveFailures)
        this.pausedUntil = notBefore
      }
      if (batch.entries.length === 1) {
        const entry = batch.entries[0]!
        this.outcomes.deadLetter(entry, verdict.status, verdict.status === 413
          ? `document alone is larger than the server accepts in one request (413)`
          : verdict.message)
        return
      }
      // 413 / whole-request 400: halve and resend at once; a poison item ends up alone and dead-lettered.
      const mid = batch.entries.length >> 1
      const halves = [batch.entries.slice(0, mid), batch.entries.slice(mid)].map((entries) => this.toBatch(entries, notBefore))
      this.retries.pushFront(...halves)
      return
    }
    this.consecutiveFailures = 0
    const { codes, statuses, reasons } = verdict.outcomes
    const retry: Entry[] = []
    let firstRetry = -1
    for (let i = 0; i < codes.length; i++) {
      const entry = batch.entries[i]!
      const code = codes[i]
      if (code === ITEM_RETRY) {
        if (firstRetry < 0) firstRetry = i
        retry.push(entry)
      } else if (code === ITEM_DEAD) {
        this.outcomes.deadLetter(entry, statuses.get(i) ?? null, reasons.get(i) ?? 'rejected')
      } else {
        this.outcomes.delivered(entry, code !== 0)
      }
    }
    if (retry.length > 0) {
      // Only the items Elasticsearch asked to retry (429/5xx) are resent; the others are settled.
      const status = statuses.get(firstRetry) ?? 0
      this.retryEntries(retry, `item rejected with ${status}: ${reasons.get(firstRetry) ?? ''}`, status)
    }
  }

  private failWhole(batch: Batch, code: ShipperErrorCode, message: string, status: number | null): void {
    this.outcomes.error(code, message, status)
    this.consecutiveFailures++
    const delay = retryDelayMs(this.policy, this.consecutiveFailures)
    const now = Date.now()
    const failoverNow = status === null && this.transport.hasHealthyNode()
    if (!failoverNow) this.pausedUntil = now + delay
    const keep = this.expire(batch.entries, message, status)
    if (keep.length > 0) this.retries.pushFront(this.toBatch(keep, failoverNow ? now : now + delay))
  }

  private retryEntries(entries: Entry[], message: string, status: number): void {
    const keep = this.expire(entries, message, status)
    if (keep.length === 0) return
    const attempts = keep.reduce((max, e) => Math.max(max, e.attempts), 1)
    this.retries.pushBack(this.toBatch(keep, Date.now() + retryDelayMs(this.policy, attempts)))
  }

  /** Counts the attempt; dead-letters entries past `maxRetryAgeMs` / `maxRetries`, returns the rest. */
  private expire(entries: Entry[], message: string, status: number | null): Entry[] {
    const now = Date.now()
    const keep: Entry[] = []
    for (const entry of entries) {
      entry.attempts++
      if (entry.firstFailedAt === 0) entry.firstFailedAt = now
      const age = now - entry.firstFailedAt
      if (age >= this.opts.maxRetryAgeMs || entry.attempts > this.opts.maxRetries) {
        this.outcomes.deadLetter(entry, status, `gave up after ${entry.attempts} attempt(s) over ${Math.round(age / 1000)} s: ${message}`)
      } else {
        entry.state = EntryState.Waiting
        keep.push(entry)
      }
    }
    return keep
  }

  private toBatch(entries: Entry[], notBefore: number): Batch {
    for (const entry of entries) entry.state = EntryState.Waiting
    // A fresh buffer: a waiting entry must not pin the arena it was first encoded in.
    const body = compact(entries)
    return { entries, bytes: body.length, notBefore }
  }

}
