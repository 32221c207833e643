import { createRequire } from 'node:module'
import path from 'node:path'
import pino from 'pino'
import { LoggerConfigError } from './errors.js'
import type { Sink } from './destination.js'
import type { ElasticsearchOptions } from './types.js'

const TARGET = '@tracewire/shipper/transport'

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

/** A pino transport (worker thread) that ships the same lines to Elasticsearch through `@tracewire/shipper`. */
export function elasticsearchSink(options: ElasticsearchOptions): Sink {
  const nodes = Array.isArray(options?.node) ? options.node : [options?.node]
  if (nodes.length === 0 || nodes.some((n) => typeof n !== 'string' || n === '')) {
    throw new LoggerConfigError('TW_LOGGER_INVALID_OPTION', `Invalid elasticsearch.node ${JSON.stringify(options?.node)}: expected a URL or a non-empty list of URLs`)
  }
  const target = resolveTarget()
  try {
    return pino.transport({ target, options: { ...options } }) as unknown as Sink
  } catch (err) {
    throw new LoggerConfigError('TW_LOGGER_INVALID_OPTION', `Invalid elasticsearch options: ${(err as Error).message} (they are copied to a worker thread, so functions are not allowed)`, { cause: err })
  }
}
