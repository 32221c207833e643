/**
 * The pino transport in its worker thread, driven from a child process that exits in different ways
 * (case 46/47): the final flush completes — the `_bulk` answers arrived — before the process is gone.
 * Needs the built transport (`pnpm build` runs before the tests in `npm test`).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { BulkSink } from './support/bulk-sink.js'
import { startBulkSink } from './support/bulk-sink.js'

const child = fileURLToPath(new URL('./fixtures/transport-child.mjs', import.meta.url))
const built = existsSync(fileURLToPath(new URL('../dist/transport.js', import.meta.url)))

const sinks: BulkSink[] = []
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.close()
})

/** Runs the child; resolves with its exit code once it has exited. */
function run(args: string[], onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.stdout.on('data', (d: Buffer) => onStdout?.(d.toString(), (s) => p.kill(s)))
    p.on('error', reject)
    p.on('exit', (code) => resolve({ code, stderr }))
  })
}

function seqCount(sink: BulkSink): number {
  return new Set([...sink.docs.values()].map((d) => (JSON.parse(d.source) as { seq: number }).seq)).size
}

describe.skipIf(!built)('bounded memory (child process)', () => {
  it('10x overload while the server is down: live memory stays flat once the buffer is full', async () => {
    const max = 16 * 1024 * 1024
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, ['--expose-gc', fileURLToPath(new URL('./fixtures/overload-child.mjs', import.meta.url)), String(max)], { stdio: ['ignore', 'pipe', 'inherit'] })
      let text = ''
      p.stdout.on('data', (d: Buffer) => (text += d.toString()))
      p.on('error', reject)
      p.on('exit', () => resolve(text))
    })
    const result = JSON.parse(out) as { liveGrowth: number; baseLive: number; bufferedBytes: number; dropped: number; written: number }
    expect(result.written).toBeGreaterThanOrEqual(10 * max)
    expect(result.bufferedBytes).toBeLessThanOrEqual(max)
    expect(result.dropped).toBeGreaterThan(0)
    // Live memory (V8 heap + array buffers after a full GC) with a full buffer: the documents plus
    // their bookkeeping (measured ~2-2.5x maxBufferBytes) ...
    expect(result.baseLive).toBeLessThan(4 * max)
    // ... and 160 MB more input later, the same (measured -7 to +2 MB).
    expect(result.liveGrowth).toBeLessThan(max / 2)
  })
})

describe.skipIf(!built)('@tracewire/shipper/transport (child process)', () => {
  it.each(['exit', 'natural'])('process.%s: every line is indexed before the process is gone, even with slow answers', async (how) => {
    const sink = await startBulkSink()
    sinks.push(sink)
    // Each answer takes 300 ms: a transport that only hands the bytes off would lose them.
    sink.script = () => ({ kind: 'delay', ms: 300 })
    const { code, stderr } = await run([sink.url, '5000', how])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(seqCount(sink)).toBe(5000)
  })

  it('SIGTERM (with the usual exit handler): the final flush completes', async () => {
    const sink = await startBulkSink()
    sinks.push(sink)
    sink.script = () => ({ kind: 'delay', ms: 300 })
    const { code } = await run([sink.url, '3000', 'sigterm'], (text, kill) => {
      if (text.includes('logged')) kill('SIGTERM')
    })
    expect(code).toBe(0)
    expect(seqCount(sink)).toBe(3000)
  })

  it('case 47: exit while the server is down: exits within the deadline, reports the undelivered count on stderr', async () => {
    const sink = await startBulkSink()
    sinks.push(sink)
    sink.script = () => ({ kind: 'status', status: 503 })
    const started = Date.now()
    const { code, stderr } = await run([sink.url, '100', 'exit'])
    expect(code).toBe(0)
    expect(Date.now() - started).toBeLessThan(12_000)
    expect(stderr).toMatch(/closed: gave up after 8000 ms; 100 document\(s\) undelivered and lost \(memory only\)/)
  })
})
