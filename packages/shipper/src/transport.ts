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
import type { TransportOptions } from './types.js'

export type { TransportOptions }

/** pino transport factory (default export, as thread-stream expects). */
export default async function tracewireTransport(options: TransportOptions): Promise<NodeJS.WritableStream> {
  const shipper = createShipper({ ...options })
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
      },
    },
  )
  // `logger.flush()` reaches here through thread-stream; bounded so a down cluster cannot hang it.
  Object.assign(stream, {
    flush: () => Promise.race([shipper.flush(), new Promise<void>((resolve) => setTimeout(resolve, options.shutdownTimeoutMs ?? 8000).unref())]),
  })
  return stream
}
