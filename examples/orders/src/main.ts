// The orders service as a process: `PORT`, `LOG_FILE`, `PAYMENTS_URL` and (optional) `ES_URL` from the environment.
import { createLogger } from '@tracewire/logger'
import { propagateOutgoing } from '@tracewire/tracing'
import { createOrdersApp } from './app.js'

const port = Number(process.env.PORT ?? 3001)
const logger = createLogger({
  service: 'orders',
  file: process.env.LOG_FILE,
  stdout: process.env.LOG_FILE === undefined,
  elasticsearch: process.env.ES_URL ? { node: process.env.ES_URL } : undefined,
})
propagateOutgoing()

const app = createOrdersApp({ logger, paymentsUrl: process.env.PAYMENTS_URL ?? 'http://127.0.0.1:3002' })
const server = app.listen(port, '0.0.0.0', () => {
  const address = server.address()
  const bound = typeof address === 'object' && address !== null ? address.port : port
  logger.info({ port: bound }, 'orders listening')
  process.send?.({ ready: bound })
})
