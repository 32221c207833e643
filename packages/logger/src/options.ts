import { SERVICE_NAME_RULE, isValidServiceName, lineFields } from '@tracewire/contract'
import { closestName } from '@tracewire/internal'
import { LoggerConfigError } from './errors.js'
import type { LogLevel, LoggerOptions, RedactOptions, RotateOptions, TraceFieldOptions } from './types.js'
import type { TraceFieldNames } from './trace-fields.js'

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

// The option names of each options object, typed against its interface so a new option cannot be
// forgotten here (a missing or extra name is a compile error).
const LOGGER_OPTIONS: Record<keyof LoggerOptions, true> = {
  service: true, level: true, schema: true, stdout: true, file: true, stream: true, rotate: true, traceFields: true,
  redact: true, maxLineBytes: true, maxDepth: true, handleExit: true, shutdownTimeoutMs: true, elasticsearch: true,
  serializers: true, bindings: true,
}
const ROTATE_OPTIONS: Record<keyof RotateOptions, true> = { maxBytes: true, daily: true, maxFiles: true, minAgeMs: true }
const TRACE_FIELD_OPTIONS: Record<keyof TraceFieldOptions, true> = { traceId: true, spanId: true, traceFlags: true }
const REDACT_OPTIONS: Record<keyof RedactOptions, true> = { paths: true, replaceDefaults: true, censor: true, remove: true }
/** Youngest age at which a log file may be renamed (FORMAT.md "Files and rotation"). */
const DEFAULT_ROTATE_MIN_AGE_MS = 15_000

export interface ResolvedOptions {
  service: string
  level: LogLevel
  schema: 'default' | 'ecs'
  stdout: boolean
  file: string | undefined
  rotate: Required<RotateOptions> | undefined
  traceFields: TraceFieldNames
  maxLineBytes: number
  maxDepth: number
  handleExit: boolean
  shutdownTimeoutMs: number
}

function fail(code: ConstructorParameters<typeof LoggerConfigError>[0], message: string): never {
  throw new LoggerConfigError(code, message)
}

/** The received value as a message shows it: strings quoted, objects by kind, never their contents. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value)
  if (value === undefined || value === null) return String(value)
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'function') return 'a function'
  return `${typeof value} ${String(value)}`
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Refuses option names the object does not have: a misspelt option (`files`, `servce`) would otherwise be
 * ignored silently, and the logger would run with a default the user did not choose.
 */
function refuseUnknownOptions(options: object, valid: Record<string, true>, where: string): void {
  const names = Object.keys(valid)
  for (const key of Object.keys(options)) {
    if (Object.prototype.hasOwnProperty.call(valid, key)) continue
    const closest = closestName(key, names)
    fail('TW_LOGGER_INVALID_OPTION', `Unknown option ${show(key)} in ${where}${closest === undefined ? '' : `: did you mean "${closest}"?`} (valid: ${names.join(', ')})`)
  }
}

function optionsObject(value: unknown, name: string, valid: Record<string, true>): Record<string, unknown> {
  if (!isPlainObject(value)) fail('TW_LOGGER_INVALID_OPTION', `Invalid ${name} ${show(value)}: expected an object with ${Object.keys(valid).join(', ')}`)
  refuseUnknownOptions(value, valid, name)
  return value
}

/** Checks `service` against the line contract's service-name rule (`@tracewire/contract`). */
function validateService(service: unknown): string {
  const rule = `service must be a string of ${SERVICE_NAME_RULE}`
  if (service === undefined) fail('TW_LOGGER_INVALID_SERVICE', `createLogger needs a service name, e.g. createLogger({ service: 'orders' }): ${rule}`)
  if (!isValidServiceName(service)) {
    const bytes = typeof service === 'string' && service.length > 100 ? ` (${Buffer.byteLength(service)} bytes)` : ''
    fail('TW_LOGGER_INVALID_SERVICE', `Invalid service ${show(service)}${bytes}: ${rule}`)
  }
  return service
}

/** Level names are case-insensitive everywhere (`level: 'INFO'` as `LOG_LEVEL=INFO`); pino's are lowercase. */
function validateLevel(level: unknown, source: string): LogLevel {
  const name = typeof level === 'string' ? level.toLowerCase() : level
  if (typeof name !== 'string' || !(LEVELS as readonly string[]).includes(name)) {
    fail('TW_LOGGER_INVALID_LEVEL', `Invalid ${source} ${show(level)}: expected one of ${LEVELS.join(', ')} (any case)`)
  }
  return name as LogLevel
}

function positiveInteger(value: unknown, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail('TW_LOGGER_INVALID_OPTION', `Invalid ${name} ${show(value)}: expected an integer of at least ${min}`)
  }
  return value
}

function fieldName<F extends string | false>(value: unknown, name: string, fallback: F): string | F {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value.length === 0) {
    fail('TW_LOGGER_INVALID_OPTION', `Invalid ${name} ${show(value)}: expected a non-empty string`)
  }
  return value
}

/** Validates every option and fills in defaults. Throws {@link LoggerConfigError}. */
export function resolveOptions(options: LoggerOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  if (!isPlainObject(options)) {
    fail('TW_LOGGER_INVALID_OPTION', `createLogger needs an options object with a service name, e.g. createLogger({ service: 'orders' }); received ${show(options)}`)
  }
  refuseUnknownOptions(options, LOGGER_OPTIONS, 'createLogger options')
  const service = validateService(options.service)
  const level = options.level !== undefined
    ? validateLevel(options.level, 'level')
    : env.LOG_LEVEL !== undefined && env.LOG_LEVEL !== ''
      ? validateLevel(env.LOG_LEVEL, 'LOG_LEVEL')
      : 'info'
  const schema = options.schema ?? 'default'
  if (schema !== 'default' && schema !== 'ecs') {
    fail('TW_LOGGER_INVALID_OPTION', `Invalid schema ${show(schema)}: expected "default" or "ecs"`)
  }
  if (options.file !== undefined && (typeof options.file !== 'string' || options.file === '')) {
    fail('TW_LOGGER_INVALID_OPTION', `Invalid file ${show(options.file)}: expected a path`)
  }
  if (options.stream !== undefined && (typeof options.stream !== 'object' || options.stream === null || typeof options.stream.write !== 'function')) {
    fail('TW_LOGGER_INVALID_OPTION', `Invalid stream ${show(options.stream)}: expected an object with a write(line) method`)
  }
  let rotate: ResolvedOptions['rotate']
  if (options.rotate !== undefined) {
    if (options.file === undefined) fail('TW_LOGGER_INVALID_OPTION', 'Invalid rotate: rotation needs the file option')
    const given = optionsObject(options.rotate, 'rotate', ROTATE_OPTIONS) as RotateOptions
    const maxBytes = given.maxBytes === undefined ? 0 : positiveInteger(given.maxBytes, 'rotate.maxBytes', 0)
    const daily = given.daily === true
    if (maxBytes === 0 && !daily) fail('TW_LOGGER_INVALID_OPTION', 'Invalid rotate: set rotate.maxBytes and/or rotate.daily')
    rotate = {
      maxBytes,
      daily,
      maxFiles: positiveInteger(given.maxFiles, 'rotate.maxFiles', 5),
      // Above in_tail's refresh_interval (5 s in the reference) plus rotate_wait (5 s): see FORMAT.md.
      minAgeMs: positiveInteger(given.minAgeMs, 'rotate.minAgeMs', DEFAULT_ROTATE_MIN_AGE_MS, 0),
    }
  }
  const names = lineFields(schema)
  const tf = options.traceFields === undefined ? {} : optionsObject(options.traceFields, 'traceFields', TRACE_FIELD_OPTIONS) as TraceFieldOptions
  if (options.redact !== undefined && options.redact !== false && !Array.isArray(options.redact)) {
    optionsObject(options.redact, 'redact', REDACT_OPTIONS)
  }
  const traceFlags = tf.traceFlags === false ? false : fieldName(tf.traceFlags, 'traceFields.traceFlags', names.traceFlags ?? false)
  return {
    service,
    level,
    schema,
    stdout: options.stdout ?? (options.file === undefined && options.stream === undefined),
    file: options.file,
    rotate,
    traceFields: {
      traceId: fieldName(tf.traceId, 'traceFields.traceId', names.traceId),
      spanId: fieldName(tf.spanId, 'traceFields.spanId', names.spanId),
      traceFlags,
    },
    // The fixed head (level, time, service, trace fields, host, pid) must always fit.
    maxLineBytes: positiveInteger(options.maxLineBytes, 'maxLineBytes', 65536, 1024),
    maxDepth: positiveInteger(options.maxDepth, 'maxDepth', 10),
    handleExit: options.handleExit ?? true,
    // With the shipper the wait covers its own final-delivery budget (8 s by default, under thread-stream's
    // 10 s exit cap), so SIGTERM does not cut a flush short that would otherwise complete.
    shutdownTimeoutMs: positiveInteger(options.shutdownTimeoutMs, 'shutdownTimeoutMs', options.elasticsearch === undefined ? 5000 : 9000),
  }
}
