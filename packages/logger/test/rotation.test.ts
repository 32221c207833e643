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
    const logger = createLogger({ service: 'orders', file, rotate: { maxBytes: 4096, maxFiles: 1000, minAgeMs: 0 }, handleExit: false })
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
    const logger = createLogger({ service: 'orders', file, rotate: { maxBytes: 2048, maxFiles: 3, minAgeMs: 0 }, handleExit: false })
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
    const logger = createLogger({ service: 'orders', file, rotate: { maxBytes: 1000, minAgeMs: 0 }, handleExit: false })
    logger.info({ seq: 0 }, 'line')
    await logger.close()
    expect(readSeqs(`${file}.1`)).toEqual([-1])
    expect(readSeqs(file)).toEqual([0])
  })

  it('daily: rotates when the UTC date changes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-26T23:59:59.900Z'))
    const file = path.join(tempDir(), 'orders.log')
    const logger = createLogger({ service: 'orders', file, rotate: { daily: true, minAgeMs: 0 }, handleExit: false })
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

// Issue 9 item 16: Fluentd's in_tail finds a new file only on its refresh_interval and reads a renamed one
// only for rotate_wait, so a file renamed younger than that is partly or wholly never read. The real
// tailer is exercised by test/pipeline/rotation.pipeline.test.ts; these pin the rule on a fake clock.
describe('rotation pacing: never rename a file younger than rotate.minAgeMs (default 15 s)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('by size: a file over maxBytes keeps growing until it is 15 s old, then the next line rotates it', async () => {
    vi.useFakeTimers({ toFake: ['performance', 'Date'] })
    const file = path.join(tempDir(), 'orders.log')
    const logger = createLogger({ service: 'orders', file, rotate: { maxBytes: 1024 }, handleExit: false })
    for (let i = 0; i < 100; i++) logger.info({ seq: i }, 'line')
    vi.advanceTimersByTime(14_999)
    logger.info({ seq: 100 }, 'still young')
    logger.flush()
    expect(fs.readdirSync(path.dirname(file))).toEqual(['orders.log'])
    expect(fs.statSync(file).size).toBeGreaterThan(10 * 1024)
    vi.advanceTimersByTime(1)
    logger.info({ seq: 101 }, 'old enough')
    await logger.close()
    expect(readSeqs(`${file}.1`)).toEqual(Array.from({ length: 101 }, (_, i) => i))
    expect(readSeqs(file)).toEqual([101])
  })

  it('honours a configured minAgeMs, and the reopened file starts a new age', async () => {
    vi.useFakeTimers({ toFake: ['performance', 'Date'] })
    const file = path.join(tempDir(), 'orders.log')
    const logger = createLogger({ service: 'orders', file, rotate: { maxBytes: 200, minAgeMs: 6000, maxFiles: 10 }, handleExit: false })
    logger.info({ seq: 0 }, 'line')
    vi.advanceTimersByTime(5999)
    logger.info({ seq: 1 }, 'line')
    vi.advanceTimersByTime(1)
    logger.info({ seq: 2 }, 'rotates')
    vi.advanceTimersByTime(5999)
    logger.info({ seq: 3 }, 'new file still young')
    vi.advanceTimersByTime(1)
    logger.info({ seq: 4 }, 'rotates again')
    await logger.close()
    expect(generations(file).map(readSeqs)).toEqual([[0, 1], [2, 3], [4]])
  })

  it('daily: lines after UTC midnight stay in a young file until it is old enough', async () => {
    vi.useFakeTimers({ toFake: ['performance', 'Date'] })
    vi.setSystemTime(new Date('2026-11-26T23:59:59.900Z'))
    const file = path.join(tempDir(), 'orders.log')
    const logger = createLogger({ service: 'orders', file, rotate: { daily: true }, handleExit: false })
    logger.info({ seq: 0 }, 'before midnight')
    vi.advanceTimersByTime(200)
    logger.info({ seq: 1 }, 'after midnight, file 0.2 s old')
    vi.advanceTimersByTime(15_000)
    logger.info({ seq: 2 }, 'after midnight, file old enough')
    await logger.close()
    expect(readSeqs(`${file}.1`)).toEqual([0, 1])
    expect(readSeqs(file)).toEqual([2])
    // The index still follows each line's own time, whichever file it sits in.
    const second = JSON.parse(fs.readFileSync(`${file}.1`, 'utf8').split('\n')[1] ?? '') as { '@timestamp': string }
    expect(second['@timestamp']).toBe('2026-11-27T00:00:00.100Z')
  })

  it('a file that already existed with lines in it counts from its birth time: an old one rotates at once', async () => {
    const file = path.join(tempDir(), 'orders.log')
    fs.writeFileSync(file, `${JSON.stringify({ seq: -1, pad: 'y'.repeat(900) })}\n`)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 3_600_000) // the file was born an hour "ago"
    const logger = createLogger({ service: 'orders', file, rotate: { maxBytes: 1000 }, handleExit: false })
    logger.info({ seq: 0 }, 'line')
    await logger.close()
    expect(readSeqs(`${file}.1`)).toEqual([-1])
    expect(readSeqs(file)).toEqual([0])
  })

  it.each([-1, 1.5, '15000'])('refuses rotate.minAgeMs %j', (minAgeMs) => {
    expect(() => createLogger({ service: 'orders', file: path.join(tempDir(), 'orders.log'), rotate: { maxBytes: 10, minAgeMs: minAgeMs as number } })).toThrow(
      expect.objectContaining({ code: 'TW_LOGGER_INVALID_OPTION', message: expect.stringContaining('rotate.minAgeMs') }),
    )
  })
})

// Issue 9 item 14: a reopen that failed after a rotation used to close the sink for good: every later line
// vanished with no count and no warning.
describe('a failed reopen after rotation', () => {
  it('drops and counts the lines while the file cannot be opened, warns once a minute, and resumes', async () => {
    const dir = path.join(tempDir(), 'logs')
    const file = path.join(dir, 'orders.log')
    const warnings: Error[] = []
    const onWarning = (w: Error): void => {
      if ((w as Error & { code?: string }).code === 'TW_LOGGER_WRITE_FAILED') warnings.push(w)
    }
    process.on('warning', onWarning)
    try {
      const logger = createLogger({ service: 'orders', file, rotate: { maxBytes: 600, minAgeMs: 0 }, handleExit: false })
      logger.info({ seq: 0, pad: 'x'.repeat(300) }, 'line')
      logger.flush()
      // The folder disappears and a plain file takes its name: neither the rename nor the reopen can work.
      fs.rmSync(dir, { recursive: true })
      fs.writeFileSync(dir, 'not a folder')
      for (let seq = 1; seq <= 6; seq++) {
        logger.info({ seq, pad: 'x'.repeat(300) }, 'line')
        logger.flush()
      }
      await new Promise((r) => setImmediate(r))
      expect(warnings).toHaveLength(1) // rate-limited: six failed flushes, one warning
      expect(warnings[0]?.message).toContain(file)
      expect(warnings[0]?.message).toMatch(/[1-9]\d* lines dropped while it could not be reopened/)
      // The obstacle goes away: the next flush reopens the file (creating the folder) and writing resumes.
      fs.rmSync(dir)
      logger.info({ seq: 7 }, 'after recovery')
      logger.info({ seq: 8 }, 'after recovery')
      await logger.close()
      expect(readSeqs(file)).toEqual([7, 8])
    } finally {
      process.off('warning', onWarning)
    }
  })
})
