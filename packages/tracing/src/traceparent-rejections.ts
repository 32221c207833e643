import type { LoggerLike, LogMethod } from './types.js'
import type { TraceparentRejection } from './traceparent.js'

/**
 * A reason already reported is reported again at most this often: a caller that sends a broken header on
 * every request must not turn the debug log into a storm, yet a lasting fault still shows up.
 */
export const REJECTION_REPORT_INTERVAL_MS = 60_000

/**
 * Counts the `traceparent` headers one middleware rejected and writes a `debug` line per distinct reason
 * (`traceparent rejected: version ff`), then at most once per {@link REJECTION_REPORT_INTERVAL_MS} per reason
 * with the number of rejections not reported since. The reasons are a fixed set, so the map stays bounded.
 */
export class TraceparentRejections {
  #total = 0
  #pending: TraceparentRejection | undefined
  readonly #lastReportMs = new Map<TraceparentRejection, number>()
  readonly #unreported = new Map<TraceparentRejection, number>()

  /** Rejections counted since the middleware was made. */
  get total(): number {
    return this.#total
  }

  /** Called by the extractor; the middleware picks the reason up with {@link take} in the same tick. */
  readonly note = (reason: TraceparentRejection): void => {
    this.#total++
    this.#pending = reason
  }

  /** The reason noted since the last call, if any (extraction and this call run synchronously together). */
  take(): TraceparentRejection | undefined {
    const r = this.#pending
    this.#pending = undefined
    return r
  }

  /** Writes the debug line for `reason` when its interval allows; never throws. */
  report(reason: TraceparentRejection, log: LoggerLike, nowMs: number = Date.now()): void {
    const last = this.#lastReportMs.get(reason)
    if (last !== undefined && nowMs - last < REJECTION_REPORT_INTERVAL_MS) {
      this.#unreported.set(reason, (this.#unreported.get(reason) ?? 0) + 1)
      return
    }
    const suppressed = this.#unreported.get(reason) ?? 0
    this.#lastReportMs.set(reason, nowMs)
    this.#unreported.delete(reason)
    const target = log as { debug?: LogMethod }
    if (typeof target.debug !== 'function') return
    try {
      target.debug(suppressed > 0 ? { suppressed } : {}, `traceparent rejected: ${reason}`)
    } catch {
      // Telemetry never throws into the application.
    }
  }
}
