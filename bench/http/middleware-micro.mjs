// CPU cost of the Express middleware itself, without HTTP: one fake request/response per iteration through
// the middleware, its `close` event emitted so the access line is written. Same run, same process:
//   node bench/http/middleware-micro.mjs
import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expressMiddleware } from '@tracewire/tracing'
import { createLogger } from '@tracewire/logger'

const dir = mkdtempSync(join(tmpdir(), 'tracewire-micro-'))
const noop = { info() {}, warn() {}, error() {}, child: () => noop }
const logger = createLogger({ service: 'bench', stdout: false, file: join(dir, 'micro.log'), handleExit: false })
const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'user-agent': 'bench' }

function perRequestNs(mw, n = 200_000) {
  const once = () => {
    const req = { headers, method: 'GET', url: '/a?b=1', originalUrl: '/a?b=1', ip: '127.0.0.1', socket: {} }
    const res = new EventEmitter()
    Object.assign(res, { statusCode: 200, writableFinished: true, headersSent: false, setHeader() {}, getHeader: () => '17' })
    mw(req, res, () => {})
    res.emit('close')
  }
  for (let i = 0; i < 20_000; i++) once()
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) once()
  return Number(process.hrtime.bigint() - start) / n
}

const rows = [
  ['no middleware (fake req/res only)', (_req, _res, next) => next()],
  ['trace only (accessLog: false)', expressMiddleware({ accessLog: false })],
  ['trace + access line to a no-op logger', expressMiddleware({ logger: noop, bindTraceFields: false })],
  ['trace + access line to a no-op logger, with customProps + customLogLevel', expressMiddleware({
    logger: noop, bindTraceFields: false, customProps: (req) => ({ tenant: req.headers['user-agent'] }), customLogLevel: () => 'info',
  })],
  ['trace + access line with @tracewire/logger (file)', expressMiddleware({ logger })],
]
console.log(`node ${process.version}\n\n| variant | ns per request |\n| --- | ---: |`)
for (const [name, mw] of rows) console.log(`| ${name} | ${perRequestNs(mw).toFixed(0)} |`)
await logger.close()
rmSync(dir, { recursive: true, force: true })
