/**
 * One error hierarchy for the shipper. Every error has a stable `code`; messages never contain
 * credentials: the base class passes every message through `redactText`.
 */
import { redactText } from './redact.js'

import type { DiskBufferErrorCode } from './disk-buffer/errors.js'

/** Stable error codes of `@tracewire/shipper`. */
export type ShipperErrorCode =
  | 'TW_SHIPPER_CONFIG'
  | 'TW_SHIPPER_CONNECTION'
  | 'TW_SHIPPER_TIMEOUT'
  | 'TW_SHIPPER_HTTP_STATUS'
  | 'TW_SHIPPER_AUTH'
  | 'TW_SHIPPER_BAD_RESPONSE'
  | 'TW_SHIPPER_TEMPLATE'
  | 'TW_SHIPPER_BUFFER'
  | DiskBufferErrorCode

/** Base class of every error the shipper raises or reports. */
export class ShipperError extends Error {
  readonly code: ShipperErrorCode
  constructor(code: ShipperErrorCode, message: string, options?: { cause?: unknown }) {
    super(redactText(message), options)
    this.name = 'ShipperError'
    this.code = code
  }
}

/**
 * A configuration mistake, thrown by `createShipper`, `validateShipperOptions`, the transport and
 * `ensureIndexTemplate` at construction, in the caller's thread.
 */
export class ShipperConfigError extends ShipperError {
  /** The option at fault (`'flushIntervalMs'`, `'node'`, …), when one is. */
  readonly option: string | undefined
  constructor(message: string, options?: { option?: string; cause?: unknown }) {
    super('TW_SHIPPER_CONFIG', message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ShipperConfigError'
    this.option = options?.option
  }
}

/** A `_bulk` request failed as a whole (reported through `onError`, then retried). */
export class ShipperRequestError extends ShipperError {
  /** HTTP status when the server answered, else `null`. */
  readonly status: number | null
  constructor(code: ShipperErrorCode, message: string, status: number | null, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'ShipperRequestError'
    this.status = status
  }
}
