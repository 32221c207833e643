/**
 * One request through three services, as their loggers and the tracing middleware write it (FORMAT.md):
 * gateway → orders → payments, where payments first authorizes, then fails to charge the card (the error is
 * in the deepest span). Used by the browser tests and by the README screenshot script.
 */

/** The trace id of {@link threeServiceTrace}. */
export const THREE_SERVICE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'

/** Span ids, by role. */
export const SPANS = {
  gateway: '00f067aa0ba902b7',
  orders: 'b7ad6b7169203331',
  authorize: '53995c3f42cd8ad8',
  charge: 'e457b5a2e4d86bd1',
} as const

/**
 * The span ids of the outgoing calls: `@tracewire/tracing` sends each call with a fresh span id that no line
 * carries, so that id, not the caller's, is the callee's `parent_span_id`.
 */
const CALLS = {
  gatewayToOrders: '6e0c63257de34c92',
  ordersToAuthorize: 'a3ce929d0e0e4736',
  ordersToCharge: '2d4f8e1c9b7a6053',
} as const

/** The documents (`_source`) of the trace, with `@timestamp`s starting at `t0Ms`, each with its service's index. */
export function threeServiceTrace(t0Ms: number): Array<{ service: string; doc: Record<string, unknown> }> {
  const at = (ms: number): string => new Date(t0Ms + ms).toISOString()
  const line = (ms: number, service: string, span: string, level: string, message: string, extra: Record<string, unknown> = {}) => ({
    service,
    doc: { level, '@timestamp': at(ms), service, message, trace_id: THREE_SERVICE_TRACE_ID, span_id: span, trace_flags: '01', ...extra },
  })
  const access = (ms: number, service: string, span: string, parent: string | undefined, method: string, path: string, status: number, durationMs: number) =>
    line(ms, service, span, status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', 'request completed', {
      method,
      path,
      status,
      duration_ms: durationMs,
      ...(parent ? { parent_span_id: parent } : {}),
    })
  return [
    line(1, 'gateway', SPANS.gateway, 'info', 'routing POST /api/orders', { route: 'orders' }),
    line(4, 'orders', SPANS.orders, 'info', 'creating order', { item: 'bike', amount: 900 }),
    line(9, 'orders', SPANS.orders, 'info', 'order saved', { order_id: 'ord_8812' }),
    line(14, 'payments', SPANS.authorize, 'info', 'authorizing card', { amount: 900 }),
    access(31, 'payments', SPANS.authorize, CALLS.ordersToAuthorize, 'POST', '/authorize', 200, 17.4),
    line(36, 'payments', SPANS.charge, 'info', 'charging card', { amount: 900 }),
    line(58, 'payments', SPANS.charge, 'error', 'card declined', { err: { type: 'PaymentError', message: 'insufficient funds', code: 'card_declined' } }),
    access(61, 'payments', SPANS.charge, CALLS.ordersToCharge, 'POST', '/charge', 502, 25.8),
    line(64, 'orders', SPANS.orders, 'warn', 'payment failed, order cancelled', { order_id: 'ord_8812' }),
    access(66, 'orders', SPANS.orders, CALLS.gatewayToOrders, 'POST', '/orders', 502, 63.2),
    access(69, 'gateway', SPANS.gateway, undefined, 'POST', '/api/orders', 502, 68.7),
  ]
}
