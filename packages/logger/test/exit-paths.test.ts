import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt, tempDir } from './helpers.js'

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'exit-paths.mjs')
const twoCopiesFixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'two-copies.mjs')

interface Outcome {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  lines: Array<Record<string, unknown>>
}

interface RunOptions {
  toStdout?: boolean
  signalAfterReady?: NodeJS.Signals
  /** Extra createLogger options for the child (JSON). */
  loggerOptions?: Record<string, unknown>
  cwd?: string
  file?: string
  signalDelayMs?: number
}

function run(mode: string, count: number, opts: RunOptions = {}): Promise<Outcome> {
  const file = opts.file ?? path.join(tempDir(), 'orders.log')
  const env = { ...process.env, NODE_PATH: '', TW_FIXTURE_OPTIONS: JSON.stringify(opts.loggerOptions ?? {}) }
  const child = spawn(process.execPath, [fixture, mode, opts.toStdout ? '-' : file, String(count)], { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: opts.cwd })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    if (opts.signalAfterReady && stdout.includes('ready\n')) {
      const signal = opts.signalAfterReady
      opts.signalAfterReady = undefined
      setTimeout(() => child.kill(signal), opts.signalDelayMs ?? 30)
    }
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const text = opts.toStdout ? stdout : fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
      const lines = text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
      resolve({ code, signal, stdout, stderr, lines })
    })
  })
}

/** The numbered lines arrived exactly once each, in order, from 0 up. */
function expectContiguous(lines: Array<Record<string, unknown>>, atLeast: number): void {
  const seqs = lines.filter((l) => typeof l.seq === 'number').map((l) => l.seq as number)
  expect(seqs.length).toBeGreaterThanOrEqual(atLeast)
  expect(seqs).toEqual(seqs.map((_, i) => i))
}

describe('no line is lost when the process ends (child processes, lines counted)', () => {
  beforeAll(ensureBuilt)

  it('normal exit', async () => {
    const out = await run('normal', 5000)
    expect(out.code).toBe(0)
    expect(out.lines).toHaveLength(5000)
    expectContiguous(out.lines, 5000)
  })

  it('process.exit() right after logging', async () => {
    const out = await run('exit', 5000)
    expect(out.code).toBe(3)
    expectContiguous(out.lines, 5000)
    expect(out.lines).toHaveLength(5000)
  })

  it('process.exit() with stdout as the destination', async () => {
    const out = await run('exit', 2000, { toStdout: true })
    expect(out.code).toBe(3)
    expect(out.lines).toHaveLength(2000)
    expectContiguous(out.lines, 2000)
  })

  it('uncaught exception: every line plus a synchronous fatal line; Node still prints the error and exits 1', async () => {
    const out = await run('throw', 3000)
    expect(out.code).toBe(1)
    expect(out.stderr).toContain('kaboom')
    expectContiguous(out.lines, 3010)
    const last = out.lines.at(-1) as Record<string, unknown>
    expect(last).toMatchObject({ level: 'fatal', message: 'kaboom', origin: 'uncaughtException', err: { type: 'Error', message: 'kaboom' } })
    expect(out.lines).toHaveLength(3011)
  })

  it('unhandled rejection: fatal line, exit 1', async () => {
    const out = await run('reject', 1000)
    expect(out.code).toBe(1)
    expectContiguous(out.lines, 1010)
    expect(out.lines.at(-1)).toMatchObject({ level: 'fatal', message: 'rejected', origin: 'unhandledRejection' })
  })

  it('SIGTERM without an application handler: lines flushed, then the process dies of SIGTERM as it would have', async () => {
    const out = await run('sigterm', 100, { signalAfterReady: 'SIGTERM' })
    expect(out.signal).toBe('SIGTERM')
    expectContiguous(out.lines, 100)
  })

  it('stdout and a file at once: every line in both', async () => {
    const file = path.join(tempDir(), 'orders.log')
    const out = await run('exit', 3000, { loggerOptions: { stdout: true }, file })
    expect(out.code).toBe(3)
    const fromStdout = out.stdout.split('\n').filter((l) => l.startsWith('{'))
    expect(fromStdout).toHaveLength(3000)
    expect(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)).toEqual(fromStdout)
  })

  it('elasticsearch transport: the same lines reach @tracewire/shipper/transport before process.exit() completes', async () => {
    // A stand-in for the shipper's transport entry (the real one is tested end-to-end elsewhere): it appends
    // what it receives to a file, so we can count.
    const app = tempDir()
    const pkg = path.join(app, 'node_modules', '@tracewire', 'shipper')
    fs.mkdirSync(pkg, { recursive: true })
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tracewire/shipper', version: '0.1.0', exports: { './transport': './transport.mjs' } }))
    fs.writeFileSync(path.join(pkg, 'transport.mjs'), `import fs from 'node:fs'
import { Writable } from 'node:stream'
export default function (options) {
  return new Writable({ write(chunk, _enc, cb) { fs.appendFileSync(options.out, chunk); cb() } })
}
`)
    const shipped = path.join(app, 'shipped.ndjson')
    const file = path.join(app, 'orders.log')
    const out = await run('exit', 2000, { cwd: app, file, loggerOptions: { elasticsearch: { node: 'http://127.0.0.1:9', out: shipped } } })
    expect(out.stderr).toBe('')
    expect(out.code).toBe(3)
    const fileLines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)
    expect(fileLines).toHaveLength(2000)
    expect(fs.readFileSync(shipped, 'utf8').split('\n').filter(Boolean)).toEqual(fileLines)
  })

  it('SIGTERM during a busy burst: the whole burst arrives, then the process dies of SIGTERM', async () => {
    const out = await run('sigterm-busy', 100_000, { signalAfterReady: 'SIGTERM', signalDelayMs: 0 })
    expect(out.signal).toBe('SIGTERM')
    expectContiguous(out.lines, 100_000)
    expect(out.lines).toHaveLength(100_000)
  })

  it('SIGTERM with an application handler: the handler keeps control and its own lines arrive', async () => {
    const out = await run('sigterm-own-handler', 100, { signalAfterReady: 'SIGTERM' })
    expect(out.signal).toBeNull()
    expect(out.code).toBe(0)
    expectContiguous(out.lines, 100)
    expect(out.lines.some((l) => l.message === 'own handler ran')).toBe(true)
  })

  it('SIGTERM with two copies loaded (ESM dist/index.js + CJS dist/index.cjs): both flush, the process dies of SIGTERM', async () => {
    const dir = tempDir()
    const files = [path.join(dir, 'esm.log'), path.join(dir, 'cjs.log')]
    const child = spawn(process.execPath, [twoCopiesFixture, ...files], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_PATH: '' } })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.stdout.setEncoding('utf8').once('data', () => setTimeout(() => child.kill('SIGTERM'), 30))
    // Before the shared registry, each copy took the other's listener for the application's and neither
    // re-raised: the process ran until killed. Bound the wait so that shows up as SIGKILL, not a hang.
    const cap = setTimeout(() => child.kill('SIGKILL'), 8000)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])))
    clearTimeout(cap)
    expect(stderr).toBe('')
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' })
    const [esm, cjs] = files.map((f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>))
    expectContiguous(esm as Array<Record<string, unknown>>, 50)
    expectContiguous(cjs as Array<Record<string, unknown>>, 50)
    expect(esm).toHaveLength((cjs as unknown[]).length)
  })
})
