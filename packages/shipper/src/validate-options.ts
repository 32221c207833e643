/**
 * The whole option set, checked in the caller's thread before anything starts: `createShipper`
 * runs it, and the logger runs {@link validateTransportOptions} before it starts the transport's
 * worker thread, so a mistake is a `ShipperConfigError` at construction, never an `'error'` event
 * from a worker.
 */
import { ShipperConfigError } from './errors.js'
import { authorizationHeader, resolveNodes } from './http-transport.js'
import type { IndexNamer } from './index-name.js'
import { createIndexNamer } from './index-name.js'
import type { ResolvedOptions } from './options.js'
import { NOT_TRANSPORTABLE, TRANSPORT_OPTION_NAMES, refuseUnknownOptions, resolveOptions } from './options.js'
import type { ShipperAuth, ShipperOptions, TransportOptions } from './types.js'

/** Everything construction needs, derived once. */
export interface CheckedOptions {
  resolved: ResolvedOptions
  namer: IndexNamer
  /** Node URLs and credentials for the built-in transport; `undefined` with `client`. */
  nodes: { urls: URL[]; auth: ShipperAuth | undefined } | undefined
}

/** Validates every option; throws `ShipperConfigError` (code `TW_SHIPPER_CONFIG`) naming the option. */
export function checkOptions(options: ShipperOptions): CheckedOptions {
  const resolved = resolveOptions(options)
  const namer = createIndexNamer(resolved.indexPrefix, resolved.indexTimeZone)
  for (const name of ['onDeadLetter', 'onDrop', 'onError'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new ShipperConfigError(`${name} must be a function, got ${typeof options[name]}`, { option: name })
    }
  }
  if (options.client !== undefined) {
    if (typeof options.client?.transport?.request !== 'function') {
      throw new ShipperConfigError('client must be an @elastic/elasticsearch client (client.transport.request missing)', { option: 'client' })
    }
    return { resolved, namer, nodes: undefined }
  }
  if (options.tls !== undefined && (options.tls === null || typeof options.tls !== 'object')) {
    throw new ShipperConfigError(`tls must be an object ({ ca, cert, key, rejectUnauthorized }), got ${typeof options.tls}`, { option: 'tls' })
  }
  const nodes = resolveNodes(options.node, options.auth)
  authorizationHeader(nodes.auth)
  return { resolved, namer, nodes }
}

/**
 * Validates `createShipper` options without starting anything: unknown names (with the closest
 * valid one), types, ranges, node URLs, credentials' shape, index prefix and time zone.
 *
 * @throws {ShipperConfigError} code `TW_SHIPPER_CONFIG`, `option` naming the culprit; the message
 *   never repeats a credential.
 */
export function validateShipperOptions(options: ShipperOptions): void {
  checkOptions(options)
}

/**
 * Validates the options of the pino transport `@tracewire/shipper/transport` in the calling
 * thread and returns them ready for the worker: a copy with `bufferDir` resolved here, because the
 * default directory is derived from the application's main script and working directory, which
 * only the application's own thread knows (inside the worker `process.argv[1]` is the worker's script).
 *
 * @throws {ShipperConfigError} as {@link validateShipperOptions}; also for the options a worker
 *   cannot receive (`client`, callbacks).
 */
export function validateTransportOptions(options: TransportOptions): TransportOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ShipperConfigError('the transport needs an options object')
  }
  for (const name of NOT_TRANSPORTABLE) {
    if (name in options) {
      throw new ShipperConfigError(`${name} cannot be used with the transport: its options are copied to a worker thread (use createShipper for ${name})`, { option: name })
    }
  }
  refuseUnknownOptions(options, TRANSPORT_OPTION_NAMES)
  const { resolved } = checkOptions(options)
  return { ...options, bufferDir: resolved.bufferDir }
}
