import { randomUUID } from 'node:crypto'
import type { Logger } from '@tracewire/logger'
import { expressErrorLogger, expressMiddleware, type ExpressLikeRequest } from '@tracewire/tracing/express'
import express, { type NextFunction, type Request, type Response } from 'express'

/** What the orders app needs from its surroundings. */
export interface OrdersAppOptions {
  logger: Logger
  /** Base URL of the payments service, e.g. `http://127.0.0.1:3002`. */
  paymentsUrl: string
}

interface OrderRequest {
  item?: unknown
  amount?: unknown
}

/** Raised when payments refuses a charge; the error handler turns it into 402 or 502. */
class PaymentFailedError extends Error {
  constructor(
    readonly paymentStatus: number,
    message: string,
  ) {
    super(message)
    this.name = 'PaymentFailedError'
  }
}

/**
 * The orders service: `POST /orders` charges the order through payments (over `fetch`, which
 * `propagateOutgoing()` makes carry the trace), `GET /orders/:id` reads one back, `GET /healthz` is not logged.
 */
export function createOrdersApp({ logger, paymentsUrl }: OrdersAppOptions): express.Express {
  const app = express()
  const orders = new Map<string, { id: string; item: string; amount: number }>()

  app.use(expressMiddleware({ logger, skipPaths: ['/healthz'] }))
  app.use(express.json())

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true })
  })

  app.post('/orders', async (req: Request & ExpressLikeRequest, res: Response, next: NextFunction) => {
    try {
      const { item, amount } = req.body as OrderRequest
      if (typeof item !== 'string' || typeof amount !== 'number') {
        req.log?.warn({ body_keys: Object.keys(req.body ?? {}) }, 'order rejected: item and amount are required')
        res.status(400).json({ error: 'item (string) and amount (number) are required' })
        return
      }
      const id = randomUUID()
      req.log?.info({ order_id: id, item, amount }, 'order received, charging')
      const payment = await fetch(`${paymentsUrl}/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ order_id: id, amount }),
      })
      if (!payment.ok) {
        // Fastify's error answers carry the reason in `message` and the status text in `error`.
        const answer = (await payment.json().catch(() => ({}))) as { message?: string; error?: string }
        const reason = answer.message ?? answer.error ?? 'unknown'
        throw new PaymentFailedError(payment.status, `payment for order ${id} failed: ${reason}`)
      }
      orders.set(id, { id, item, amount })
      req.log?.info({ order_id: id }, 'order placed')
      res.status(201).json({ id, item, amount })
    } catch (err) {
      next(err)
    }
  })

  app.get('/orders/:id', (req: Request & ExpressLikeRequest, res: Response) => {
    const order = orders.get(String(req.params.id))
    if (order === undefined) {
      res.status(404).json({ error: 'no such order' })
      return
    }
    res.json(order)
  })

  // Errors that reach Express are logged once, with their stack and the request's trace ids.
  app.use(expressErrorLogger({ logger }))
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof PaymentFailedError ? (err.paymentStatus === 402 ? 402 : 502) : 500
    res.status(status).json({ error: err instanceof Error ? err.message : 'internal error' })
  })
  return app
}
