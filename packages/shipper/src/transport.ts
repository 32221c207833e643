/**
 * `@tracewire/shipper/transport`: the shipper as a pino transport. pino runs it in a worker thread
 * (thread-stream), so the network and disk work never touches the application's event loop.
 *
 * Exit: on `exit`/`beforeExit` pino ends the stream and thread-stream blocks the main thread (up to
 * 10 s) until this stream emits `close`. The stream is closed only after `shipper.close()` resolved,
 * i.e. after the final `_bulk` answers arrived or `shutdownTimeoutMs` (default 8 s, below that cap)
 * passed: the final flush completes, it is not just handed off.
 */
import build from 'pino-abstract-transport'
import { createShipper } from './shipper.js'
import { writeStderr } from './stderr.js'
import { createTransportReporter } from './transport-reports.js'
import type { Shipper, TransportOptions } from './types.js'

export type { DeliveryReport, TransportOptions } from './types.js'
export { DELIVERY_EVENT } from './transport-reports.js'
// The logger loads this module in the application's thread to validate before the worker starts.
export { validateTransportOptions } from './validate-options.js'
export { redactText } from './redact.js'

/**
 * pino transport factory (default export, as thread-stream expects). Request errors, dead letters and drops
 * are posted to the application's thread: the returned stream emits `DELIVERY_EVENT` (`'tracewire:delivery'`)
 * with a {@link DeliveryReport} there (thread-stream's `EVENT` message). Validate the options with
 * `validateTransportOptions` in the application's thread first (the logger does): a mistake found
 * here, inside the worker, is reported on stderr and the lines are discarded, because an error
 * thrown here would reach the application as an `'error'` event that kills it when unhandled.
 */
export default async function tracewireTransport(options: TransportOptions): Promise<NodeJS.WritableStream> {
  let shipper: Shipper
  // Delivery trouble goes to the application's thread, where the logger warns and calls its onError.
  const reporter = createTransportReporter()
  try {
    // pino adds its own keys for transports (`$context`, `pinoWillSendConfig`); they are not shipper options.
    const shipperOptions: Record<string, unknown> = { ...options }
    delete shipperOptions.$context
    delete shipperOptions.pinoWillSendConfig
    shipper = createShipper({ ...shipperOptions, onError: reporter.onError, onDrop: reporter.onDrop, onDeadLetter: reporter.onDeadLetter })
  } catch (err) {
    writeStderr(`transport not started, log lines are not shipped: ${(err as Error).message}`)
    return build(async (source: AsyncIterable<unknown>) => {
      for await (const line of source) void line
    })
  }
  const blocking = options.overflowPolicy === 'block'
  const stream = build(
    async (source: AsyncIterable<string>) => {
      for await (const line of source) {
        if (!shipper.write(line) && blocking) await shipper.drained()
      }
    },
    {
      parse: 'lines',
      // The shipper reads `service`/`time` itself without a full parse; skip abstract-transport's JSON.parse.
      parseLine: (line: string) => line,
      metadata: false,
      async close() {
        await shipper.close()
        reporter.flush()
      },
    },
  )
  // `logger.flush()` reaches here through thread-stream; bounded so a down cluster cannot hang it.
  Object.assign(stream, {
    flush: () => Promise.race([shipper.flush(), new Promise<void>((resolve) => setTimeout(resolve, options.shutdownTimeoutMs ?? 8000).unref())]),
  })
  return stream
}
