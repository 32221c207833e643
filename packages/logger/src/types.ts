import type { LoggerDeliveryError } from './errors.js'
import type { Logger as PinoLogger } from 'pino'

/** Log levels, lowest to highest, plus `silent`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

/** File rotation. Either trigger may be set; rotated files are renamed `<file>.1` ... `<file>.<maxFiles>`. */
export interface RotateOptions {
  /** Rotate before a write would make the file larger than this many bytes. */
  maxBytes?: number
  /** Rotate when the UTC date changes (the date of `time`, which also names the index). */
  daily?: boolean
  /** Rotated files kept (`.1` newest). Default 5. */
  maxFiles?: number
  /**
   * Never rename a file younger than this; a limit reached earlier lets the file grow until this age.
   * Default 15000: above Fluentd `in_tail`'s `refresh_interval` (5 s in the reference) plus `rotate_wait`
   * (5 s), so the tailer has found the file before it is renamed and has finished the previous one.
   * `0` rotates as soon as a limit is reached (only for readers that do not tail the file).
   */
  minAgeMs?: number
}

/** Redaction settings, applied through pino's `redact` option (compiled once at construction). */
export interface RedactOptions {
  /** Extra paths in pino's redact syntax, e.g. `user.password` or `*.token`. Leading wildcards cost a full walk per call. */
  paths?: string[]
  /** Replace the default paths instead of adding to them. Default false. */
  replaceDefaults?: boolean
  /** Text written instead of the value. Default `"[Redacted]"`. */
  censor?: string
  /** Remove the key instead of writing the censor text. Default false. */
  remove?: boolean
}

/** Options of the Elasticsearch transport added by `elasticsearch`; passed to `@tracewire/shipper/transport`. */
export interface ElasticsearchOptions {
  /** One or more Elasticsearch base URLs. */
  node: string | string[]
  /**
   * Called in the application's thread with each delivery problem the transport's worker reports: a failed
   * request (unreachable, refused credentials, timeout; the shipper keeps retrying), dead-lettered documents,
   * dropped lines. Stays in this thread (never copied to the worker); a throw is ignored. Independent of it,
   * each kind of problem is also a `TW_LOGGER_DELIVERY` process warning at most once per 30 s.
   */
  onError?: (error: LoggerDeliveryError) => void
  /** Further options understood by `@tracewire/shipper/transport` (structured-cloned to its worker). */
  [option: string]: unknown
}

/** Names used for the trace fields; `traceFlags: false` omits the flags field. */
export interface TraceFieldOptions {
  /** Default `trace_id` (`trace.id` with `schema: 'ecs'`). */
  traceId?: string
  /** Default `span_id` (`span.id` with `schema: 'ecs'`). */
  spanId?: string
  /** Default `trace_flags` (omitted with `schema: 'ecs'`, which has no such field). */
  traceFlags?: string | false
}

/** Options of {@link createLogger}. Only `service` is required. */
export interface LoggerOptions {
  /** Service name: lowercase `[a-z0-9][a-z0-9._-]*`, at most 100 bytes. Part of the index name `fluentd-<service>-YYYYMMDD`. */
  service: string
  /** Minimum level, any case (`'info'`, `'INFO'`). Default: `LOG_LEVEL` from the environment (any case), else `info`. */
  level?: LogLevel | Uppercase<LogLevel>
  /** `default` writes `level`/`service`/`trace_id`; `ecs` writes Elastic Common Schema names. Default `default`. */
  schema?: 'default' | 'ecs'
  /** Write lines to stdout. Default: true when neither `file` nor `stream` is given, false otherwise. */
  stdout?: boolean
  /** Append lines to this file (folder created, `O_APPEND`, asynchronous buffered writes). */
  file?: string
  /**
   * Also write every line to this stream (anything with `write(line: string)`, e.g. a Writable or
   * `pino.destination()`); it is flushed (`flushSync`) and ended on `close()` if it offers those methods.
   */
  stream?: { write(line: string): unknown }
  /** Rotate `file` by size and/or daily. */
  rotate?: RotateOptions
  /** Names of the trace fields. */
  traceFields?: TraceFieldOptions
  /** Redaction; `false` turns the defaults off. */
  redact?: false | string[] | RedactOptions
  /** Longest line in bytes; longer lines get their longest strings truncated. Default 65536. */
  maxLineBytes?: number
  /** Deepest nesting inside one field value. Default 10. */
  maxDepth?: number
  /** Install exit handlers (flush on exit, fatal line on uncaught exception, flush on SIGTERM/SIGINT). Default true. */
  handleExit?: boolean
  /** Longest wait for destinations to close after SIGTERM/SIGINT before the signal is re-raised. Default 5000, or 9000 with `elasticsearch` (the shipper delivers for up to 8000 by default). */
  shutdownTimeoutMs?: number
  /** Also ship lines straight to Elasticsearch through `@tracewire/shipper/transport` (optional peer dependency). */
  elasticsearch?: ElasticsearchOptions
  /** Extra pino serializers by field name (`err` is tracewire's by default). */
  serializers?: Record<string, (value: unknown) => unknown>
  /** Fixed fields written on every line after `host` and `pid`, like child bindings. */
  bindings?: Record<string, unknown>
}

/**
 * A real `pino.Logger` (hand it to Fastify, pino-http, ...) plus `close()`, which flushes and closes every
 * destination and removes the exit handlers. `close()` is idempotent.
 */
export type Logger = PinoLogger & {
  /** Flushes and closes all destinations, removes exit handlers. Safe to call more than once. */
  close(): Promise<void>
}

/**
 * `pino-pretty` options for tracewire lines (see {@link prettyOptions}). A plain object: pass it to
 * `pino-pretty`'s `prettyFactory`/`build`, or save it as `.pino-prettyrc` for the `pino-pretty` command.
 */
export interface PrettyOptions {
  /** `message`: tracewire's message field (pino's default `msg` would leave it in the body). */
  readonly messageKey: string
  /** `@timestamp`: the ISO instant. pino-pretty's default `time` holds epoch *seconds*, read as milliseconds. */
  readonly timestampKey: string
  /** `level`, or `log\.level` (escaped: one dotted key, not a path) with `schema: 'ecs'`. */
  readonly levelKey: string
  /** `SYS:HH:MM:ss.l`: the local wall-clock time with milliseconds. */
  readonly translateTime: string
  /** The fields every line repeats (epoch time, service, host, pid), comma-separated, dots escaped. */
  readonly ignore: string
}
