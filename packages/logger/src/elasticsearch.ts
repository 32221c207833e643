import { writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import pino from 'pino'
import { watchDelivery } from './delivery-warnings.js'
import { LoggerConfigError } from './errors.js'
import type { Sink } from './destination.js'
import type { ElasticsearchOptions } from './types.js'

const TARGET = '@tracewire/shipper/transport'

/** What the logger uses of the shipper's transport module in the application's thread. */
interface TransportModule {
  validateTransportOptions?: (options: Record<string, unknown>) => Record<string, unknown>
  redactText?: (text: string) => string
}

function resolveTarget(): string {
  // The shipper is an optional peer dependency: look next to this package first, then from the
  // application's main script and its working folder (pnpm keeps a package's own node_modules strict, so
  // with pnpm only the application's folder, where the user installed the shipper, can see it).
  const main = process.argv[1]
  const bases = [import.meta.url, ...(main ? [main] : []), path.join(process.cwd(), 'index.js')]
  for (const base of bases) {
    try {
      return createRequire(base).resolve(TARGET)
    } catch {
      // try the next base
    }
  }
  throw new LoggerConfigError(
    'TW_LOGGER_SHIPPER_MISSING',
    `The elasticsearch option needs ${TARGET}, which was not found: install the optional peer dependency with "npm install @tracewire/shipper" (or "pnpm add @tracewire/shipper")`,
  )
}

/** Loads the transport module in this thread; `undefined` when it cannot be required here (an ESM-only build). */
function loadTransport(target: string): TransportModule | undefined {
  try {
    return createRequire(target)(target) as TransportModule
  } catch {
    // Validation then happens in the worker only; the transport reports mistakes there without crashing.
    return undefined
  }
}

/**
 * A pino transport (worker thread) that ships the same lines to Elasticsearch through `@tracewire/shipper`.
 *
 * Every option is validated here, in the application's thread, by the shipper's own
 * `validateTransportOptions`, before the worker starts: a mistake is a `LoggerConfigError` from
 * `createLogger`, never an `'error'` event from the worker later. That call also derives the default
 * `bufferDir` from this thread's main script (inside the worker `process.argv[1]` is thread-stream's).
 *
 * Delivery trouble (requests failing, dead letters, drops) is posted by the worker and told here, in the
 * application's thread: a rate-limited `TW_LOGGER_DELIVERY` warning and `options.onError`, which stays in this
 * thread (functions cannot be copied to the worker).
 *
 * @param shutdownTimeoutMs the logger's own bound on shutdown: the shipper's final delivery must end
 *   before it, so a larger explicit `elasticsearch.shutdownTimeoutMs` is refused, and without one the
 *   shipper gets the logger's bound less a second.
 */
export function elasticsearchSink(options: ElasticsearchOptions, shutdownTimeoutMs: number): Sink {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new LoggerConfigError('TW_LOGGER_INVALID_OPTION', 'elasticsearch must be an options object such as { node: "http://127.0.0.1:9200" }')
  }
  const nodes = Array.isArray(options.node) ? options.node : [options.node]
  if (nodes.length === 0 || nodes.some((n) => typeof n !== 'string' || n === '')) {
    // The value itself is not repeated: a node list may carry credentials.
    throw new LoggerConfigError('TW_LOGGER_INVALID_OPTION', 'Invalid elasticsearch.node: expected a URL or a non-empty list of URLs')
  }
  const own = options.shutdownTimeoutMs
  if (typeof own === 'number' && own >= shutdownTimeoutMs) {
    throw new LoggerConfigError(
      'TW_LOGGER_INVALID_OPTION',
      `elasticsearch.shutdownTimeoutMs (${own}) must be below the logger's shutdownTimeoutMs (${shutdownTimeoutMs}), which bounds the whole shutdown: raise shutdownTimeoutMs or lower elasticsearch.shutdownTimeoutMs`,
    )
  }
  const { onError, ...shipperOptions } = options
  if (onError !== undefined && typeof onError !== 'function') {
    throw new LoggerConfigError('TW_LOGGER_INVALID_OPTION', `Invalid elasticsearch.onError: expected a function, received ${typeof onError}`)
  }
  const target = resolveTarget()
  const transport = loadTransport(target)
  let workerOptions: Record<string, unknown> = { ...shipperOptions }
  // Drops are told in this thread (watchDelivery), once; the worker's own stderr summary would repeat them.
  if (workerOptions.reportDropsToStderr === undefined) workerOptions.reportDropsToStderr = false
  if (own === undefined) workerOptions.shutdownTimeoutMs = Math.max(0, Math.min(8000, shutdownTimeoutMs - 1000))
  if (transport?.validateTransportOptions) {
    try {
      workerOptions = transport.validateTransportOptions(workerOptions)
    } catch (err) {
      // The shipper's messages are already free of credentials.
      throw new LoggerConfigError('TW_LOGGER_INVALID_OPTION', `Invalid elasticsearch options: ${(err as Error).message}`, { cause: err })
    }
  }
  let stream: Sink & { on(event: string, listener: (value: never) => void): unknown }
  try {
    stream = pino.transport({ target, options: workerOptions }) as unknown as typeof stream
  } catch (err) {
    throw new LoggerConfigError('TW_LOGGER_INVALID_OPTION', `Invalid elasticsearch options: ${(err as Error).message} (they are copied to a worker thread, so functions are not allowed)`, { cause: err })
  }
  // A worker that fails at run time (it exited, it could not start) must not take the application
  // down through an unhandled 'error': one warning on stderr, the other destinations keep working.
  let warned = false
  stream.on('error', (err: Error) => {
    if (warned) return
    warned = true
    const message = transport?.redactText ? transport.redactText(String(err?.message)) : 'see the shipper\'s own report'
    try {
      writeSync(2, `tracewire logger: the elasticsearch transport stopped, lines are no longer shipped: ${message}\n`)
    } catch {
      // stderr closed: nothing else to tell
    }
  })
  watchDelivery(stream, onError)
  return stream
}
