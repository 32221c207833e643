/**
 * The oracle across a real server restart: a dedicated server per engine (its own data dir) is
 * stopped in the middle of the stream and started again on the same port; the shipper reconnects by
 * itself and every numbered line ends up indexed exactly once. Also: the pino transport in a child
 * process against the real server (`_count` right after the child exited).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { searchEngines } from '../../../test/support/engines.js'
import { startSearchServer } from '../../../test/support/search-server.js'
import type { SearchServer } from '../../../test/support/search-server.js'
import { createShipper } from '../src/index.js'
import { logLine } from './support/bulk-sink.js'

async function countAndSeqs(base: string, pattern: string): Promise<{ count: number; seqs: number[] }> {
  await fetch(`${base}/${pattern}/_refresh`, { method: 'POST' })
  const count = ((await (await fetch(`${base}/${pattern}/_count`)).json()) as { count: number }).count
  const res = await fetch(`${base}/${pattern}/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 10_000, _source: ['seq'], sort: [{ seq: 'asc' }] }),
  })
  const hits = ((await res.json()) as { hits: { hits: Array<{ _source: { seq: number } }> } }).hits.hits
  return { count, seqs: hits.map((h) => h._source.seq) }
}

const engines = searchEngines()
const built = existsSync(fileURLToPath(new URL('../dist/transport.js', import.meta.url)))

describe.skipIf(engines.length === 0).each(engines.map((e) => [e.name, e] as const))('restart oracle [%s]', (_name, engine) => {
  let server: SearchServer
  let dataDir: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), `tw-restart-${engine.name}-`))
    server = await startSearchServer({ engine: engine.name, dataDir })
  })
  afterAll(async () => {
    await server?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('N numbered lines through a server restart: _count = N and every seq exactly once', async () => {
    const N = 8000
    const sh = createShipper({ node: server.url, indexPrefix: 'restart', flushIntervalMs: 50, flushBytes: 64 * 1024, retryWaitMs: 100, maxRetryIntervalMs: 1000, requestTimeoutMs: 5000, reportDropsToStderr: false, bufferDir: false })
    for (let i = 0; i < N / 2; i++) sh.write(logLine(i))
    await new Promise((r) => setTimeout(r, 200))
    await server.stop()
    for (let i = N / 2; i < N; i++) sh.write(logLine(i))
    server = await startSearchServer({ engine: engine.name, dataDir, port: server.port })
    await sh.flush()
    expect(sh.stats()).toMatchObject({ accepted: N, delivered: N, deadLettered: 0, dropped: 0 })
    await sh.close()
    const { count, seqs } = await countAndSeqs(server.url, 'restart-*')
    expect(count).toBe(N)
    expect(seqs).toEqual(Array.from({ length: N }, (_, i) => i))
  }, 240_000)

  it.skipIf(!built)('pino transport in a child process: every line is in the index when the process has exited', async () => {
    const child = fileURLToPath(new URL('./fixtures/transport-child.mjs', import.meta.url))
    const code = await new Promise<number | null>((resolve, reject) => {
      const p = spawn(process.execPath, [child, server.url, '5000', 'exit', 'childexit'], { stdio: 'inherit' })
      p.on('error', reject)
      p.on('exit', resolve)
    })
    expect(code).toBe(0)
    const { count } = await countAndSeqs(server.url, 'childexit-*')
    expect(count).toBe(5000)
  }, 60_000)
})
