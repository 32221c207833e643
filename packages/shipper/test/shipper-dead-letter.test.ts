/**
 * Dead letters are counted as such only once they are in the file (issue 9 cases 10 and 14): what
 * the file cannot take is `deadLetterDropped`, and a second shipper on a locked buffer directory
 * still has its dead-letter file.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createShipper } from '../src/index.js'
import type { ShipperStats } from '../src/index.js'
import { logLine } from './support/bulk-sink.js'
import { useTestResources } from './support/test-resources.js'

const FAST = { flushIntervalMs: 20, retryWaitMs: 10, maxRetryIntervalMs: 50, reportDropsToStderr: false, fsyncIntervalMs: 20 }
const { sink, tempDir, track } = useTestResources('tw-dead-')

function records(dir: string): Array<{ document: string; reason: string }> {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as { document: string; reason: string })
}

function expectConserved(st: ShipperStats): void {
  expect(st.accepted).toBe(st.delivered + st.deadLettered + st.deadLetterDropped + st.dropped + st.leftOnDisk + st.bufferedDocs)
}

describe('dead letters on disk', () => {
  it('issue 9 case 10: three 1.5 MB lines in one tick and one 5 MB line are all in the file, and counted', async () => {
    const dir = tempDir()
    const es = await sink()
    const sh = createShipper({ ...FAST, node: es.url, bufferDir: false, deadLetterDir: dir })
    track(sh)
    for (let i = 0; i < 3; i++) sh.write(logLine(i, { message: 'x'.repeat(1_500_000) }))
    await sh.flush()
    sh.write(logLine(3, { message: 'y'.repeat(5_000_000) }))
    await sh.flush()
    const written = records(dir)
    expect(written).toHaveLength(4)
    expect(written.every((r) => /exceeds maxLineBytes/.test(r.reason))).toBe(true)
    expect(sh.stats()).toMatchObject({ deadLettered: 4, deadLetterDropped: 0 })
    expectConserved(sh.stats())
  })

  it('issue 9 case 10: records the file cannot take are deadLetterDropped, not deadLettered', async () => {
    const base = tempDir()
    const blocker = join(base, 'a-file')
    writeFileSync(blocker, 'not a directory')
    const es = await sink()
    const sh = createShipper({ ...FAST, node: es.url, bufferDir: false, deadLetterDir: join(blocker, 'dead-letter') })
    track(sh)
    sh.write('not json')
    sh.write('{"level":"info","time":1,"service":"Bad Name"}')
    sh.write(logLine(1))
    await sh.flush()
    expect(sh.stats()).toMatchObject({ accepted: 3, delivered: 1, deadLettered: 0, deadLetterDropped: 2 })
    expectConserved(sh.stats())
    const result = await sh.close()
    expect(result.deadLettered).toBe(0)
  })

  it('without a dead-letter file, the callback is the sink: counted as deadLettered, not dropped', async () => {
    const dir = tempDir()
    const es = await sink()
    const seen: string[] = []
    const sh = createShipper({ ...FAST, node: es.url, bufferDir: dir, deadLetterDir: false, onDeadLetter: (d) => seen.push(d.document) })
    track(sh)
    sh.write('not json') // while the buffer directory is still opening
    await sh.flush()
    expect(seen).toEqual(['not json'])
    expect(sh.stats()).toMatchObject({ deadLettered: 1, deadLetterDropped: 0 })
  })

  it('issue 9 case 14: a second shipper on a locked buffer directory runs memory-only but keeps its dead-letter file', async () => {
    const dir = tempDir()
    const es = await sink()
    const first = createShipper({ ...FAST, node: es.url, bufferDir: dir })
    track(first)
    first.write(logLine(1))
    await first.flush()
    const errors: Array<Error & { code?: string }> = []
    const second = createShipper({ ...FAST, node: es.url, bufferDir: dir, onError: (e) => errors.push(e) })
    track(second)
    second.write('{"level":"info","service":"orders"}')
    second.write(logLine(2))
    await second.flush()
    expect(errors.some((e) => e.code === 'TW_SHIPPER_BUFFER' && /memory only/.test(e.message))).toBe(true)
    expect(records(join(dir, 'dead-letter')).map((r) => r.document)).toEqual(['{"level":"info","service":"orders"}'])
    expect(second.stats()).toMatchObject({ deadLettered: 1, deadLetterDropped: 0, delivered: 1 })
  })
})
