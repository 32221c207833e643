export { createLogger } from './create-logger.js'
export { LoggerConfigError, LoggerDeliveryError, LoggerError, type LoggerConfigErrorCode, type LoggerErrorCode } from './errors.js'
export { MARKERS } from './markers.js'
export { CLASH_KEY } from './line.js'
export { DEFAULT_REDACT_PATHS } from './redact.js'
export { prettyOptions } from './pretty.js'
export type {
  ElasticsearchOptions,
  LogLevel,
  Logger,
  LoggerOptions,
  PrettyOptions,
  RedactOptions,
  RotateOptions,
  TraceFieldOptions,
} from './types.js'
