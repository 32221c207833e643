// The seven call shapes of issue 12 item 5, shared by bench.mjs (ratios to pino) and profile.mjs (where the
// time goes). Every shape is a function of a logger, so pino and tracewire make exactly the same call.

// One Error, made once: a fresh Error per call would time V8's stack capture, which is the caller's cost,
// not the logger's. Its own fields (`code`) and a cause are what a real failure usually carries.
const failure = new Error('payment gateway refused the charge', { cause: new Error('connect ECONNREFUSED 10.0.0.7:443') })
failure.code = 'E_GATEWAY'

const nested = {
  req: { method: 'POST', url: '/orders/o-123/pay', headers: { host: 'shop.example', 'user-agent': 'curl/8.5.0', accept: 'application/json' } },
  res: { statusCode: 201, headers: { 'content-type': 'application/json', 'content-length': 512 } },
  user: { id: 42, roles: ['buyer', 'beta'] },
}

const kib = 'x'.repeat(1024)

// Quotes, backslashes, control characters and non-ASCII text: every branch of a JSON string encoder.
const escaped = 'said "hi" in C:\\temp\\new\tthen\nleft \u0001\u001f; café, naïve, 日本語, emoji 🚀'

/** The child loggers are made once per logger (a per-request child is another cost, measured by bench/http). */
const children = new WeakMap()
function childOf(logger) {
  let child = children.get(logger)
  if (child === undefined) {
    child = logger.child({ requestId: 'req-7f3a9c', route: '/orders/:id', tenant: 'acme' })
    children.set(logger, child)
  }
  return child
}

export const shapes = {
  'small object': (l) => l.info({ order: 'o-123', amount: 12.5, paid: true }, 'order accepted'),
  'message only': (l) => l.info('order accepted'),
  'error object': (l) => l.error(failure, 'payment failed'),
  'nested object': (l) => l.info(nested, 'request handled'),
  '1 KiB string': (l) => l.info({ body: kib }, 'payload received'),
  'escaped text': (l) => l.info({ note: escaped }, escaped),
  'child bindings': (l) => childOf(l).info({ order: 'o-123' }, 'order accepted'),
}

// Eight distinct Errors logged in turn: the logger reuses the text of an Error logged again unchanged
// (error-text.ts), which the one-Error shape above always hits; this row shows the cost when it never does.
// Printed after the geometric mean, outside it (the seven shapes are the measure).
const failures = Array.from({ length: 8 }, (_, i) => {
  const err = new Error(`payment gateway refused charge ${i}`, { cause: new Error(`connect ECONNREFUSED 10.0.0.${i}:443`) })
  err.code = 'E_GATEWAY'
  return err
})
let nextFailure = 0

export const extraShapes = {
  'eight distinct errors in turn': (l) => l.error(failures[nextFailure++ & 7], 'payment failed'),
}
