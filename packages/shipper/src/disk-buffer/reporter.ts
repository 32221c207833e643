import type { SegmentLogReport } from './types.js'

/**
 * Rate-limits reports of one kind: the first occurrence is reported at once, later ones within
 * `intervalMs` are only counted and folded into the next report ("once per interval, never in a
 * storm", as sonic-boom's `drop` and the bulk helper's `onDrop` do it). `flush()` emits a
 * pending summary; the owner calls it from its periodic timer and at close.
 */
export class RateLimitedReport {
  private lastAt = -Infinity
  private suppressed = 0
  private latest: ((count: number) => SegmentLogReport) | undefined

  constructor(
    private readonly emit: (r: SegmentLogReport) => void,
    private readonly intervalMs: number,
  ) {}

  /**
   * Records one occurrence; `build(count)` makes the report for `count` occurrences. It is only
   * called when a report is emitted, so a refused append on the hot path costs a counter bump.
   */
  report(build: (count: number) => SegmentLogReport): void {
    const now = Date.now()
    if (now - this.lastAt >= this.intervalMs) {
      this.lastAt = now
      const count = this.suppressed + 1
      this.suppressed = 0
      this.latest = undefined
      this.emit(build(count))
    } else {
      this.suppressed++
      this.latest = build
    }
  }

  /** Emits the summary of occurrences held back, if the interval has passed (or `force`). */
  flush(force = false): void {
    if (this.suppressed === 0 || this.latest === undefined) return
    const now = Date.now()
    if (!force && now - this.lastAt < this.intervalMs) return
    this.lastAt = now
    const r = this.latest(this.suppressed)
    this.suppressed = 0
    this.latest = undefined
    this.emit(r)
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
