import diagnosticsChannel from 'node:diagnostics_channel'
import http from 'node:http'
import https from 'node:https'
import { syncBuiltinESMExports } from 'node:module'
import { context, trace } from '@opentelemetry/api'
import { ensureContextManager, traceContextOf } from './context.js'
import { outgoingHeadersFor } from './inject.js'
import type { Disposer, InjectOptions, PropagateOptions, TraceContext } from './types.js'
import { TracingError } from './errors.js'
import { refuseUnknownOptions } from './unknown-options.js'

const PROPAGATE_OPTIONS: Record<keyof PropagateOptions, true> = { b3: true, undici: true, nodeHttp: true }

/**
 * The active trace to propagate, or undefined. A recording span means the OpenTelemetry SDK is running; its
 * http/undici instrumentations inject their own client span's headers, so we stay out of the way.
 */
function propagatable(): TraceContext | undefined {
  const ctx = context.active()
  const span = trace.getSpan(ctx)
  if (span === undefined || span.isRecording()) return undefined
  return traceContextOf(ctx)
}

/** undici's request object as published on `undici:request:create` (undici 5: string headers; 6+: flat array). */
interface UndiciRequest {
  headers: string | string[]
  addHeader(name: string, value: string): unknown
}

function undiciHasTraceparent(headers: string | string[]): boolean {
  if (typeof headers === 'string') return /(^|\r\n)traceparent:/i.test(headers)
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]
    if (name !== undefined && name.length === 11 && name.toLowerCase() === 'traceparent') return true
  }
  return false
}

function subscribeUndici(inject: InjectOptions): Disposer {
  const onCreate = (message: unknown): void => {
    try {
      const tc = propagatable()
      if (tc === undefined) return
      const request = (message as { request?: UndiciRequest }).request
      if (request === undefined || undiciHasTraceparent(request.headers)) return
      const headers = outgoingHeadersFor(tc, inject)
      for (const name of Object.keys(headers)) request.addHeader(name, headers[name] as string)
    } catch {
      // never break the application's request
    }
  }
  diagnosticsChannel.subscribe('undici:request:create', onCreate)
  return () => {
    diagnosticsChannel.unsubscribe('undici:request:create', onCreate)
  }
}

type RequestFn = (...args: unknown[]) => http.ClientRequest

/**
 * Wraps `request`/`get` of `node:http` and `node:https`. Node 20's `http.client.request.start` channel fires
 * after the request headers are already stored, so a header cannot be added there; the `ClientRequest` that
 * `request` returns, however, has not stored its headers yet (unless the caller passed headers as an array or
 * `Expect`, which we then leave alone). Node's own `get` calls the module's internal `request` and ends the
 * request at once, so our `get` is rebuilt the same way on top of our `request`.
 */
function wrapNodeHttp(inject: InjectOptions): Disposer {
  let active = true
  const restores: Array<() => void> = []
  const addHeaders = (req: http.ClientRequest): void => {
    if (!active) return
    try {
      const tc = propagatable()
      if (tc !== undefined && !req.headersSent && req.getHeader('traceparent') === undefined) {
        const headers = outgoingHeadersFor(tc, inject)
        for (const h of Object.keys(headers)) req.setHeader(h, headers[h] as string)
      }
    } catch {
      // never break the application's request
    }
  }
  for (const mod of [http, https] as const) {
    const target = mod as unknown as Record<'request' | 'get', RequestFn>
    const originalRequest = target.request
    const originalGet = target.get
    const request = function tracewireRequest(this: unknown, ...args: unknown[]): http.ClientRequest {
      const req = originalRequest.apply(this, args)
      addHeaders(req)
      return req
    }
    const get = function tracewireGet(this: unknown, ...args: unknown[]): http.ClientRequest {
      if (!active) return originalGet.apply(this, args)
      const req = request.apply(this, args)
      req.end()
      return req
    }
    target.request = request
    target.get = get
    restores.push(() => {
      // Someone wrapped after us: leave their wrapper in place; ours is a pass-through once inactive.
      if (target.request === request) target.request = originalRequest
      if (target.get === get) target.get = originalGet
    })
  }
  // ESM `import { request } from 'node:http'` bindings follow the module object only after this call.
  syncBuiltinESMExports()
  return () => {
    active = false
    for (const restore of restores) restore()
    syncBuiltinESMExports()
  }
}

/**
 * Makes outgoing HTTP calls made inside a trace carry it: `traceparent` (version 00, same trace id, a new
 * child span id per call), `tracestate` and, with `b3`, B3 headers.
 *
 * - global `fetch` and undici: through the `undici:request:create` diagnostics channel (no patching);
 * - `node:http`/`node:https` (and so axios, got, node-fetch): by wrapping `request` and `get` on both modules
 *   (reversible: the disposer restores them).
 *
 * Calls outside any trace carry nothing; a request that already has `traceparent` is left alone; while an
 * OpenTelemetry SDK span is recording, the SDK's own instrumentations propagate and this stays out of the way.
 * Returns a disposer that undoes everything (idempotent). Throws {@link TracingError}
 * `TW_TRACING_INVALID_OPTION` for an invalid or unknown option.
 */
export function propagateOutgoing(options: PropagateOptions = {}): Disposer {
  refuseUnknownOptions(options, PROPAGATE_OPTIONS, 'propagateOutgoing options')
  const b3 = options.b3 ?? false
  if (b3 !== false && b3 !== 'single' && b3 !== 'multi') {
    throw new TracingError('TW_TRACING_INVALID_OPTION', `b3 must be false, 'single' or 'multi', received ${JSON.stringify(b3)}`)
  }
  ensureContextManager()
  const inject: InjectOptions = { b3 }
  const disposers: Disposer[] = []
  if (options.undici !== false) disposers.push(subscribeUndici(inject))
  if (options.nodeHttp !== false) disposers.push(wrapNodeHttp(inject))
  let disposed = false
  return () => {
    if (disposed) return
    disposed = true
    for (const d of disposers) d()
  }
}
