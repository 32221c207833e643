import { RateLimitedReport } from '@tracewire/internal'
import { LoggerDeliveryError } from './errors.js'

/**
 * Name of the event the shipper's transport stream emits in this thread (`DELIVERY_EVENT` of
 * `@tracewire/shipper/transport`, posted by its worker through thread-stream). Written out rather than
 * imported: the shipper is an optional peer, and its module may not load in this thread.
 */
export const DELIVERY_EVENT = 'tracewire:delivery'

/** At most one warning per kind of trouble per interval; the first one is immediate. */
const WARNING_INTERVAL_MS = 30_000

const KINDS = new Set(['error', 'dead-letter', 'drop'])

/** Reads a report posted by the worker; `undefined` for anything else (another shipper version, a bug). */
function readReport(value: unknown): LoggerDeliveryError | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const r = value as Record<string, unknown>
  if (!KINDS.has(r.kind as string) || typeof r.message !== 'string') return undefined
  return new LoggerDeliveryError({
    kind: r.kind as LoggerDeliveryError['kind'],
    code: typeof r.code === 'string' ? r.code : undefined,
    message: r.message,
    status: typeof r.status === 'number' ? r.status : null,
    count: typeof r.count === 'number' && r.count > 0 ? r.count : 1,
  })
}

function describe(error: LoggerDeliveryError): string {
  switch (error.kind) {
    case 'error':
      return `requests to Elasticsearch fail, the shipper keeps retrying: ${error.message}${error.shipperCode ? ` (${error.shipperCode})` : ''}`
    case 'dead-letter':
      return `${error.count} document(s) dead-lettered (not indexed): ${error.message}`
    case 'drop':
      return `the shipper's buffer is full, ${error.message}`
  }
}

/**
 * Listens for the transport worker's delivery reports on `stream`: each one is passed to `onError` (in this
 * thread, a throw is swallowed) and written to stderr as a `TW_LOGGER_DELIVERY` process warning, at most once
 * per kind per 30 s: the first at once, the next ones summed into one warning when the interval ends.
 */
export function watchDelivery(stream: { on(event: string, listener: (report: unknown) => void): unknown }, onError: ((error: LoggerDeliveryError) => void) | undefined): void {
  const limiters = new Map<string, RateLimitedReport<string>>()
  const warn = (text: string): void => {
    process.emitWarning(`tracewire logger: elasticsearch delivery: ${text}`, { code: 'TW_LOGGER_DELIVERY' })
  }
  stream.on(DELIVERY_EVENT, (value) => {
    const error = readReport(value)
    if (error === undefined) return
    try {
      onError?.(error)
    } catch {
      // The application's callback must not break logging.
    }
    // One limiter per kind (three kinds at most), so a dead letter is told while errors are held back.
    let limiter = limiters.get(error.kind)
    if (limiter === undefined) {
      limiter = new RateLimitedReport(warn, { intervalMs: WARNING_INTERVAL_MS, trailing: true })
      limiters.set(error.kind, limiter)
    }
    // `count` sums the reports' own counts (a dead-letter report may stand for many documents).
    limiter.report((count, held) => (held > 0 ? `${describe(error)} (${count} in all since the last warning)` : describe(error)), error.count)
  })
}
