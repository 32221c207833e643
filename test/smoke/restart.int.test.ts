// Lifecycle guarantees of the test harness itself, one private server per test (not the shared ones):
// restart on the same port with the same data directory keeps documents; a killed parent never
// leaves a JVM behind.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeEngines, searchEngines } from '../support/engines.js'
import { startSearchServer } from '../support/search-server.js'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describeEngines('search server lifecycle', (engine) => {
  it('stop() then start on the same port with the same dataDir: documents survive, the port was refused meanwhile', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), `tw-${engine.name}-data-`))
    try {
      const first = await startSearchServer({ engine: engine.name, dataDir })
      const put = await fetch(`${first.url}/restart-test/_doc/1?refresh=true`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msg: 'kept across restarts' }),
      })
      expect(put.status).toBe(201)
      await first.stop()
      await first.stop() // idempotent

      const down = await fetch(`${first.url}/`).then(
        () => 'answered',
        (err: Error & { cause?: { code?: string } }) => err.cause?.code,
      )
      expect(down).toBe('ECONNREFUSED')

      const again = await startSearchServer({ engine: engine.name, port: first.port, dataDir })
      try {
        expect(again.url).toBe(first.url)
        const doc = await fetch(`${again.url}/restart-test/_doc/1`)
        expect(doc.status).toBe(200)
        expect(((await doc.json()) as { _source: { msg: string } })._source.msg).toBe('kept across restarts')
      } finally {
        await again.stop()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

// Launcher behaviour, identical for both engines: one JVM start is enough.
describe('search server orphan protection', () => {
  const engine = searchEngines()[0]?.name
  it.skipIf(!engine)('the JVM exits by itself when its parent process is killed (stdin EOF)', async () => {
    const parent = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'orphan-parent.mjs'), engine ?? 'elasticsearch'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const info = await new Promise<{ pid: number; url: string }>((resolve, reject) => {
      let buf = ''
      parent.stdout.on('data', (d) => {
        buf += d
        if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0] ?? '') as { pid: number; url: string })
      })
      parent.on('exit', (code) => reject(new Error(`parent exited early (${code})`)))
    })
    expect((await fetch(`${info.url}/`)).status).toBe(200)
    expect(alive(info.pid)).toBe(true)
    parent.kill('SIGKILL')
    const deadline = Date.now() + 30_000
    while (alive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    const orphaned = alive(info.pid)
    if (orphaned) process.kill(info.pid, 'SIGKILL') // never leave it behind, even when the test fails
    expect(orphaned).toBe(false)
  })
})
