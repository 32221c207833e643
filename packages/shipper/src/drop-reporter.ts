/**
 * Summarises overflow drops at most once per interval (sonic-boom's `drop` event, the bulk helper's
 * `onDrop`): one stderr line and one callback per interval, never one per line, and never into the
 * log pipeline the shipper serves. A burst of drops in one turn of the event loop is one report.
 */
import { RateLimitedReport } from '@tracewire/internal'
import type { DropReport, OverflowPolicy } from './types.js'
import { writeStderr } from './stderr.js'

/** Counts drops and reports them in intervals. */
export class DropReporter {
  private total = 0
  private readonly limiter: RateLimitedReport<DropReport>

  constructor(
    intervalMs: number,
    private readonly policy: OverflowPolicy,
    private readonly toStderr: boolean,
    private readonly onDrop: ((report: DropReport) => void) | undefined,
  ) {
    this.limiter = new RateLimitedReport((report) => this.emit(report), { intervalMs, leading: false, trailing: true })
  }

  /** Records `count` dropped lines; schedules a report if none is due. */
  add(count: number): void {
    this.total += count
    this.limiter.report(this.build, count)
  }

  /** Total dropped since start. */
  get dropped(): number {
    return this.total
  }

  /** Reports what is held now (called at close). */
  report(): void {
    this.limiter.flush(true)
  }

  /** Stops the timer without reporting. */
  stop(): void {
    this.limiter.stop()
  }

  private readonly build = (count: number): DropReport => ({ dropped: count, policy: this.policy, totalDropped: this.total })

  private emit(report: DropReport): void {
    if (this.toStderr) {
      writeStderr(`buffer full, dropped ${report.dropped} log line(s) (policy ${report.policy}, ${report.totalDropped} since start)`)
    }
    try {
      this.onDrop?.(report)
    } catch {
      // A throwing callback must not break shipping.
    }
  }
}
