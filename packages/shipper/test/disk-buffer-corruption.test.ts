import { existsSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { crash, entry, open, readAll, segmentFiles, useTempDirs } from './disk-buffer-fixtures/helpers.js'

const temp = useTempDirs()

const recordSize = (i: number): number => 14 + Buffer.byteLength(entry(i).id) + entry(i).line.length
const offsetOf = (i: number): number => Array.from({ length: i }, (_, k) => recordSize(k)).reduce((a, b) => a + b, 0)
const ids = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, k) => `id-${from + k}`)

/** Writes entries 0..n-1 into one segment and abandons the log; returns the segment path. */
async function writeSegment(dir: string, n: number): Promise<string> {
  const { log } = await open(dir)
  for (let i = 0; i < n; i++) log.append(entry(i))
  await log.sync()
  await crash(log)
  const [file] = segmentFiles(dir)
  return join(dir, file!)
}

describe('segment log: corruption on recovery', () => {
  it('torn final record: recovers the valid prefix and reports the torn bytes', async () => {
    const dir = temp()
    const file = await writeSegment(dir, 10)
    const size = readFileSync(file).length
    truncateSync(file, size - 5)
    const { log, reports } = await open(dir)
    expect((await readAll(log)).map((e) => e.id)).toEqual(ids(0, 9))
    expect(reports).toEqual([expect.objectContaining({ kind: 'corrupt-segment', file, lostBytes: recordSize(9) - 5 })])
    await log.close()
  })

  it('flipped byte inside a middle record: skips exactly that record and resyncs', async () => {
    const dir = temp()
    const file = await writeSegment(dir, 10)
    const buf = readFileSync(file)
    buf[offsetOf(5) + 20]! ^= 0x01
    writeFileSync(file, buf)
    const { log, reports } = await open(dir)
    expect((await readAll(log)).map((e) => e.id)).toEqual([...ids(0, 5), ...ids(6, 10)])
    expect(reports).toEqual([expect.objectContaining({ kind: 'corrupt-segment', lostBytes: recordSize(5) })])
    await log.close()
  })

  it.each([
    ['magic', 0],
    ['crc', 5],
    ['length', 9],
    ['length (huge)', 11],
  ])('corrupted %s field of a middle record: the others survive', async (_what, at) => {
    const dir = temp()
    const file = await writeSegment(dir, 10)
    const buf = readFileSync(file)
    buf[offsetOf(3) + at]! ^= 0xff
    writeFileSync(file, buf)
    const { log, reports } = await open(dir)
    expect((await readAll(log)).map((e) => e.id)).toEqual([...ids(0, 3), ...ids(4, 10)])
    expect(reports.map((r) => r.lostBytes)).toEqual([recordSize(3)])
    await log.close()
  })

  it('junk (including a fake marker) between two records is skipped', async () => {
    const dir = temp()
    const file = await writeSegment(dir, 6)
    const buf = readFileSync(file)
    const junk = Buffer.concat([Buffer.from('junk'), Buffer.from([0xf5, 0x54, 0x57, 0x31, 1, 2, 3, 4, 9, 0, 0, 0]), Buffer.from('more junk')])
    writeFileSync(file, Buffer.concat([buf.subarray(0, offsetOf(3)), junk, buf.subarray(offsetOf(3))]))
    const { log, reports } = await open(dir)
    expect((await readAll(log)).map((e) => e.id)).toEqual(ids(0, 6))
    expect(reports.map((r) => r.lostBytes)).toEqual([junk.length])
    await log.close()
  })

  it('a garbage file yields nothing, is reported whole, and is deleted', async () => {
    const dir = temp()
    const garbage = Buffer.alloc(200_000, 'garbage-')
    writeFileSync(join(dir, 'seg-00000007.log'), garbage)
    const { log, reports } = await open(dir)
    expect(await readAll(log)).toEqual([])
    expect(reports).toEqual([expect.objectContaining({ kind: 'corrupt-segment', lostBytes: garbage.length })])
    await log.sync()
    expect(segmentFiles(dir)).toEqual([])
    expect(log.diskBytes).toBe(0)
    // New segments still number after the old one.
    expect(log.append(entry(1))).toBe(8)
    await log.close()
  })

  it('an empty segment file is removed silently', async () => {
    const dir = temp()
    writeFileSync(join(dir, 'seg-00000003.log'), '')
    const { log, reports } = await open(dir)
    expect(await readAll(log)).toEqual([])
    expect(reports).toEqual([])
    await log.sync()
    expect(segmentFiles(dir)).toEqual([])
    await log.close()
  })

  it('a corrupt segment among good ones: the good ones are replayed in order', async () => {
    const dir = temp()
    const { log } = await open(dir, { segmentMaxBytes: 400 })
    for (let i = 0; i < 30; i++) log.append(entry(i))
    await log.sync()
    await crash(log)
    const files = segmentFiles(dir)
    expect(files.length).toBeGreaterThan(3)
    writeFileSync(join(dir, files[1]!), Buffer.alloc(300, 0))
    const { log: again, reports } = await open(dir, { segmentMaxBytes: 400 })
    const got = (await readAll(again, 100)).map((e) => Number(e.id.slice(3)))
    expect(got).toEqual([...got].sort((a, b) => a - b))
    expect(got[0]).toBe(0)
    expect(got.at(-1)).toBe(29)
    expect(reports.filter((r) => r.kind === 'corrupt-segment')).toHaveLength(1)
    await again.close()
  })
})

describe('segment log: disk faults while running', () => {
  it('buffer directory deleted while running: reports, recreates it, keeps going', async () => {
    const dir = temp()
    const { log, reports } = await open(dir)
    for (let i = 0; i < 5; i++) log.append(entry(i))
    await log.sync()
    rmSync(dir, { recursive: true, force: true })
    for (let i = 5; i < 10; i++) log.append(entry(i))
    await log.sync() // detects the unlinked segment at fsync time
    expect(reports.some((r) => r.kind === 'io-error' && /removed/.test(r.message))).toBe(true)
    expect(existsSync(join(dir, 'lock'))).toBe(true)
    const after: number[] = []
    for (let i = 10; i < 15; i++) after.push(log.append(entry(i))!)
    expect(after.every((t) => typeof t === 'number')).toBe(true)
    await log.close()

    const { log: again } = await open(dir)
    expect((await readAll(again)).map((e) => e.id)).toEqual(ids(10, 15))
    await again.close()
  })

  it('buffer directory deleted before the first segment is created: recreated on the first write', async () => {
    const dir = temp()
    const { log, reports } = await open(dir)
    rmSync(dir, { recursive: true, force: true })
    for (let i = 0; i < 3; i++) log.append(entry(i))
    await log.sync()
    expect(reports.some((r) => r.kind === 'io-error' && /removed/.test(r.message))).toBe(true)
    await log.close()
    const { log: again } = await open(dir)
    expect((await readAll(again)).map((e) => e.id)).toEqual(ids(0, 3))
    await again.close()
  })

  it('ENOSPC on write: never throws, reports disk-full, entries stay countable', async () => {
    const dir = temp()
    // /dev/full fails every write with ENOSPC: make the first segment file point there.
    const { log, reports } = await open(dir)
    symlinkSync('/dev/full', join(dir, 'seg-00000001.log'))
    const t = log.append(entry(1))
    expect(t).toBe(1)
    await log.sync()
    expect(reports.some((r) => r.kind === 'disk-full' && /ENOSPC/.test(r.message))).toBe(true)
    expect(log.diskBytes).toBe(0)
    // Right after the failure the buffer is paused: memory-only, no throw.
    expect(() => log.append(entry(2))).not.toThrow()
    log.ack(1)
    await log.close()
  })
})
