/** Stable codes of {@link TracingError}. */
export type TracingErrorCode =
  | 'TW_TRACING_INVALID_OPTION'
  | 'TW_TRACING_SDK_MISSING'

/**
 * The one error class of `@tracewire/tracing`. Thrown only for configuration mistakes, at construction:
 * at runtime the tracing code never throws into the application.
 */
export class TracingError extends Error {
  override readonly name = 'TracingError'
  readonly code: TracingErrorCode

  constructor(code: TracingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
