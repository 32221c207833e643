/**
 * `close()` with the durable buffer (issue 9 cases 3, 8 and 12): a short-lived process delivers
 * the backlog an earlier run left, within `shutdownTimeoutMs` counted from `close()`, and says what
 * it left; the backlog of a crash loop does not grow.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createShipper } from '../src/index.js'
import type { ShipperStats } from '../src/index.js'
import { logLine } from './support/bulk-sink.js'
import { seqList, useTestResources } from './support/test-resources.js'

const FAST = { flushIntervalMs: 20, retryWaitMs: 10, maxRetryIntervalMs: 50, reportDropsToStderr: false, fsyncIntervalMs: 20 }
const { sink, tempDir } = useTestResources('tw-close-')

/** Bytes of segment files in a buffer directory: the backlog. */
function backlogBytes(dir: string): number {
  return readdirSync(dir).filter((f) => f.startsWith('seg-')).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0)
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i)
}

function expectConserved(st: ShipperStats): void {
  expect(st.accepted).toBe(st.delivered + st.deadLettered + st.deadLetterDropped + st.dropped + st.leftOnDisk + st.bufferedDocs)
}

/** Leaves `count` undelivered lines in `dir`, as a run whose server was down at its close. */
async function leaveBacklog(dir: string, count: number): Promise<void> {
  const down = await sink()
  down.script = () => ({ kind: 'status', status: 503 })
  // Long enough for the directory to open on a loaded machine: lines not yet on disk at the deadline are lost.
  const first = createShipper({ ...FAST, node: down.url, bufferDir: dir, shutdownTimeoutMs: 1000 })
  for (let i = 0; i < count; i++) first.write(logLine(i))
  const result = await first.close()
  expect(result).toMatchObject({ undelivered: count, leftOnDisk: count })
  expect(first.stats()).toMatchObject({ leftOnDisk: count, bufferedDocs: 0 })
  expectConserved(first.stats())
}

describe('close() and the backlog on disk', () => {
  it('issue 9 case 3: createShipper + close() alone delivers the backlog an earlier run left, and reports it', async () => {
    const dir = tempDir()
    await leaveBacklog(dir, 500)
    expect(backlogBytes(dir)).toBeGreaterThan(0)
    const es = await sink()
    const job = createShipper({ ...FAST, node: es.url, bufferDir: dir })
    await job.close()
    expect(seqList(es)).toEqual(range(0, 500))
    expect(job.stats()).toMatchObject({ recovered: 500, delivered: 500, leftOnDisk: 0, bufferedDocs: 0 })
    expect(backlogBytes(dir)).toBe(0)
  })

  it('issue 9 case 3: what close() cannot deliver by its deadline stays on disk as leftOnDisk, and the next start sends it', async () => {
    const dir = tempDir()
    await leaveBacklog(dir, 300)
    const stuck = await sink()
    stuck.script = () => ({ kind: 'hang' })
    const job = createShipper({ ...FAST, node: stuck.url, bufferDir: dir, shutdownTimeoutMs: 300 })
    job.write(logLine(300))
    const result = await job.close()
    // The replayed backlog and the new line: accepted, undelivered, kept on disk (none lost).
    expect(result).toMatchObject({ delivered: 0, leftOnDisk: 301, undelivered: 301 })
    expectConserved(job.stats())
    const es = await sink()
    const next = createShipper({ ...FAST, node: es.url, bufferDir: dir })
    await next.close()
    expect(seqList(es)).toEqual(range(0, 301))
  })

  it('issue 9 case 8: with maxBufferBytes below 64 KiB, the replay fits and flush() settles', async () => {
    const dir = tempDir()
    await leaveBacklog(dir, 200)
    const es = await sink()
    const small = createShipper({ ...FAST, node: es.url, bufferDir: dir, maxBufferBytes: 32 * 1024, maxLineBytes: 4096, flushBytes: 8192 })
    await small.flush()
    expect(seqList(es)).toEqual(range(0, 200))
    expect(small.stats()).toMatchObject({ recovered: 200, bufferedDocs: 0 })
    await small.close()
  })

  it('issue 9 case 12: a buffer directory that cannot be created (under /proc) neither hangs close() nor flush()', async () => {
    if (!existsSync('/proc/self')) return
    const es = await sink()
    const sh = createShipper({ ...FAST, node: es.url, bufferDir: `/proc/tw-${process.pid}/buffer`, shutdownTimeoutMs: 2000 })
    sh.write(logLine(1))
    await sh.flush()
    const result = await sh.close()
    expect(result).toMatchObject({ delivered: 1, undelivered: 0 })
    expect(sh.stats().lastError).toMatchObject({ code: 'TW_SHIPPER_BUFFER' })
  })
})

const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))

describe.skipIf(!built)('crash loop (child processes)', () => {
  const child = fileURLToPath(new URL('./fixtures/crash-loop-child.mjs', import.meta.url))

  function run(args: string[], killWhen?: string): Promise<{ stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      p.stdout.on('data', (d: Buffer) => {
        stdout += d.toString()
        if (killWhen && stdout.includes(killWhen)) p.kill('SIGKILL')
      })
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      p.on('error', reject)
      p.on('exit', () => resolve({ stdout, stderr }))
    })
  }

  it('issue 9 case 12: close() settles by shutdownTimeoutMs while the buffer directory is still opening', async () => {
    const dir = tempDir()
    execFileSync('mkfifo', [join(dir, 'lock')])
    const es = await sink()
    const started = Date.now()
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/hanging-buffer-child.mjs', import.meta.url)), dir, es.url], { stdio: ['ignore', 'pipe', 'inherit'] })
      let stdout = ''
      p.stdout.on('data', (d: Buffer) => {
        stdout += d.toString()
        // A read blocked on the FIFO holds a libuv thread that even process.exit() waits for.
        if (stdout.endsWith('\n')) p.kill('SIGKILL')
      })
      const giveUp = setTimeout(() => p.kill('SIGKILL'), 20_000)
      p.on('error', reject)
      p.on('exit', () => {
        clearTimeout(giveUp)
        resolve(stdout)
      })
    })
    // The line was sent meanwhile (memory); before, close() waited for the opening and never settled.
    expect(JSON.parse(out)).toMatchObject({ delivered: 1, undelivered: 0 })
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('issue 9 case 3: three rounds of SIGKILL + a short job: every line arrives once and the backlog does not grow', async () => {
    const dir = tempDir()
    const down = await sink()
    down.script = () => ({ kind: 'status', status: 503 })
    const es = await sink()
    let seq = 0
    for (let round = 0; round < 3; round++) {
      const crashed = await run(['crash', dir, down.url, String(seq), '2000'], 'written')
      seq += 2000
      expect(crashed.stdout).toContain('written')
      expect(backlogBytes(dir)).toBeGreaterThan(0)
      const job = await run(['job', dir, es.url, String(seq), '10'])
      seq += 10
      const stats = JSON.parse(job.stdout) as ShipperStats
      expect(stats).toMatchObject({ recovered: 2000, delivered: 2010, leftOnDisk: 0, bufferedDocs: 0 })
      expect(job.stderr).toMatch(/replayed 2000 line\(s\) from the durable buffer/)
      // The backlog is gone after every short job: it cannot grow from round to round.
      expect(backlogBytes(dir)).toBe(0)
    }
    expect(seqList(es)).toEqual(range(0, seq))
  }, 60_000)
})
