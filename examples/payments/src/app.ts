import type { Logger } from '@tracewire/logger'
import { fastifyPlugin, requestLoggingOff } from '@tracewire/tracing/fastify'
import Fastify from 'fastify'

/** Charges above this amount are declined, so the demo has a failing request. */
export const DECLINE_ABOVE = 500

interface ChargeRequest {
  order_id?: unknown
  amount?: unknown
}

/** Thrown for a charge the card issuer refuses; Fastify answers 402 and the plugin logs it with the trace ids. */
class CardDeclinedError extends Error {
  readonly statusCode = 402
  constructor(message: string) {
    super(message)
    this.name = 'CardDeclinedError'
  }
}

/**
 * The payments service. tracewire's logger is Fastify's own logger (`loggerInstance`), so Fastify's lines and
 * the plugin's access lines share one format and one file; Fastify's per-request lines are turned off because
 * the plugin writes one access line per request.
 */
export async function createPaymentsApp(logger: Logger) {
  // requestLoggingOff picks the option this Fastify understands without a deprecation warning (4.x, 5.x).
  const app = Fastify({ loggerInstance: logger, ...requestLoggingOff(Fastify) })
  await app.register(fastifyPlugin, { skipPaths: ['/healthz'] })

  app.get('/healthz', async () => ({ ok: true }))

  app.post('/payments', async (request, reply) => {
    const { order_id: orderId, amount } = (request.body ?? {}) as ChargeRequest
    if (typeof orderId !== 'string' || typeof amount !== 'number') {
      return reply.code(400).send({ error: 'order_id and amount are required' })
    }
    request.log.info({ order_id: orderId, amount }, 'charging card')
    if (amount > DECLINE_ABOVE) {
      throw new CardDeclinedError(`card declined: ${amount} is above the limit of ${DECLINE_ABOVE}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10))
    request.log.info({ order_id: orderId }, 'payment captured')
    return reply.code(201).send({ order_id: orderId, status: 'captured' })
  })
  return app
}
