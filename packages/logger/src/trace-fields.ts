import { context, trace, TraceFlags, type SpanContext } from '@opentelemetry/api'
import { fixLine } from './line-safety.js'
import { namedSpanContext } from './span-context-line.js'

/** Names of the trace fields as written on the line; `false` omits that field. */
export interface TraceFieldNames {
  traceId: string
  spanId: string
  traceFlags: string | false
}

const VALID_TRACE_ID = /^[0-9a-f]{32}$/
const VALID_SPAN_ID = /^[0-9a-f]{16}$/
const INVALID_TRACE_ID = '00000000000000000000000000000000'
const INVALID_SPAN_ID = '0000000000000000'

/**
 * Returns a function giving the trace fields' JSON text for the active OpenTelemetry span context, or ''
 * when none is active or the context is invalid (W3C Trace Context: all-zero ids are invalid).
 *
 * The context is read through `@opentelemetry/api` only, so it works with any SDK registered globally.
 * An SDK span returns the same SpanContext object on every call, so the validity check and the serialised
 * text are computed once per span (last-span fast check, then a WeakMap) instead of on every log call.
 * A span context named by the call (`logForSpanContext`) is used instead of the active one.
 */
export function createTraceFragment(names: TraceFieldNames): () => string {
  const keyTraceId = fixLine(`,${JSON.stringify(names.traceId)}:"`)
  const keySpanId = fixLine(`",${JSON.stringify(names.spanId)}:"`)
  const keyFlags = names.traceFlags === false ? false : fixLine(`",${JSON.stringify(names.traceFlags)}:"`)
  const cache = new WeakMap<SpanContext, string>()
  let lastContext: SpanContext | undefined
  let lastText = ''

  function build(sc: SpanContext): string {
    const { traceId, spanId } = sc
    if (
      typeof traceId !== 'string' || typeof spanId !== 'string' ||
      !VALID_TRACE_ID.test(traceId) || !VALID_SPAN_ID.test(spanId) ||
      traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID
    ) {
      return ''
    }
    const sampled = (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED
    return keyTraceId + traceId + keySpanId + spanId + (keyFlags === false ? '"' : keyFlags + (sampled ? '01"' : '00"'))
  }

  return function traceFragment(): string {
    const named = namedSpanContext()
    if (named !== undefined) {
      // Named by the caller (one line per request, the access line): built without the WeakMap, whose
      // per-span entry would cost more than the build it saves.
      if (named !== lastContext) {
        lastText = build(named)
        lastContext = named
      }
      return lastText
    }
    const sc = trace.getSpanContext(context.active())
    if (sc === undefined) return ''
    if (sc === lastContext) return lastText
    let text = cache.get(sc)
    if (text === undefined) {
      text = build(sc)
      cache.set(sc, text)
    }
    lastContext = sc
    lastText = text
    return text
  }
}
