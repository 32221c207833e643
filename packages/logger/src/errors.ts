/**
 * Stable codes of `@tracewire/logger`'s errors. Match on `code`, never on the message text.
 */
export type LoggerErrorCode =
  | 'TW_LOGGER_INVALID_SERVICE'
  | 'TW_LOGGER_INVALID_LEVEL'
  | 'TW_LOGGER_INVALID_OPTION'
  | 'TW_LOGGER_SHIPPER_MISSING'
  | 'TW_LOGGER_FILE_OPEN'

/** The codes a {@link LoggerConfigError} carries (every code so far is a configuration mistake). */
export type LoggerConfigErrorCode = LoggerErrorCode

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
