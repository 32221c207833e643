/**
 * The shipper with its durable buffer (cases 48/49, shipper side): lines that were not delivered
 * are replayed on the next start with their original `_id`s; a SIGKILLed child loses nothing it
 * had handed to the worker beyond the stated window, and nothing is indexed twice.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { openSegmentLog } from '../src/disk-buffer/index.js'
import { createShipper } from '../src/index.js'
import { defaultBufferDir } from '../src/options.js'
import { logLine } from './support/bulk-sink.js'
import { seqList, useTestResources } from './support/test-resources.js'

const FAST = { flushIntervalMs: 20, retryWaitMs: 10, maxRetryIntervalMs: 50, reportDropsToStderr: false, fsyncIntervalMs: 20 }
const { sink, tempDir, removeAfter } = useTestResources('tw-shipper-')

describe('shipper + durable buffer', () => {
  it('case 48: lines undelivered at close are replayed on the next start with the same _ids', async () => {
    const dir = tempDir()
    const es = await sink()
    es.script = () => ({ kind: 'status', status: 503 })
    // The deadline leaves a loaded machine time to open the directory and append before close() gives up.
    const first = createShipper({ ...FAST, node: es.url, bufferDir: dir, shutdownTimeoutMs: 1000 })
    for (let i = 0; i < 500; i++) first.write(logLine(i))
    const closed = await first.close()
    expect(closed.undelivered).toBe(500)
    expect(es.docs.size).toBe(0)
    es.script = () => undefined
    const second = createShipper({ ...FAST, node: es.url, bufferDir: dir })
    // flush() waits for the directory to open and the replay to finish: no sleep needed.
    await second.flush()
    expect(seqList(es)).toEqual(Array.from({ length: 500 }, (_, i) => i))
    expect(second.stats()).toMatchObject({ recovered: 500, delivered: 500 })
    await second.close()
    // Everything acknowledged: the directory holds no segment left to replay.
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-'))).toEqual([])
  })

  it('the durable buffer is on by default, under <tmpdir>/tracewire-shipper/<indexPrefix>-<app hash>', async () => {
    const prefix = `dflt${process.pid}`
    const dir = defaultBufferDir(prefix)
    removeAfter(dir)
    const es = await sink()
    const sh = createShipper({ ...FAST, node: es.url, indexPrefix: prefix })
    sh.write(logLine(1))
    await sh.close()
    expect(dir.startsWith(join(tmpdir(), 'tracewire-shipper', `${prefix}-`))).toBe(true)
    expect(defaultBufferDir(prefix)).toBe(dir) // stable: the same application finds its buffer again
    expect(existsSync(dir)).toBe(true)
    expect(seqList(es)).toEqual([1])
  })

  it('case 49: a torn tail and a flipped byte in the buffer are skipped with a report; the valid lines are replayed', async () => {
    const dir = tempDir()
    const es = await sink()
    es.script = () => ({ kind: 'status', status: 503 })
    const first = createShipper({ ...FAST, node: es.url, bufferDir: dir, shutdownTimeoutMs: 100 })
    for (let i = 0; i < 200; i++) first.write(logLine(i))
    await first.close()
    const segment = readdirSync(dir).find((f) => f.startsWith('seg-'))!
    const bytes = readFileSync(join(dir, segment))
    const middle = Math.floor(bytes.length / 2)
    bytes[middle] = bytes[middle]! ^ 0xff // flip a byte in a middle record
    writeFileSync(join(dir, segment), Buffer.concat([bytes, Buffer.from([0xf5, 0x54, 0x57, 0x31, 1, 2, 3])])) // torn record at the end
    es.script = () => undefined
    const errors: Array<Error & { code?: string }> = []
    const second = createShipper({ ...FAST, node: es.url, bufferDir: dir, onError: (e) => errors.push(e) })
    await second.flush()
    await second.close()
    const seqs = seqList(es)
    expect(seqs.length).toBe(199) // exactly the record with the flipped byte is lost
    expect(new Set(seqs).size).toBe(199)
    expect(errors.some((e) => e.code === 'TW_SHIPPER_BUFFER' && /corrupt-segment/.test(e.message))).toBe(true)
  })

  it('a replayed line holding a newline (as JSON whitespace) is dead-lettered, never split into the _bulk body', async () => {
    // write() splits its text at every newline, so only a line read back from disk can still hold one
    // (a segment written by another writer or release): the shipper checks those itself.
    const dir = tempDir()
    const log = await openSegmentLog({ dir, maxDiskBytes: 1024 * 1024, fsyncIntervalMs: 60_000 })
    const split = `{"level":"info","time":1764158532.123,"service":"orders","seq":1,\n"extra":{"create":{}}}`
    log.append({ id: 'r-0', line: logLine(0).trimEnd() })
    log.append({ id: 'r-1', line: split })
    log.append({ id: 'r-2', line: Buffer.from(logLine(2).trimEnd()) })
    await log.close()
    const es = await sink()
    const dead: string[] = []
    const sh = createShipper({ ...FAST, node: es.url, bufferDir: dir, onDeadLetter: (d) => dead.push(d.reason) })
    await sh.flush()
    expect(seqList(es)).toEqual([0, 2])
    expect(dead).toEqual(['document contains a newline; it would break the _bulk request apart'])
    expect(sh.stats()).toMatchObject({ recovered: 3, delivered: 2, deadLettered: 1 })
    await sh.close()
  })

  it('dead letters go to NDJSON files beside the buffer', async () => {
    const dir = tempDir()
    const es = await sink()
    const sh = createShipper({ ...FAST, node: es.url, bufferDir: dir })
    sh.write('{"level":"info","service":"orders"}')
    await sh.close()
    const dlDir = join(dir, 'dead-letter')
    expect(existsSync(dlDir)).toBe(true)
    const lines = readdirSync(dlDir).filter((f) => f.endsWith('.ndjson')).flatMap((f) => readFileSync(join(dlDir, f), 'utf8').trim().split('\n'))
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ index: null, status: null, document: '{"level":"info","service":"orders"}' })
  })

  const built = existsSync(fileURLToPath(new URL('../dist/transport.js', import.meta.url)))
  it.skipIf(!built)('SIGKILL mid-stream, then restart: every line handed to the worker arrives once, no duplicates, no gaps', async () => {
    const dir = tempDir()
    const es = await sink()
    // Slow answers keep many lines unacknowledged in the buffer when the kill comes.
    es.script = () => ({ kind: 'delay', ms: 1000 })
    const child = fileURLToPath(new URL('./fixtures/transport-child.mjs', import.meta.url))
    let lastSeq = 0
    await new Promise<void>((resolve, reject) => {
      const p = spawn(process.execPath, [child, es.url, '0', 'forever', 'fluentd', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
      p.stdout.on('data', (d: Buffer) => {
        const m = /seq (\d+)\n$/.exec(d.toString())
        if (m) lastSeq = Number(m[1])
        if (lastSeq >= 20_000) p.kill('SIGKILL')
      })
      p.on('error', reject)
      p.on('exit', () => resolve())
    })
    const beforeRestart = es.docs.size
    expect(readdirSync(dir).some((f) => f.startsWith('seg-'))).toBe(true) // the kill left a backlog
    es.script = () => undefined
    const sh = createShipper({ ...FAST, node: es.url, bufferDir: dir })
    await sh.flush()
    const replayed = sh.stats()
    await sh.close()
    const seqs = seqList(es)
    // No duplicates (same seq under two ids) and no gaps: the surviving lines are a prefix 0..M.
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i))
    // Lines unacknowledged at the kill were replayed; those the sink had already indexed answered 409.
    expect(replayed.recovered).toBeGreaterThan(0)
    expect(replayed.accepted).toBe(replayed.recovered)
    expect(replayed.delivered).toBe(replayed.accepted)
    expect(replayed.duplicates).toBeGreaterThan(0)
    // Every replayed line not already indexed is a new document, each exactly once.
    expect(es.docs.size - beforeRestart).toBe(replayed.delivered - replayed.duplicates)
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-'))).toEqual([])
    // Lost at most what was still in the main thread / worker channel or the unwritten tail:
    // the child logs 50 lines per 5 ms, so the window is a few thousand lines at most.
    expect(seqs.length).toBeGreaterThan(lastSeq - 5000)
  })
})
