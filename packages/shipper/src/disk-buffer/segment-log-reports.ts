/**
 * The segment log's reports of appends it could not make durable and of I/O problems: each kind
 * rate-limited on its own, so a full disk does not hide an I/O error and neither becomes a storm.
 * The message builders run only when a report is emitted, so a refused append costs a counter bump.
 */
import { RateLimitedReport } from '@tracewire/internal'
import { MAX_ID_BYTES } from './record.js'
import type { SegmentLogReport } from './types.js'

/** What the messages quote from the log's state. */
export interface SegmentLogState {
  maxDiskBytes: number
  diskBytes: number
  /** Appended bytes waiting for the disk. */
  pendingBytes: number
}

/** Rate-limited reports of one segment log. */
export class SegmentLogReports {
  private readonly full: RateLimitedReport<SegmentLogReport>
  private readonly io: RateLimitedReport<SegmentLogReport>
  private lastIoError = ''

  constructor(
    emit: (r: SegmentLogReport) => void,
    intervalMs: number,
    private readonly state: () => SegmentLogState,
  ) {
    this.full = new RateLimitedReport(emit, { intervalMs })
    this.io = new RateLimitedReport(emit, { intervalMs })
  }

  /** An append refused by `maxDiskBytes`. */
  diskFull(): void {
    this.full.report(this.describeFull)
  }

  /** An append refused while appends are paused after a write error. */
  blocked(): void {
    this.io.report(this.describeBlocked)
  }

  /** An append refused because too much waits for a slow disk. */
  behind(): void {
    this.io.report(this.describeBehind)
  }

  /** An append refused because its id does not fit a record. */
  longId(): void {
    this.io.report(this.describeLongId)
  }

  /** An I/O error, with `message` or one made from the error. */
  ioError(err: unknown, message?: string): void {
    this.lastIoError = message ?? `disk buffer I/O error: ${(err as Error)?.message ?? String(err)}`
    this.io.report(this.describeIo)
  }

  /** Emits the summaries held back, once their interval has passed (or now, with `force`). */
  flush(force = false): void {
    this.full.flush(force)
    this.io.flush(force)
  }

  private readonly describeIo = (count: number): SegmentLogReport => ({
    kind: 'io-error',
    message: count > 1 ? `${this.lastIoError} (${count} I/O problems in this interval)` : this.lastIoError,
  })

  private readonly describeFull = (count: number): SegmentLogReport => ({
    kind: 'disk-full',
    message: `disk buffer full (maxDiskBytes ${this.state().maxDiskBytes}, ${this.state().diskBytes} in use): ${count} entries kept in memory only`,
  })

  private readonly describeBlocked = (count: number): SegmentLogReport => ({
    kind: 'io-error',
    message: `disk buffer paused after a write error: ${count} entries kept in memory only`,
  })

  private readonly describeBehind = (count: number): SegmentLogReport => ({
    kind: 'io-error',
    message: `disk writes are falling behind (${this.state().pendingBytes} bytes waiting): ${count} entries kept in memory only`,
  })

  private readonly describeLongId = (count: number): SegmentLogReport => ({
    kind: 'io-error',
    message: `${count} entries have an id longer than ${MAX_ID_BYTES} bytes and were kept in memory only`,
  })
}
