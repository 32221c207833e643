import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { transpileDiskBuffer } from './disk-buffer-fixtures/compile.js'
import { makeTemp, open, readAll, rmTemp } from './disk-buffer-fixtures/helpers.js'

const child = fileURLToPath(new URL('./disk-buffer-fixtures/spool-child.mjs', import.meta.url))
const work = makeTemp('tw-disk-buffer-kill-')
afterAll(() => rmTemp(work))

/** Runs the child until it has synced at least `minSynced` entries, SIGKILLs it, returns its last reports. */
async function runAndKill(entry: string, dir: string, minSynced: number): Promise<{ synced: number; acked: number }> {
  const proc = spawn(process.execPath, [child, entry, dir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let synced = -1
  let acked = -1
  let stderr = ''
  let rest = ''
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)))
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n')
      rest = lines.pop()!
      for (const line of lines) {
        const [what, n] = line.split(' ')
        if (what === 'synced') synced = Number(n)
        if (what === 'acked') acked = Number(n)
      }
      if (synced >= minSynced) {
        proc.kill('SIGKILL')
        resolve()
      }
    })
    proc.on('exit', () => reject(new Error(`child exited before being killed: ${stderr}`)))
  })
  expect(await exited).toBe('SIGKILL')
  return { synced, acked }
}

describe('segment log: SIGKILL of the writing process', () => {
  it('a restart recovers every synced, unacknowledged entry exactly once, in order', async () => {
    const entry = transpileDiskBuffer(join(work, 'lib'))
    const dir = join(work, 'spool')
    // Three rounds against the same directory: each restart also cleans up after the last one.
    for (const minSynced of [2_000, 4_000, 6_000]) {
      const { synced, acked } = await runAndKill(entry, dir, minSynced)
      // The parent restarts the buffer (the child's lock names a dead pid: stale).
      const { log } = await open(dir, { maxDiskBytes: 64 * 1024 * 1024, segmentMaxBytes: 32 * 1024 })
      const got = await readAll(log, 64 * 1024)
      const ns = got.map((e) => Number(e.id.slice(3)))
      for (const e of got) expect(e.line.toString()).toContain(`"n":${e.id.slice(3)},`)
      // No duplicates, in order.
      expect(ns).toEqual([...new Set(ns)].sort((a, b) => a - b))
      // Everything synced and not acknowledged is there (acked entries may come back: documented).
      const have = new Set(ns)
      for (let n = acked + 1; n <= synced; n++) expect(have.has(n)).toBe(true)
      // Segments of fully acknowledged entries were deleted as the child went.
      expect(ns[0] ?? Infinity).toBeGreaterThan(0)
      // The recovered entries are now delivered: ack them so the next round starts clean.
      for (const e of got) log.ack(e.ticket)
      await log.close()
    }
  }, 60_000)
})
