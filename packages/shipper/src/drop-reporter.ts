/**
 * Summarises overflow drops at most once per interval (sonic-boom's `drop` event, the bulk helper's
 * `onDrop`): one stderr line and one callback per interval, never one per line, and never into the
 * log pipeline the shipper serves.
 */
import type { DropReport, OverflowPolicy } from './types.js'
import { writeStderr } from './stderr.js'

/** Counts drops and reports them in intervals. */
export class DropReporter {
  private pending = 0
  private total = 0
  private timer: NodeJS.Timeout | undefined
  private lastReportAt = 0

  constructor(
    private readonly intervalMs: number,
    private readonly policy: OverflowPolicy,
    private readonly toStderr: boolean,
    private readonly onDrop: ((report: DropReport) => void) | undefined,
  ) {}

  /** Records `count` dropped lines; schedules a report if none is due. */
  add(count: number): void {
    this.pending += count
    this.total += count
    if (this.timer) return
    const wait = Math.max(0, this.lastReportAt + this.intervalMs - Date.now())
    this.timer = setTimeout(() => this.report(), wait)
    this.timer.unref()
  }

  /** Total dropped since start. */
  get dropped(): number {
    return this.total
  }

  /** Reports what is pending now (called by the timer and at close). */
  report(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending === 0) return
    const report: DropReport = { dropped: this.pending, policy: this.policy, totalDropped: this.total }
    this.pending = 0
    this.lastReportAt = Date.now()
    if (this.toStderr) {
      writeStderr(`buffer full, dropped ${report.dropped} log line(s) (policy ${report.policy}, ${report.totalDropped} since start)`,
      )
    }
    try {
      this.onDrop?.(report)
    } catch {
      // A throwing callback must not break shipping.
    }
  }

  /** Stops the timer without reporting. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}
