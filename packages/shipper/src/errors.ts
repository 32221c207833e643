/**
 * One error hierarchy for the shipper. Every error has a stable `code`; messages never contain
 * credentials (URLs go through `redactUrl`).
 */

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

/** Base class of every error the shipper raises or reports. */
export class ShipperError extends Error {
  readonly code: ShipperErrorCode
  constructor(code: ShipperErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ShipperError'
    this.code = code
  }
}

/** A configuration mistake, thrown by `createShipper` / `ensureIndexTemplate` at construction. */
export class ShipperConfigError extends ShipperError {
  constructor(message: string) {
    super('TW_SHIPPER_CONFIG', message)
    this.name = 'ShipperConfigError'
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
