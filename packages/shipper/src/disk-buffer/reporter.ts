/**
 * How the disk buffer hands its reports to the user's `onReport`. Reports are rate-limited by
 * `RateLimitedReport` of `@tracewire/internal`, the one limiter of every tracewire package; the crash
 * tests and `bench/shipper/disk-buffer.mjs`, which run this folder transpiled under plain `node`,
 * transpile that package beside it.
 */
import type { SegmentLogReport } from './types.js'

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
