import type { SpanContext } from '@opentelemetry/api'

/**
 * Registry symbol under which every `@tracewire/logger` logger (and, through pino's prototype chain, every
 * child) carries {@link logForSpanContext}. `@tracewire/tracing`'s middleware looks it up to write the access
 * line with the request's ids without making the request's context active around the call; a registry
 * symbol, so neither package imports the other.
 */
export const LOG_FOR_SPAN_CONTEXT = Symbol.for('tracewire.logForSpanContext')

// The span context named by the call in progress. Logging is synchronous, so one slot suffices; a log call
// made from inside (a getter or serializer that logs) sees the same span, as it would have under
// `context.with`.
let named: SpanContext | undefined

/** The span context the line being built was written for, or `undefined`: then the active one is read. */
export function namedSpanContext(): SpanContext | undefined {
  return named
}

/**
 * Writes one line at `level` (`info`, `warn`, ...) carrying `spanContext`'s ids instead of the active span's.
 * Why: entering a context costs an AsyncLocalStorage switch (and on Node 24 a new context frame) per call,
 * only for the logger to read the span back out of it; the caller already holds the span. Does nothing when
 * the logger has no such level method.
 */
export function logForSpanContext(this: object, spanContext: SpanContext, level: string, obj: object, msg: string): void {
  const write = (this as Record<string, unknown>)[level]
  if (typeof write !== 'function') return
  const previous = named
  named = spanContext
  try {
    ;(write as (obj: object, msg: string) => void).call(this, obj, msg)
  } finally {
    named = previous
  }
}
