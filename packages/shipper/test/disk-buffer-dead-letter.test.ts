import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDeadLetterFile, type SegmentLogReport } from '../src/disk-buffer/index.js'
import type { DeadLetter } from '../src/index.js'
import { deadLetterFileName } from '../src/disk-buffer/dead-letter.js'
import { useTempDirs } from './disk-buffer-fixtures/helpers.js'

const temp = useTempDirs('tw-dead-letter-')

const record = (i: number): DeadLetter => ({
  document: `{"service":"svc","time":"2026-01-01T00:00:00.000Z","message":"line ${i} with \\"quotes\\" and ünïcode"}`,
  index: i % 2 ? 'fluentd-svc-20260101' : null,
  status: i % 2 ? 400 : null,
  reason: i % 2 ? 'mapper_parsing_exception: failed to parse field [status]' : 'line has no valid "service"',
  time: '2026-01-01T00:00:01.000Z',
})

describe('dead-letter file', () => {
  it('appends one NDJSON line per record to dead-letter-<UTC date>.ndjson, creating the directory', async () => {
    const dir = join(temp(), 'nested', 'dlq')
    const dlq = openDeadLetterFile(dir)
    for (let i = 0; i < 5; i++) dlq.write(record(i))
    await dlq.close()
    const files = readdirSync(dir)
    expect(files).toEqual([deadLetterFileName(new Date())])
    expect(files[0]).toMatch(/^dead-letter-\d{8}\.ndjson$/)
    const lines = readFileSync(join(dir, files[0]!), 'utf8').split('\n')
    expect(lines.pop()).toBe('')
    expect(lines.map((l) => JSON.parse(l))).toEqual([0, 1, 2, 3, 4].map(record))
    expect(dlq.dropped).toBe(0)
  })

  it('appends to an existing file across reopen', async () => {
    const dir = temp()
    const a = openDeadLetterFile(dir)
    a.write(record(1))
    await a.close()
    const b = openDeadLetterFile(dir)
    b.write(record(2))
    await b.close()
    expect(readFileSync(join(dir, deadLetterFileName(new Date())), 'utf8').trim().split('\n')).toHaveLength(2)
  })

  it('is bounded by maxBytes: deletes the oldest earlier day first, then drops and counts', async () => {
    const dir = temp()
    writeFileSync(join(dir, 'dead-letter-20000101.ndjson'), 'x'.repeat(600) + '\n')
    writeFileSync(join(dir, 'dead-letter-20000102.ndjson'), 'y'.repeat(300) + '\n')
    const reports: SegmentLogReport[] = []
    const dlq = openDeadLetterFile(dir, { maxBytes: 1500, onReport: (r) => reports.push(r), reportIntervalMs: 60_000 })
    for (let i = 0; i < 20; i++) dlq.write(record(i))
    await dlq.close()
    const files = readdirSync(dir).sort()
    const today = deadLetterFileName(new Date())
    expect(files).toEqual([today])
    const total = files.reduce((s, f) => s + readFileSync(join(dir, f)).length, 0)
    expect(total).toBeLessThanOrEqual(1500)
    const kept = readFileSync(join(dir, today), 'utf8').trim().split('\n').length
    expect(kept + dlq.dropped).toBe(20)
    expect(dlq.dropped).toBeGreaterThan(0)
    // One report when it started dropping, one summary at close: not one per record.
    expect(reports.length).toBeLessThanOrEqual(2)
    expect(reports[0]!.kind).toBe('disk-full')
  })

  it('never throws on an unwritable directory: drops, counts and reports', async () => {
    const base = temp()
    const blocker = join(base, 'not-a-dir')
    writeFileSync(blocker, 'file in the way')
    const reports: SegmentLogReport[] = []
    const dlq = openDeadLetterFile(join(blocker, 'dlq'), { onReport: (r) => reports.push(r) })
    expect(() => dlq.write(record(1))).not.toThrow()
    await dlq.close()
    expect(dlq.dropped).toBe(1)
    expect(reports[0]).toMatchObject({ kind: 'io-error' })
    // Writes after close are dropped and counted, never thrown.
    dlq.write(record(2))
    expect(dlq.dropped).toBe(2)
  })
})
