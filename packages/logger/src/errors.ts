/**
 * Stable codes of `@tracewire/logger`'s errors. Match on `code`, never on the message text.
 */
export type LoggerErrorCode =
  | 'TW_LOGGER_INVALID_SERVICE'
  | 'TW_LOGGER_INVALID_LEVEL'
  | 'TW_LOGGER_INVALID_OPTION'
  | 'TW_LOGGER_SHIPPER_MISSING'
  | 'TW_LOGGER_FILE_OPEN'
  | 'TW_LOGGER_DELIVERY'

/** The codes a {@link LoggerConfigError} carries: the configuration mistakes. */
export type LoggerConfigErrorCode = Exclude<LoggerErrorCode, 'TW_LOGGER_DELIVERY'>

/** Base class of every error `@tracewire/logger` throws, with a stable `code` and the `cause`. */
export class LoggerError extends Error {
  /** Stable machine-readable code, e.g. `TW_LOGGER_INVALID_SERVICE`. */
  readonly code: LoggerErrorCode

  constructor(code: LoggerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LoggerError'
    this.code = code
  }
}

/**
 * Thrown by `createLogger` when an option is invalid. Configuration mistakes fail at construction with a
 * message that names the value received and the rule it broke; a running logger never throws into the
 * application.
 */
export class LoggerConfigError extends LoggerError {
  constructor(code: LoggerConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'LoggerConfigError'
  }
}

/**
 * Delivery trouble of the `elasticsearch` transport, reported by its worker thread and passed to
 * `elasticsearch.onError` in the application's thread (never thrown). The shipper retries requests by itself;
 * this tells the application what it is going through.
 */
export class LoggerDeliveryError extends LoggerError {
  /** `error`: a request failed; `dead-letter`: documents were given up; `drop`: lines were dropped by the overflow policy. */
  readonly kind: 'error' | 'dead-letter' | 'drop'
  /** The shipper's code for `error` (TW_SHIPPER_CONNECTION, TW_SHIPPER_AUTH, TW_SHIPPER_TIMEOUT, ...), else `undefined`. */
  readonly shipperCode: string | undefined
  /** HTTP status when Elasticsearch answered, else `null`. */
  readonly status: number | null
  /** 1 for `error`; the documents or lines concerned for `dead-letter` and `drop`. */
  readonly count: number

  constructor(report: { kind: LoggerDeliveryError['kind'], code: string | undefined, message: string, status: number | null, count: number }) {
    super('TW_LOGGER_DELIVERY', report.message)
    this.name = 'LoggerDeliveryError'
    this.kind = report.kind
    this.shipperCode = report.code
    this.status = report.status
    this.count = report.count
  }
}
