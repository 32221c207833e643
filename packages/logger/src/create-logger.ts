import os from 'node:os'
import { types } from 'node:util'
import pino, { type LogFn } from 'pino'
import { Destination, stdoutSink, type Sink } from './destination.js'
import { elasticsearchSink } from './elasticsearch.js'
import { installExitHandlers } from './exit-handlers.js'
import { caseInsensitiveLevels } from './level-names.js'
import { FileSink } from './file-sink.js'
import { CLASH_KEY, LOG_ERROR_KEY, createLineBuilder, type LineLayout } from './line.js'
import { ECS_VERSION, ECS_VERSION_FIELD, lineFields } from '@tracewire/contract'
import { resolveOptions } from './options.js'
import { redactOption } from './redact.js'
import { registerRedactPaths } from './redaction-skip.js'
import { fixLine } from './line-safety.js'
import { serializeError, unserializable, type WalkLimits } from './value-walk.js'
import { timeFragment } from './timestamp.js'
import { createTraceFragment } from './trace-fields.js'
import { LOG_FOR_SPAN_CONTEXT, logForSpanContext } from './span-context-line.js'
import type { Logger, LoggerOptions } from './types.js'

function field(name: string, value: unknown): string {
  return fixLine(`,${JSON.stringify(name)}:${JSON.stringify(value)}`)
}

/**
 * Creates a logger that writes FORMAT.md lines: one JSON object per line beginning with `level`, `time`
 * (epoch seconds), `@timestamp` and `service`, then `message`, the trace fields of the active
 * OpenTelemetry span, `host`, `pid`, bindings and the call's fields.
 *
 * The result is a real `pino.Logger` (children, levels, serializers, redaction, Fastify's `loggerInstance`)
 * with one extra method, `close()`.
 *
 * @throws {LoggerConfigError} when an option is invalid (`code` says which rule), e.g. a `service` that is
 * not a valid index-name part, an unknown level, or `elasticsearch` without `@tracewire/shipper` installed.
 */
export function createLogger(options: LoggerOptions): Logger {
  const opts = resolveOptions(options)
  const ecs = opts.schema === 'ecs'
  const names = lineFields(opts.schema)
  const limits: WalkLimits = { maxDepth: opts.maxDepth, maxItems: Infinity, maxKeys: Infinity, maxStringChars: Infinity }
  const { traceId, spanId, traceFlags } = opts.traceFields
  const reserved = new Set([
    names.level, names.time, names.timestamp, names.service, names.message, traceId, spanId, names.host, names.pid, CLASH_KEY,
    ...(traceFlags === false ? [] : [traceFlags]),
    ...(ecs ? [ECS_VERSION_FIELD] : []),
  ])
  const layout: LineLayout = {
    serviceFragment: field(names.service, opts.service),
    messageFragment: ',"message":',
    traceFragment: createTraceFragment(opts.traceFields),
    afterTraceFragment: (ecs ? field(ECS_VERSION_FIELD, ECS_VERSION) : '') + field(names.host, os.hostname()) + field(names.pid, process.pid),
    reserved,
    limits,
    maxLineBytes: opts.maxLineBytes,
  }

  const sinks: Sink[] = []
  const keepOpen: Sink[] = []
  if (opts.stdout) {
    const out = stdoutSink()
    sinks.push(out)
    keepOpen.push(out)
  }
  if (opts.file !== undefined) sinks.push(new FileSink(opts.file, opts.rotate))
  if (options.stream !== undefined) sinks.push(options.stream as Sink)
  if (options.elasticsearch !== undefined) sinks.push(elasticsearchSink(options.elasticsearch, opts.shutdownTimeoutMs))
  const destination = new Destination(sinks, keepOpen)

  const levelKey = names.level
  const redact = redactOption(options.redact)
  const logger = pino({
    level: opts.level,
    base: options.bindings ?? null,
    messageKey: 'message',
    timestamp: timeFragment,
    formatters: { level: (label: string) => ({ [levelKey]: label }) },
    serializers: {
      err: (value: unknown) => (types.isNativeError(value) || value instanceof Error ? serializeError(value as Error, limits) : value),
      ...options.serializers,
    },
    redact,
    hooks: {
      // pino reads the first argument (`.method`, `instanceof Error`) before any serializer runs; a revoked
      // proxy or a throwing getter there would throw into the caller. Telemetry never does: the call is
      // logged with a marker instead.
      logMethod(this: pino.Logger, args: Parameters<LogFn>, method: LogFn) {
        try {
          method.apply(this, args)
        } catch (err) {
          try {
            const first = args[0] as unknown
            const message = typeof first === 'string' ? first : typeof args[1] === 'string' ? args[1] : ''
            method.call(this, { [LOG_ERROR_KEY]: unserializable(err) }, message)
          } catch {
            // nothing more can be done without throwing into the application
          }
        }
      },
    },
  }, destination)
  ;(logger as unknown as Record<symbol, unknown>)[pino.symbols.asJsonSym] = createLineBuilder(layout)
  if (redact !== undefined) registerRedactPaths((logger as unknown as Record<symbol, object>)[pino.symbols.stringifiersSym] as object, redact.paths)
  caseInsensitiveLevels(logger)
  // Tells middleware (`@tracewire/tracing`) that lines already carry the active span's ids, so it must not
  // bind them again; pino children inherit it through their prototype. A registry symbol, so no import.
  ;(logger as unknown as Record<symbol, unknown>)[Symbol.for('tracewire.writesTraceFields')] = true
  // And lets it hand over the request's span for the access line instead of entering its context.
  ;(logger as unknown as Record<symbol, unknown>)[LOG_FOR_SPAN_CONTEXT] = logForSpanContext

  const removeExitHandlers = opts.handleExit ? installExitHandlers(logger, destination, opts.shutdownTimeoutMs) : () => {}
  let closing: Promise<void> | undefined
  const result = logger as Logger
  result.close = () => {
    closing ??= (async () => {
      removeExitHandlers()
      await destination.close(opts.shutdownTimeoutMs)
    })()
    return closing
  }
  return result
}
