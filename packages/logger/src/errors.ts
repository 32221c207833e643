/**
 * Stable codes carried by {@link LoggerConfigError}. Match on `code`, never on the message text.
 */
export type LoggerConfigErrorCode =
  | 'TW_LOGGER_INVALID_SERVICE'
  | 'TW_LOGGER_INVALID_LEVEL'
  | 'TW_LOGGER_INVALID_OPTION'
  | 'TW_LOGGER_SHIPPER_MISSING'
  | 'TW_LOGGER_FILE_OPEN'

/**
 * Thrown by `createLogger` when an option is invalid. Configuration mistakes fail at construction with a
 * message that names the value received and the rule it broke; a running logger never throws into the
 * application.
 */
export class LoggerConfigError extends Error {
  /** Stable machine-readable code, e.g. `TW_LOGGER_INVALID_SERVICE`. */
  readonly code: LoggerConfigErrorCode

  constructor(code: LoggerConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LoggerConfigError'
    this.code = code
  }
}
