// The payments service as a process: `PORT`, `LOG_FILE` and (optional) `ES_URL` from the environment.
import { createLogger } from '@tracewire/logger'
import { createPaymentsApp } from './app.js'

const port = Number(process.env.PORT ?? 3002)
const logger = createLogger({
  service: 'payments',
  file: process.env.LOG_FILE,
  stdout: process.env.LOG_FILE === undefined,
  elasticsearch: process.env.ES_URL ? { node: process.env.ES_URL } : undefined,
})

const app = await createPaymentsApp(logger)
await app.listen({ port, host: '0.0.0.0' })
const address = app.server.address()
process.send?.({ ready: typeof address === 'object' && address !== null ? address.port : port })
