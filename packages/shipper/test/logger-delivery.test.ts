/**
 * `createLogger({ elasticsearch })` tells the operator about delivery trouble while the process runs
 * (issue 13 item 7): the transport's worker posts each problem to the application's thread, which writes a
 * rate-limited `TW_LOGGER_DELIVERY` process warning and calls `elasticsearch.onError` there. Child processes
 * that live until killed: whatever is asserted arrived before exit. Needs the built logger and shipper.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { startBulkSink, until, type BulkSink } from './support/bulk-sink.js'

const fixture = fileURLToPath(new URL('./fixtures/logger-delivery-child.mjs', import.meta.url))
const configFixture = fileURLToPath(new URL('./fixtures/logger-es-child.mjs', import.meta.url))
const built = existsSync(fileURLToPath(new URL('../dist/transport.cjs', import.meta.url)))
const WARNING = '[TW_LOGGER_DELIVERY]'

interface Child {
  process: ChildProcess
  stderr: () => string
  /** The onError calls the child printed, parsed. */
  reports: () => Array<Record<string, unknown>>
}

const children: ChildProcess[] = []
const sinks: BulkSink[] = []
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
  for (const s of sinks.splice(0)) await s.close()
})

function start(node: string, extra: Record<string, unknown> = {}): Child {
  const p = spawn(process.execPath, [fixture, node, JSON.stringify(extra)], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(p)
  let stdout = ''
  let stderr = ''
  p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  return {
    process: p,
    stderr: () => stderr,
    reports: () => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}

/** A loopback port nothing listens on (opened, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

const warnings = (text: string): string[] => text.split('\n').filter((l) => l.includes(WARNING))

describe.skipIf(!built)('logger elasticsearch option: delivery trouble reaches the operator while the process runs', () => {
  it('unreachable node: onError runs in the main thread and one warning is on stderr, the process still running', async () => {
    const port = await closedPort()
    const child = start(`http://127.0.0.1:${port}`)
    // Several failed requests (the fixture retries every 20-40 ms) and the warning, all before any exit.
    await until(() => child.reports().length >= 5 && warnings(child.stderr()).length > 0, 20_000, 'reports and a warning')
    expect(child.process.exitCode).toBeNull()
    expect(child.reports()[0]).toMatchObject({
      name: 'LoggerDeliveryError', code: 'TW_LOGGER_DELIVERY', kind: 'error', shipperCode: 'TW_SHIPPER_CONNECTION',
      status: null, count: 1, mainThread: true, instance: true,
    })
    const [warning] = warnings(child.stderr())
    expect(warning).toContain('requests to Elasticsearch fail, the shipper keeps retrying')
    expect(warning).toContain('TW_SHIPPER_CONNECTION')
    // Rate-limited: every failure reached onError, one warning on stderr.
    expect(warnings(child.stderr())).toHaveLength(1)
  })

  it('refused credentials: kind error, TW_SHIPPER_AUTH with the status, and no password in the warning', async () => {
    const sink = await startBulkSink()
    sinks.push(sink)
    sink.script = () => ({ kind: 'status', status: 401 })
    const child = start(sink.url.replace('http://', 'http://elastic:s3cr%2Fet@'))
    await until(() => child.reports().length > 0 && warnings(child.stderr()).length > 0, 20_000, 'a report and a warning')
    expect(child.reports()[0]).toMatchObject({ kind: 'error', shipperCode: 'TW_SHIPPER_AUTH', status: 401 })
    expect(warnings(child.stderr())[0]).toContain('TW_SHIPPER_AUTH')
    expect(child.stderr()).not.toContain('s3cr')
  })

  it('dead letters: documents Elasticsearch rejects are counted in one report and warned about', async () => {
    const sink = await startBulkSink()
    sinks.push(sink)
    sink.script = (req) => ({ kind: 'items', statuses: new Map(req.items.map((_, i) => [i, 400])), reason: () => ({ type: 'mapper_parsing_exception', reason: 'failed to parse field [i]' }) })
    const child = start(sink.url)
    await until(() => child.reports().some((r) => r.kind === 'dead-letter') && warnings(child.stderr()).some((w) => w.includes('dead-lettered')), 20_000, 'a dead-letter report')
    const report = child.reports().find((r) => r.kind === 'dead-letter')!
    expect(report.count).toBeGreaterThanOrEqual(1)
    expect(report.message).toContain('mapper_parsing_exception')
    expect(child.process.exitCode).toBeNull()
  })

  it('onError that is not a function is refused by createLogger (TW_LOGGER_INVALID_OPTION)', async () => {
    const p = spawn(process.execPath, [configFixture, 'config', JSON.stringify({ node: 'http://127.0.0.1:9', onError: 'log' })], { stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(p)
    let stdout = ''
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    await until(() => stdout.includes('\n'), 20_000, 'the outcome')
    expect(JSON.parse(stdout.split('\n')[0]!)).toEqual({
      name: 'LoggerConfigError', code: 'TW_LOGGER_INVALID_OPTION', message: 'Invalid elasticsearch.onError: expected a function, received string',
    })
  })

  it('drops: a full buffer is reported through the main thread once, not also by the worker', async () => {
    const port = await closedPort()
    const child = start(`http://127.0.0.1:${port}`, { maxBufferBytes: 1024, overflowPolicy: 'drop_newest', dropReportIntervalMs: 200 })
    await until(() => child.reports().some((r) => r.kind === 'drop') && warnings(child.stderr()).some((w) => w.includes('buffer is full')), 20_000, 'a drop report')
    expect(child.reports().find((r) => r.kind === 'drop')).toMatchObject({ kind: 'drop', mainThread: true })
    expect(child.stderr()).not.toContain('tracewire shipper: buffer full')
  })
})
