import { context, createContextKey, isSpanContextValid, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { newSpanId, newTraceId } from './ids.js'
import type { IncomingTrace, TraceContext, TraceStateMember } from './types.js'

const SAMPLED = 0x01
const RANDOM = 0x02

/** What the OpenTelemetry span context cannot hold: the caller's span id and our parsed tracestate. */
interface TraceExtras {
  readonly parentSpanId: string | undefined
  readonly traceState: readonly TraceStateMember[] | undefined
}
/**
 * Kept on the SpanContext object we hand to `trace.wrapSpanContext` (a non-recording span returns that same
 * object), rather than stored as a second context value (one context copy less per request) or in a WeakMap
 * keyed by it (a per-request ephemeron entry, which the profile showed costing GC time). A symbol key on a
 * non-enumerable property: `Object.keys`, `JSON.stringify`, spreads and deep-equality checks see the span
 * context exactly as before.
 */
const EXTRAS = Symbol('tracewire.traceExtras')
type SpanContextWithExtras = SpanContext & { [EXTRAS]?: TraceExtras }

let managerChecked = false

/**
 * Registers an `AsyncLocalStorageContextManager` unless one is registered already.
 * `context.setGlobalContextManager` refuses (returns false) when a manager exists, so this never replaces
 * the one `@opentelemetry/sdk-node` installed; we then disable ours. Runs once.
 */
export function ensureContextManager(): void {
  if (managerChecked) return
  managerChecked = true
  const manager = new AsyncLocalStorageContextManager().enable()
  if (!context.setGlobalContextManager(manager)) manager.disable()
}

/** Attributes SDK spans expose for their parent (2.x `parentSpanContext`, 1.x `parentSpanId`). */
interface SdkSpanParent {
  readonly parentSpanContext?: { readonly spanId?: string }
  readonly parentSpanId?: string
}

function sdkParent(span: Span): string | undefined {
  const s = span as unknown as SdkSpanParent
  return s.parentSpanContext?.spanId ?? s.parentSpanId
}

/** The trace context of a context, or undefined when it holds no valid span. */
export function traceContextOf(ctx: Context): TraceContext | undefined {
  const span = trace.getSpan(ctx)
  if (span === undefined) return undefined
  const sc = span.spanContext()
  if (!isSpanContextValid(sc)) return undefined
  const extras = (sc as SpanContextWithExtras)[EXTRAS]
  if (extras !== undefined) {
    return {
      traceId: sc.traceId,
      spanId: sc.spanId,
      traceFlags: sc.traceFlags,
      ...(extras.parentSpanId !== undefined ? { parentSpanId: extras.parentSpanId } : {}),
      ...(extras.traceState !== undefined ? { traceState: extras.traceState } : {}),
    }
  }
  const parentSpanId = sdkParent(span)
  return {
    traceId: sc.traceId,
    spanId: sc.spanId,
    traceFlags: sc.traceFlags,
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
  }
}

/**
 * The trace context active in the current async scope (`{ traceId, spanId, traceFlags }`, plus
 * `parentSpanId`/`traceState` when known), read through `@opentelemetry/api`; `undefined` outside any trace.
 * Works the same with tracewire's middleware and with `@opentelemetry/sdk-node`.
 */
export function getTraceContext(): TraceContext | undefined {
  return traceContextOf(context.active())
}

/** `base` with a non-recording span for `tc` made active (`trace.wrapSpanContext`). */
function contextWith(tc: TraceContext, base: Context): Context {
  const sc: SpanContextWithExtras = { traceId: tc.traceId, spanId: tc.spanId, traceFlags: tc.traceFlags, isRemote: false }
  if (tc.parentSpanId !== undefined || tc.traceState !== undefined) {
    // Not enumerable: a copy (`{ ...sc, spanId }`, as some libraries derive a child's span context) must
    // not inherit this span's parent and tracestate.
    Object.defineProperty(sc, EXTRAS, { value: { parentSpanId: tc.parentSpanId, traceState: tc.traceState } })
  }
  return trace.setSpan(base, trace.wrapSpanContext(sc))
}

/**
 * Runs `fn` with `traceContext` active, so logs and outgoing calls inside it (and in everything it awaits)
 * carry its ids. For queue consumers and jobs: `withTraceContext(startTraceContext(extractTraceContext(msg.headers)), handle)`.
 * Registers the async-local context manager if none is registered.
 */
export function withTraceContext<T>(traceContext: TraceContext, fn: () => T): T {
  ensureContextManager()
  return context.with(contextWith(traceContext, context.active()), fn)
}

/**
 * A new span context: a child of `parent` (same trace id, fresh span id, `parentSpanId` set) or, without a
 * parent, a new trace with a random trace id and the level-2 `random` flag. `sampled` (default true) sets the
 * sampled flag of a new trace; a continued trace keeps the caller's flags.
 */
export function startTraceContext(parent?: IncomingTrace | TraceContext, sampled = true): TraceContext {
  if (parent === undefined) {
    return { traceId: newTraceId(), spanId: newSpanId(), traceFlags: (sampled ? SAMPLED : 0) | RANDOM }
  }
  const parentSpanId = 'spanId' in parent ? parent.spanId : parent.parentSpanId
  // Assigned, not spread from temporary objects: this runs once per request (same keys, same order).
  const tc: { -readonly [K in keyof TraceContext]: TraceContext[K] } = {
    traceId: parent.traceId,
    spanId: newSpanId(),
    traceFlags: parent.traceFlags & (SAMPLED | RANDOM),
  }
  if (parentSpanId !== undefined) tc.parentSpanId = parentSpanId
  if (parent.traceState !== undefined) tc.traceState = parent.traceState
  return tc
}

/**
 * The HTTP server span of `@opentelemetry/instrumentation-http`, which it keeps in the context under core's
 * RPC metadata key. `createContextKey` keys are `Symbol.for(description)`, so reading it needs no
 * dependency on `@opentelemetry/core`. Framework instrumentations make per-middleware spans active, so the
 * active span alone would name a middleware, not the request.
 */
const RPC_METADATA = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA')

/** What the middleware runs a request in. */
export interface RequestScope {
  /** Context the rest of the request runs in. */
  readonly ctx: Context
  /** Context the access line is written in (the request's span active). */
  readonly logCtx: Context
  readonly trace: TraceContext
  /** True when tracewire made the span (no SDK span was recording). */
  readonly own: boolean
}

/**
 * The span a server request runs in. With the SDK running, its HTTP server span (or, failing that, the
 * active recording span) is used as is, so no second span is made; otherwise the incoming trace is continued
 * (or a new one started) with a non-recording span carrying a fresh span id.
 */
export function requestContext(incoming: () => IncomingTrace | undefined, sampled: boolean): RequestScope {
  const active = context.active()
  const rpcSpan = (active.getValue(RPC_METADATA) as { span?: Span } | undefined)?.span
  const sdkSpan = rpcSpan !== undefined && typeof rpcSpan.isRecording === 'function' ? rpcSpan : trace.getSpan(active)
  if (sdkSpan !== undefined && sdkSpan.isRecording()) {
    const logCtx = sdkSpan === trace.getSpan(active) ? active : trace.setSpan(active, sdkSpan)
    const tc = traceContextOf(logCtx)
    if (tc !== undefined) return { ctx: active, logCtx, trace: tc, own: false }
  }
  const tc = startTraceContext(incoming(), sampled)
  const ctx = contextWith(tc, active)
  return { ctx, logCtx: ctx, trace: tc, own: true }
}
