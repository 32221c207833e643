import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../src/index.js'
import { tempDir } from './helpers.js'

/** Fluentd's `path /var/log/*.log`: does a file name match the glob? */
const matchesLogGlob = (name: string): boolean => /^[^/]*\.log$/.test(name)

function readSeqs(file: string): number[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { seq: number }).seq)
}

/** The log file and its rotated generations, oldest first. */
function generations(file: string): string[] {
  const dir = path.dirname(file)
  const base = path.basename(file)
  const rotated = fs.readdirSync(dir)
    .filter((n) => n.startsWith(`${base}.`))
    .map((n) => Number(n.slice(base.length + 1)))
    .sort((a, b) => b - a)
    .map((n) => path.join(dir, `${base}.${n}`))
  return [...rotated, file]
}

describe('rotation by rename (FORMAT.md "Files and rotation")', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('by size: renames to <file>.N, reopens, loses and repeats nothing, never exceeds maxBytes', async () => {
    const file = path.join(tempDir(), 'orders.log')
    const logger = createLogger({ service: 'orders', file, rotate: { maxBytes: 4096, maxFiles: 1000 }, handleExit: false })
    const total = 2000
    for (let i = 0; i < total; i++) {
      logger.info({ seq: i, pad: 'x'.repeat(i % 50) }, 'line')
      if (i % 250 === 0) await new Promise((r) => setImmediate(r)) // let buffered batches hit the disk too
    }
    await logger.close()
    const files = generations(file)
    expect(files.length).toBeGreaterThan(10)
    // Reading the generations oldest first gives every line exactly once, in order.
    expect(files.flatMap(readSeqs)).toEqual(Array.from({ length: total }, (_, i) => i))
    for (const f of files) {
      expect(fs.statSync(f).size).toBeLessThanOrEqual(4096)
      const text = fs.readFileSync(f, 'utf8')
      expect(text.endsWith('\n')).toBe(true) // whole lines only
    }
    // Only the live file matches *.log, so Fluentd never reads a rotated file a second time.
    expect(fs.readdirSync(path.dirname(file)).filter(matchesLogGlob)).toEqual(['orders.log'])
  })

  it('keeps at most maxFiles rotated files, the newest ones', async () => {
    const file = path.join(tempDir(), 'orders.log')
    const logger = createLogger({ service: 'orders', file, rotate: { maxBytes: 2048, maxFiles: 3 }, handleExit: false })
    for (let i = 0; i < 1000; i++) logger.info({ seq: i }, 'line')
    await logger.close()
    const names = fs.readdirSync(path.dirname(file)).sort()
    expect(names).toEqual(['orders.log', 'orders.log.1', 'orders.log.2', 'orders.log.3'])
    const seqs = generations(file).flatMap(readSeqs)
    expect(seqs.at(-1)).toBe(999)
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i)) // contiguous: the newest lines
  })

  it('appends to an existing file and counts its size', async () => {
    const file = path.join(tempDir(), 'orders.log')
    fs.writeFileSync(file, `${JSON.stringify({ seq: -1, pad: 'y'.repeat(900) })}\n`)
    const logger = createLogger({ service: 'orders', file, rotate: { maxBytes: 1000 }, handleExit: false })
    logger.info({ seq: 0 }, 'line')
    await logger.close()
    expect(readSeqs(`${file}.1`)).toEqual([-1])
    expect(readSeqs(file)).toEqual([0])
  })

  it('daily: rotates when the UTC date changes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-26T23:59:59.900Z'))
    const file = path.join(tempDir(), 'orders.log')
    const logger = createLogger({ service: 'orders', file, rotate: { daily: true }, handleExit: false })
    logger.info({ seq: 0 }, 'before midnight')
    logger.info({ seq: 1 }, 'before midnight')
    vi.setSystemTime(new Date('2026-11-27T00:00:00.100Z'))
    logger.info({ seq: 2 }, 'after midnight')
    await logger.close()
    expect(readSeqs(`${file}.1`)).toEqual([0, 1])
    expect(readSeqs(file)).toEqual([2])
    const after = JSON.parse(fs.readFileSync(file, 'utf8')) as { '@timestamp': string }
    expect(after['@timestamp']).toBe('2026-11-27T00:00:00.100Z')
  })
})
