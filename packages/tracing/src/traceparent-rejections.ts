import { RateLimitedReport } from '@tracewire/internal'
import type { LoggerLike, LogMethod } from './types.js'
import type { TraceparentRejection } from './traceparent.js'

/**
 * A reason already reported is reported again at most this often: a caller that sends a broken header on
 * every request must not turn the debug log into a storm, yet a lasting fault still shows up.
 */
export const REJECTION_REPORT_INTERVAL_MS = 60_000

/** One debug line about a rejected header, written to the logger of the request that sent it. */
interface RejectionLine {
  log: LoggerLike
  fields: { suppressed?: number }
  message: string
}

function writeDebug({ log, fields, message }: RejectionLine): void {
  const target = log as { debug?: LogMethod }
  if (typeof target.debug !== 'function') return
  try {
    target.debug(fields, message)
  } catch {
    // Telemetry never throws into the application.
  }
}

/**
 * Counts the `traceparent` headers one middleware rejected and writes a `debug` line per distinct reason
 * (`traceparent rejected: version ff`), then at most once per {@link REJECTION_REPORT_INTERVAL_MS} per reason
 * with the number of rejections not reported since. The reasons are a fixed set, so the map stays bounded.
 */
export class TraceparentRejections {
  #total = 0
  #pending: TraceparentRejection | undefined
  readonly #limiters = new Map<TraceparentRejection, RateLimitedReport<RejectionLine>>()
  readonly #now: () => number

  /** `now` is the clock of the interval (milliseconds; tests step it). */
  constructor(now: () => number = () => Date.now()) {
    this.#now = now
  }

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
  report(reason: TraceparentRejection, log: LoggerLike): void {
    let limiter = this.#limiters.get(reason)
    if (limiter === undefined) {
      limiter = new RateLimitedReport(writeDebug, { intervalMs: REJECTION_REPORT_INTERVAL_MS, now: this.#now })
      this.#limiters.set(reason, limiter)
    }
    // A held rejection is only counted; the next line written for the reason says how many there were.
    limiter.report((_count, held) => ({ log, fields: held > 0 ? { suppressed: held } : {}, message: `traceparent rejected: ${reason}` }))
  }
}
