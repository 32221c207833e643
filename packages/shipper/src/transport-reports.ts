/**
 * Delivery trouble seen inside the transport's worker thread, posted to the application's thread as a
 * thread-stream `EVENT` message: the stream pino returns there emits {@link DELIVERY_EVENT} with a
 * {@link DeliveryReport}. Callbacks cannot cross into the worker (structured cloning drops functions), so the
 * worker sends plain data and the main thread decides what to tell (`@tracewire/logger` warns and calls the
 * application's `elasticsearch.onError`).
 */
import { isMainThread, parentPort } from 'node:worker_threads'
import type { DeadLetter, DeliveryReport, DropReport } from './types.js'

/** Name of the event the transport stream emits in the application's thread. */
export const DELIVERY_EVENT = 'tracewire:delivery'

/**
 * Dead letters are counted and posted at most once per this interval: a mapping conflict can reject
 * thousands of documents in one response, and one message per document would flood the main thread.
 */
const DEAD_LETTER_REPORT_INTERVAL_MS = 1000

/** The shipper callbacks that post reports; all no-ops outside a worker thread (no one to tell). */
export interface TransportReporter {
  onError(error: Error & { code?: string; status?: number | null }): void
  onDrop(report: DropReport): void
  onDeadLetter(deadLetter: DeadLetter): void
  /** Posts what is pending now (at close). */
  flush(): void
}

function post(report: DeliveryReport): void {
  try {
    // thread-stream turns `{ code: 'EVENT', name, args }` into `stream.emit(name, ...args)` in the parent.
    parentPort?.postMessage({ code: 'EVENT', name: DELIVERY_EVENT, args: [report] })
  } catch {
    // The channel is closing with the worker: nothing else to tell.
  }
}

/** Creates the callbacks the transport hands to `createShipper`. */
export function createTransportReporter(): TransportReporter {
  if (isMainThread || parentPort === null) {
    return { onError() {}, onDrop() {}, onDeadLetter() {}, flush() {} }
  }
  let deadLetters = 0
  let lastDeadLetter: DeadLetter | undefined
  let timer: NodeJS.Timeout | undefined
  const postDeadLetters = (): void => {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (deadLetters === 0 || lastDeadLetter === undefined) return
    post({ kind: 'dead-letter', code: undefined, message: lastDeadLetter.reason, status: lastDeadLetter.status, count: deadLetters })
    deadLetters = 0
  }
  return {
    onError(error) {
      post({ kind: 'error', code: error.code, message: error.message, status: error.status ?? null, count: 1 })
    },
    onDrop(report) {
      post({ kind: 'drop', code: undefined, message: `dropped ${report.dropped} line(s) (policy ${report.policy}, ${report.totalDropped} since start)`, status: null, count: report.dropped })
    },
    onDeadLetter(deadLetter) {
      deadLetters++
      lastDeadLetter = deadLetter
      if (timer) return
      timer = setTimeout(postDeadLetters, DEAD_LETTER_REPORT_INTERVAL_MS)
      timer.unref()
    },
    flush: postDeadLetters,
  }
}
