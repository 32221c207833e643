import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { transpileDiskBuffer } from './disk-buffer-fixtures/compile.js'
import { makeTemp, open, rmTemp } from './disk-buffer-fixtures/helpers.js'

const work = makeTemp('tw-disk-buffer-lock-')
afterAll(() => rmTemp(work))

/** Opens the segment log of `dir` in a worker thread; resolves with the error code or 'opened'. */
function openInWorker(entry: string, dir: string, keepOpen: boolean): Promise<{ result: string; worker: Worker }> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads')
     import(workerData.entry).then(({ openSegmentLog }) => openSegmentLog({ dir: workerData.dir, maxDiskBytes: 1e6, fsyncIntervalMs: 1000 }))
       .then(async (log) => { if (!workerData.keepOpen) await log.close(); parentPort.postMessage('opened') })
       .catch((err) => parentPort.postMessage(err.code ?? String(err)))`,
    { eval: true, workerData: { entry, dir, keepOpen } },
  )
  return new Promise((resolve) => worker.once('message', (result: string) => resolve({ result, worker })))
}

describe('segment log: lock across worker threads', () => {
  const entry = transpileDiskBuffer(join(work, 'lib'))

  it('a worker thread cannot open a directory the main thread holds, and can once it is closed', async () => {
    const dir = join(work, 'a')
    const { log } = await open(dir)
    const first = await openInWorker(entry, dir, false)
    expect(first.result).toBe('TW_SHIPPER_BUFFER_LOCKED')
    await first.worker.terminate()
    await log.close()
    const second = await openInWorker(entry, dir, false)
    expect(second.result).toBe('opened')
    await second.worker.terminate()
  })

  it('the main thread cannot open a directory a live worker holds', async () => {
    const dir = join(work, 'b')
    const { result, worker } = await openInWorker(entry, dir, true)
    expect(result).toBe('opened')
    await expect(open(dir)).rejects.toMatchObject({ code: 'TW_SHIPPER_BUFFER_LOCKED' })
    await worker.terminate()
  })
})

describe('segment log: taking over a stale lock', () => {
  const entry = transpileDiskBuffer(join(work, 'lib-race'))

  it('issue 9 case 14: starters racing for one stale lock: exactly one opens the directory, the others find it locked', async () => {
    for (let round = 0; round < 8; round++) {
      const dir = join(work, `race-${round}`)
      mkdirSync(dir, { recursive: true })
      // A pid above any pid_max: its owner is dead, the lock is stale.
      writeFileSync(join(dir, 'lock'), '99999999 0\n')
      const starters = await Promise.all([0, 1, 2, 3].map(() => openInWorker(entry, dir, true)))
      const results = starters.map((s) => s.result).sort()
      await Promise.all(starters.map((s) => s.worker.terminate()))
      expect(results, `round ${round}`).toEqual(['TW_SHIPPER_BUFFER_LOCKED', 'TW_SHIPPER_BUFFER_LOCKED', 'TW_SHIPPER_BUFFER_LOCKED', 'opened'])
    }
  })

  it('issue 9 case 14: two opens racing in one thread: the second is refused, not let in', async () => {
    const dir = join(work, 'race-same-thread')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'lock'), '99999999 0\n')
    const results = await Promise.allSettled([open(dir), open(dir)])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    for (const r of results) if (r.status === 'fulfilled') await r.value.log.close()
  })
})
