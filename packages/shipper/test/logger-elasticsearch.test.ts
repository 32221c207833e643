/**
 * `createLogger({ elasticsearch })` with the real transport, in child processes (issue 9 cases 2, 5
 * and 9): options are validated in the application's thread, a failing worker is a warning and
 * never a crash, and two applications started from one folder get a buffer directory each.
 * Needs the built logger and shipper (`pnpm build` runs before the tests).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { BulkSink } from './support/bulk-sink.js'
import { startBulkSink, until } from './support/bulk-sink.js'

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const built = existsSync(fileURLToPath(new URL('../dist/transport.cjs', import.meta.url)))

interface Outcome {
  code: number | null
  stdout: string
  stderr: string
}

function run(script: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; onStdout?: (text: string) => void } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fixture(script), ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd, env: { ...process.env, ...options.env } })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      options.onStdout?.(stdout)
    })
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.on('error', reject)
    p.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

const sinks: BulkSink[] = []
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.close()
})

describe.skipIf(!built)('logger elasticsearch option: configuration', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['node not a URL', { node: 'not-a-url' }, /is not a URL/],
    ['node without a scheme', { node: '127.0.0.1:9200' }, /is not a URL/],
    ['an invalid indexPrefix', { node: 'http://127.0.0.1:9', indexPrefix: 'Bad Prefix' }, /indexPrefix/],
    ['an unknown overflowPolicy', { node: 'http://127.0.0.1:9', overflowPolicy: 'drop' }, /overflowPolicy/],
    ['auth as a string', { node: 'http://127.0.0.1:9', auth: 'elastic:changeme' }, /auth must be/],
    ['a misspelt option', { node: 'http://127.0.0.1:9', bufferPath: '/tmp/x' }, /did you mean "bufferDir"\?/],
    ['a shipper deadline the logger would cut', { node: 'http://127.0.0.1:9', shutdownTimeoutMs: 20_000 }, /must be below the logger's shutdownTimeoutMs \(9000\)/],
  ])('issue 9 case 2: %s is a LoggerConfigError from createLogger; the process keeps running and exits 0', async (_name, options, message) => {
    const out = await run('logger-es-child.mjs', ['config', JSON.stringify(options)])
    const first = JSON.parse(out.stdout.split('\n')[0]!) as { name: string; code: string; message: string }
    expect(first).toMatchObject({ name: 'LoggerConfigError', code: 'TW_LOGGER_INVALID_OPTION' })
    expect(first.message).toMatch(message)
    expect(out.stdout).toContain('alive')
    expect(out.code).toBe(0)
    expect(out.stderr).toBe('')
  })

  it('issue 9 case 9: a password with `/` and a node list with passwords appear neither in the LoggerConfigError nor on stderr', async () => {
    for (const node of ['http://elastic:pa/ss9@127.0.0.1:9200', ['http://a:s3cretA@127.0.0.1:1', 'elastic:s3cretB@127.0.0.1:9200']]) {
      const out = await run('logger-es-child.mjs', ['config', JSON.stringify({ node })])
      expect(out.stdout).toMatch(/LoggerConfigError/)
      expect(out.code).toBe(0)
      expect(out.stdout + out.stderr).not.toMatch(/pa\/ss9|s3cret/)
    }
  })
})

describe.skipIf(!built)('logger elasticsearch option: run time', () => {
  it('issue 9 case 2: the transport worker dying is one warning on stderr, never a crash', async () => {
    const sink = await startBulkSink()
    sinks.push(sink)
    const out = await run('logger-es-child.mjs', ['worker-dies', sink.url])
    expect(out.stdout).toContain('alive 1')
    expect(out.code).toBe(0)
    expect(out.stderr.match(/tracewire logger: the elasticsearch transport stopped/g)).toHaveLength(1)
  })

  it('issue 9 case 14: logger.flush(cb) reaches the transport: the lines are indexed when cb runs', async () => {
    const sink = await startBulkSink()
    sinks.push(sink)
    let atCallback = -1
    const out = await run('logger-es-child.mjs', ['flush', sink.url], {
      onStdout: (text) => {
        if (atCallback < 0 && text.includes('flushed')) atCallback = sink.docs.size
      },
    })
    expect(out.code).toBe(0)
    expect(atCallback).toBe(50)
  })

  it('issue 9 case 5: two services started from one folder each get their own default buffer directory', async () => {
    const sink = await startBulkSink()
    sinks.push(sink)
    const folder = mkdtempSync(join(tmpdir(), 'tw-two-apps-'))
    const tmp = mkdtempSync(join(tmpdir(), 'tw-tmpdir-'))
    const env = { TMPDIR: tmp }
    const [orders, payments] = await Promise.all([
      run('service-orders.mjs', [sink.url], { cwd: folder, env }),
      run('service-payments.mjs', [sink.url], { cwd: folder, env }),
    ])
    for (const out of [orders, payments]) {
      expect(out.stderr).not.toMatch(/locked/)
      expect(out.code).toBe(0)
    }
    await until(() => sink.docs.size === 40, 5000, 'both services delivered')
    const services = [...sink.docs.values()].map((d) => (JSON.parse(d.source) as { service: string }).service)
    expect(services.filter((s) => s === 'orders')).toHaveLength(20)
    expect(services.filter((s) => s === 'payments')).toHaveLength(20)
    expect(readdirSync(join(tmp, 'tracewire-shipper'))).toHaveLength(2)
  })
})
