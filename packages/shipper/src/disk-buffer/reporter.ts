/**
 * The shipper's one rate limiter for reports ("once per interval, never in a storm", as
 * sonic-boom's `drop` and the bulk helper's `onDrop` do it): overflow drops (`../drop-reporter.ts`),
 * the segment log's and the dead-letter file's disk problems. It lives in this folder because the
 * disk buffer is also run on its own (transpiled into a child process by the crash tests and by
 * `bench/shipper/disk-buffer.mjs`), so what it needs sits beside it. The logger's file sink keeps
 * its own few lines for failed-write warnings: the logger does not depend on the shipper, and the
 * package both share, `@tracewire/contract`, holds the line contract only (and a package import
 * would not resolve from the transpiled copy of this folder).
 */
import type { SegmentLogReport } from './types.js'

/**
 * Rate-limits reports of one kind: at most one report per `intervalMs`; occurrences in between are
 * counted and folded into the next report.
 *
 * Two ways to emit. By default the first occurrence after a quiet interval is reported at once and
 * `flush()` emits what was held back (the owner calls it from its periodic timer and at close).
 * With `batchBursts`, nothing is emitted synchronously: a timer emits at the earliest allowed time,
 * so a burst of occurrences in one turn of the event loop becomes one report.
 */
export class RateLimitedReport<R = SegmentLogReport> {
  private lastAt = -Infinity
  private held = 0
  private build: ((count: number) => R) | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly emit: (report: R) => void,
    private readonly intervalMs: number,
    private readonly batchBursts = false,
  ) {}

  /**
   * Records `count` occurrences; `build(total)` makes the report for all occurrences held. It is
   * only called when a report is emitted, so a refused append on the hot path costs a counter bump.
   */
  report(build: (count: number) => R, count = 1): void {
    this.held += count
    this.build = build
    if (!this.batchBursts) {
      this.flush()
      return
    }
    if (this.timer) return
    this.timer = setTimeout(() => this.flush(true), Math.max(0, this.lastAt + this.intervalMs - Date.now()))
    this.timer.unref()
  }

  /** Emits the report of the occurrences held, if the interval has passed (or `force`). */
  flush(force = false): void {
    const build = this.build
    if (this.held === 0 || build === undefined) return
    const now = Date.now()
    if (!force && now - this.lastAt < this.intervalMs) return
    this.stop()
    this.lastAt = now
    const count = this.held
    this.held = 0
    this.build = undefined
    this.emit(build(count))
  }

  /** Stops the timer without reporting. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}

/** Calls a user callback without letting it throw into the buffer's own machinery. */
export function safeReporter(onReport: ((r: SegmentLogReport) => void) | undefined): (r: SegmentLogReport) => void {
  if (!onReport) return () => undefined
  return (r) => {
    try {
      onReport(r)
    } catch {
      // A throwing callback must not break the I/O chain; there is nowhere else to report it.
    }
  }
}
