/** Validates `ShipperOptions` at construction and fills in the defaults. */
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closestName } from '@tracewire/internal'
import { ShipperConfigError } from './errors.js'
import type { OverflowPolicy, ShipperOptions } from './types.js'

// Every option name, checked against `ShipperOptions` by the compiler in both directions.
const OPTION_NAMES = Object.keys({
  node: 0, client: 0, auth: 0, tls: 0, compression: 0, indexPrefix: 0, indexTimeZone: 0, flushBytes: 0, flushIntervalMs: 0,
  maxConcurrentRequests: 0, maxLineBytes: 0, maxBufferBytes: 0, overflowPolicy: 0, dropReportIntervalMs: 0, retryWaitMs: 0,
  retryBackoffBase: 0, maxRetryIntervalMs: 0, maxRetryAgeMs: 0, maxRetries: 0, retryRandomize: 0, requestTimeoutMs: 0,
  shutdownTimeoutMs: 0, bufferDir: 0, maxDiskBytes: 0, fsyncIntervalMs: 0, deadLetterDir: 0, onDeadLetter: 0, onDrop: 0,
  onError: 0, reportDropsToStderr: 0,
} satisfies Record<keyof ShipperOptions, 0>)

/** Options that cannot cross into the transport's worker thread (structured cloning drops them). */
export const NOT_TRANSPORTABLE = ['client', 'onDeadLetter', 'onDrop', 'onError'] as const

/**
 * Refuses option names the shipper does not know, naming the closest valid one: a misspelt
 * durability option (`bufferPath`) silently falling back to its default is data at risk.
 */
export function refuseUnknownOptions(options: object, valid: readonly string[] = OPTION_NAMES): void {
  for (const key of Object.keys(options)) {
    if (valid.includes(key)) continue
    const near = closestName(key, valid, { onlyNear: true, unitSuffix: true })
    throw new ShipperConfigError(
      `unknown option ${JSON.stringify(key)}${near ? `; did you mean ${JSON.stringify(near)}?` : `; valid options: ${valid.join(', ')}`}`,
      { option: key },
    )
  }
}

/** The option names of the pino transport (`@tracewire/shipper/transport`). */
export const TRANSPORT_OPTION_NAMES: readonly string[] = OPTION_NAMES.filter((n) => !(NOT_TRANSPORTABLE as readonly string[]).includes(n))

/** Options after validation, every default applied. */
export interface ResolvedOptions {
  indexPrefix: string
  indexTimeZone: string
  flushBytes: number
  flushIntervalMs: number
  maxConcurrentRequests: number
  maxLineBytes: number
  maxBufferBytes: number
  overflowPolicy: OverflowPolicy
  dropReportIntervalMs: number
  retryWaitMs: number
  retryBackoffBase: number
  maxRetryIntervalMs: number
  maxRetryAgeMs: number
  maxRetries: number
  retryRandomize: boolean
  requestTimeoutMs: number
  shutdownTimeoutMs: number
  bufferDir: string | false
  maxDiskBytes: number
  fsyncIntervalMs: number
  deadLetterDir: string | false
  compression: boolean
  reportDropsToStderr: boolean
}

/** Defaults, documented in the README options table. */
export const DEFAULTS = {
  indexPrefix: 'fluentd',
  indexTimeZone: 'UTC',
  flushBytes: 5 * 1024 * 1024,
  flushIntervalMs: 1000,
  maxConcurrentRequests: 5,
  maxLineBytes: 1024 * 1024,
  maxBufferBytes: 64 * 1024 * 1024,
  overflowPolicy: 'drop_oldest' as OverflowPolicy,
  dropReportIntervalMs: 10_000,
  retryWaitMs: 1000,
  retryBackoffBase: 2,
  maxRetryIntervalMs: 5 * 60_000,
  maxRetryAgeMs: 72 * 3600_000,
  requestTimeoutMs: 30_000,
  shutdownTimeoutMs: 8000,
  maxDiskBytes: 1024 * 1024 * 1024,
  fsyncIntervalMs: 1000,
} as const

const POLICIES: readonly OverflowPolicy[] = ['drop_oldest', 'drop_newest', 'block']

function positive(name: string, value: number | undefined, fallback: number, { integer = true, min = 1 } = {}): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new ShipperConfigError(`${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(value)}`, { option: name })
  }
  return value
}

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new ShipperConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`, { option: name })
  return value
}

/** Throws `ShipperConfigError` (code `TW_SHIPPER_CONFIG`) for any invalid option. */
export function resolveOptions(options: ShipperOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ShipperConfigError('createShipper needs an options object')
  refuseUnknownOptions(options)
  const overflowPolicy = options.overflowPolicy ?? DEFAULTS.overflowPolicy
  if (!POLICIES.includes(overflowPolicy)) {
    throw new ShipperConfigError(`overflowPolicy must be one of ${POLICIES.join(', ')}, got ${JSON.stringify(overflowPolicy)}`, { option: 'overflowPolicy' })
  }
  const flushBytes = positive('flushBytes', options.flushBytes, DEFAULTS.flushBytes)
  const maxBufferBytes = positive('maxBufferBytes', options.maxBufferBytes, DEFAULTS.maxBufferBytes)
  const maxLineBytes = positive('maxLineBytes', options.maxLineBytes, Math.min(DEFAULTS.maxLineBytes, maxBufferBytes))
  if (maxLineBytes > maxBufferBytes) {
    throw new ShipperConfigError(`maxLineBytes (${maxLineBytes}) cannot exceed maxBufferBytes (${maxBufferBytes})`, { option: 'maxLineBytes' })
  }
  const indexPrefix = options.indexPrefix ?? DEFAULTS.indexPrefix
  if (typeof indexPrefix !== 'string') throw new ShipperConfigError(`indexPrefix must be a string, got ${JSON.stringify(indexPrefix)}`, { option: 'indexPrefix' })
  const indexTimeZone = options.indexTimeZone ?? DEFAULTS.indexTimeZone
  if (typeof indexTimeZone !== 'string') throw new ShipperConfigError(`indexTimeZone must be a string, got ${JSON.stringify(indexTimeZone)}`, { option: 'indexTimeZone' })
  // On by default (the reference pipeline's `@type file` buffer); one directory per index prefix.
  const bufferDir = options.bufferDir ?? defaultBufferDir(indexPrefix)
  if (bufferDir !== false && (typeof bufferDir !== 'string' || bufferDir === '')) {
    throw new ShipperConfigError(`bufferDir must be a directory path or false, got ${JSON.stringify(bufferDir)}`, { option: 'bufferDir' })
  }
  let deadLetterDir = options.deadLetterDir ?? (bufferDir ? `${bufferDir}/dead-letter` : false)
  if (deadLetterDir !== false && (typeof deadLetterDir !== 'string' || deadLetterDir === '')) {
    throw new ShipperConfigError(`deadLetterDir must be a directory path or false, got ${JSON.stringify(deadLetterDir)}`, { option: 'deadLetterDir' })
  }
  if (deadLetterDir === '') deadLetterDir = false
  const compression = options.compression ?? false
  if (compression !== false && compression !== true && compression !== 'gzip') {
    throw new ShipperConfigError(`compression must be true, false or 'gzip', got ${JSON.stringify(compression)}`, { option: 'compression' })
  }
  return {
    indexPrefix,
    indexTimeZone,
    flushBytes,
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs, DEFAULTS.flushIntervalMs),
    maxConcurrentRequests: positive('maxConcurrentRequests', options.maxConcurrentRequests, DEFAULTS.maxConcurrentRequests),
    maxLineBytes,
    maxBufferBytes,
    overflowPolicy,
    dropReportIntervalMs: positive('dropReportIntervalMs', options.dropReportIntervalMs, DEFAULTS.dropReportIntervalMs),
    retryWaitMs: positive('retryWaitMs', options.retryWaitMs, DEFAULTS.retryWaitMs),
    retryBackoffBase: positive('retryBackoffBase', options.retryBackoffBase, DEFAULTS.retryBackoffBase, { integer: false }),
    maxRetryIntervalMs: positive('maxRetryIntervalMs', options.maxRetryIntervalMs, DEFAULTS.maxRetryIntervalMs),
    maxRetryAgeMs: positive('maxRetryAgeMs', options.maxRetryAgeMs, DEFAULTS.maxRetryAgeMs),
    maxRetries: positive('maxRetries', options.maxRetries, Number.POSITIVE_INFINITY, { min: 0 }),
    retryRandomize: flag('retryRandomize', options.retryRandomize, true),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, DEFAULTS.requestTimeoutMs),
    shutdownTimeoutMs: positive('shutdownTimeoutMs', options.shutdownTimeoutMs, DEFAULTS.shutdownTimeoutMs, { min: 0 }),
    bufferDir,
    maxDiskBytes: positive('maxDiskBytes', options.maxDiskBytes, DEFAULTS.maxDiskBytes),
    // 0 = fsync after every write, as disk-buffer/README.md documents.
    fsyncIntervalMs: positive('fsyncIntervalMs', options.fsyncIntervalMs, DEFAULTS.fsyncIntervalMs, { min: 0 }),
    deadLetterDir,
    compression: compression !== false,
    reportDropsToStderr: flag('reportDropsToStderr', options.reportDropsToStderr, true),
  }
}

/**
 * `<os tmpdir>/tracewire-shipper/<indexPrefix>-<app>`, where `<app>` is a short hash of the working
 * directory and the main script: stable across restarts of the same application (so a crash is
 * replayed), distinct between applications on one host (one process per directory). Set `bufferDir`
 * to a persistent volume in production.
 */
export function defaultBufferDir(indexPrefix: string): string {
  const app = createHash('sha256').update(`${process.cwd()}\0${process.argv[1] ?? ''}`).digest('hex').slice(0, 10)
  return join(tmpdir(), 'tracewire-shipper', `${indexPrefix.replace(/[^a-z0-9._-]/g, '_') || 'default'}-${app}`)
}
