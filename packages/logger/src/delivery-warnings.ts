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

interface KindState {
  lastWarnedAt: number
  /** Reports (count summed) not warned about yet, and the latest of them. */
  suppressed: number
  latest: LoggerDeliveryError | undefined
  timer: NodeJS.Timeout | undefined
}

/**
 * Listens for the transport worker's delivery reports on `stream`: each one is passed to `onError` (in this
 * thread, a throw is swallowed) and written to stderr as a `TW_LOGGER_DELIVERY` process warning, at most once
 * per kind per 30 s: the first at once, the next ones summed into one warning when the interval ends.
 */
export function watchDelivery(stream: { on(event: string, listener: (report: unknown) => void): unknown }, onError: ((error: LoggerDeliveryError) => void) | undefined): void {
  const states = new Map<string, KindState>()
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
    let state = states.get(error.kind)
    if (state === undefined) {
      state = { lastWarnedAt: 0, suppressed: 0, latest: undefined, timer: undefined }
      states.set(error.kind, state)
    }
    const now = Date.now()
    if (now - state.lastWarnedAt >= WARNING_INTERVAL_MS) {
      state.lastWarnedAt = now
      warn(describe(error))
      return
    }
    state.suppressed += error.count
    state.latest = error
    if (state.timer !== undefined) return
    const s = state
    s.timer = setTimeout(() => {
      s.timer = undefined
      s.lastWarnedAt = Date.now()
      if (s.latest !== undefined) warn(`${describe(s.latest)} (${s.suppressed} in all since the last warning)`)
      s.suppressed = 0
      s.latest = undefined
    }, s.lastWarnedAt + WARNING_INTERVAL_MS - now)
    s.timer.unref()
  })
}
