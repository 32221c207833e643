import { context, trace } from '@opentelemetry/api'
import { formatB3Multi, formatB3Single } from './b3.js'
import { traceContextOf } from './context.js'
import { newSpanId } from './ids.js'
import { formatTraceparent } from './traceparent.js'
import { parseTracestate, serializeTracestate } from './tracestate.js'
import type { InjectOptions, TraceContext, TraceStateMember } from './types.js'
import { refuseUnknownOptions } from './unknown-options.js'

// Typed against the interface, so an option added there and forgotten here is a compile error.
const INJECT_OPTIONS: Record<keyof InjectOptions, true> = { b3: true }

/** Headers for one outgoing call, with lowercase names. */
export type OutgoingHeaders = Record<string, string>

function stateOf(tc: TraceContext): readonly TraceStateMember[] | undefined {
  if (tc.traceState !== undefined) return tc.traceState
  // An SDK span keeps its tracestate in the span context; read it through the API.
  const sdkState = trace.getSpanContext(context.active())?.traceState?.serialize()
  return sdkState ? parseTracestate(sdkState) : undefined
}

/**
 * The headers an outgoing call carries for `tc`: `traceparent` (version 00, same trace id, a new child span
 * id per call), `tracestate` when there is one (at most 512 characters), and B3 when asked.
 */
export function outgoingHeadersFor(tc: TraceContext, options: InjectOptions = {}): OutgoingHeaders {
  const child = { traceId: tc.traceId, spanId: newSpanId(), traceFlags: tc.traceFlags }
  const headers: OutgoingHeaders = { traceparent: formatTraceparent(child) }
  const state = stateOf(tc)
  if (state !== undefined && state.length > 0) {
    const serialised = serializeTracestate(state)
    if (serialised !== '') headers.tracestate = serialised
  }
  if (options.b3 === 'single') headers.b3 = formatB3Single(child.traceId, child.spanId, child.traceFlags)
  else if (options.b3 === 'multi') Object.assign(headers, formatB3Multi(child.traceId, child.spanId, child.traceFlags))
  return headers
}

/**
 * Writes the active trace into `headers` for a call that tracewire does not intercept (a queue message, a
 * custom transport). Does nothing outside a trace or when `headers` already has a `traceparent` (any case).
 * Returns true when headers were added. Throws {@link TracingError} `TW_TRACING_INVALID_OPTION` for an unknown
 * option name, also outside a trace (so a typo fails in every call, not only in traced ones).
 */
export function injectTraceHeaders(headers: Record<string, unknown>, options?: InjectOptions): boolean {
  if (options !== undefined) refuseUnknownOptions(options, INJECT_OPTIONS, 'injectTraceHeaders options')
  const tc = traceContextOf(context.active())
  if (tc === undefined) return false
  for (const key of Object.keys(headers)) if (key.toLowerCase() === 'traceparent') return false
  Object.assign(headers, outgoingHeadersFor(tc, options))
  return true
}
