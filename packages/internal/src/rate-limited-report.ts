/**
 * The one rate limiter of tracewire's own reports ("once per interval, never in a storm", as
 * sonic-boom's `drop` event and the Elasticsearch bulk helper's `onDrop` do it): the logger's
 * failed-write and delivery warnings, the tracing middlewares' rejected-traceparent debug lines, the
 * shipper's overflow drops and disk-buffer problems. Written here rather than taken from a package:
 * throttling libraries drop the calls they hold back, while every user here must count them and say
 * how many there were.
 *
 * This file imports nothing, so the shipper's crash tests and `bench/shipper/disk-buffer.mjs` can
 * transpile it beside the disk-buffer sources and run it under plain `node`.
 */

/** How a {@link RateLimitedReport} emits. */
export interface RateLimitedReportOptions {
  /** At most one report per this many milliseconds. */
  intervalMs: number
  /**
   * Emit the first occurrence after a quiet interval at once (default `true`). With `false`, nothing is
   * emitted synchronously, so a burst of occurrences in one turn of the event loop becomes one report
   * (emitted by the trailing timer or by {@link RateLimitedReport.flush}).
   */
  leading?: boolean
  /**
   * Emit what was held back when the interval ends, from a timer (default `false`: held occurrences wait
   * for the next {@link RateLimitedReport.report} after the interval, or for the owner's `flush()`).
   * The timer is `unref()`ed: a pending summary never keeps the process alive.
   */
  trailing?: boolean
  /** The clock, in milliseconds (default `Date.now()`, read at each call). Any monotonic clock works. */
  now?: () => number
}

/**
 * Builds the report of the occurrences an emission covers: `count` is the sum of their `count`s,
 * `held` the number of {@link RateLimitedReport.report} calls among them that were held back (0 when the
 * report passed at once, alone). Only called when a report is emitted, so a suppressed occurrence costs
 * a counter bump.
 */
export type BuildReport<R> = (count: number, held: number) => R

/**
 * Rate-limits reports of one kind: at most one report per `intervalMs`; the occurrences in between are
 * counted and folded into the next report, made by the latest occurrence's {@link BuildReport}. Holds at
 * most one builder and two counters, whatever the number of occurrences. `emit` is the owner's: it must
 * not throw (each owner guards its own callbacks).
 */
export class RateLimitedReport<R> {
  readonly #emit: (report: R) => void
  readonly #intervalMs: number
  readonly #leading: boolean
  readonly #trailing: boolean
  readonly #now: () => number
  #lastAt = Number.NEGATIVE_INFINITY
  #count = 0
  #held = 0
  #build: BuildReport<R> | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(emit: (report: R) => void, options: RateLimitedReportOptions) {
    this.#emit = emit
    this.#intervalMs = options.intervalMs
    this.#leading = options.leading ?? true
    this.#trailing = options.trailing ?? false
    this.#now = options.now ?? (() => Date.now())
  }

  /** Records `count` occurrences (none when `count` is 0); emits now if the interval allows, otherwise holds them. */
  report(build: BuildReport<R>, count = 1): void {
    if (count <= 0) return
    this.#count += count
    this.#held++
    this.#build = build
    if (this.#leading && this.#now() - this.#lastAt >= this.#intervalMs) {
      // This call passes: it is not one of the held ones.
      this.#held--
      this.flush(true)
      return
    }
    if (!this.#trailing || this.#timer !== undefined) return
    this.#timer = setTimeout(() => this.flush(true), Math.max(0, this.#lastAt + this.#intervalMs - this.#now()))
    this.#timer.unref()
  }

  /** Emits the report of the occurrences held, if the interval has passed (or `force`). */
  flush(force = false): void {
    const build = this.#build
    if (build === undefined) return
    const now = this.#now()
    if (!force && now - this.#lastAt < this.#intervalMs) return
    this.stop()
    this.#lastAt = now
    const count = this.#count
    const held = this.#held
    this.#count = 0
    this.#held = 0
    this.#build = undefined
    this.#emit(build(count, held))
  }

  /** Stops the trailing timer without reporting (what is held stays held for a later `flush()`). */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
