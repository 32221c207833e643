/**
 * The cluster plan (test/search-server/cluster.mjs) without a JVM: names, ports and directories of
 * the nodes, and the saved plan that lets `pnpm search-server --cluster N --data DIR` start the same
 * cluster again.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { clusterPlan } from '../search-server/cluster.mjs'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tw-cluster-plan-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('clusterPlan', () => {
  it('gives every node its own name, HTTP and transport port below the ephemeral range, home and data', async () => {
    const dir = tempDir()
    const plan = await clusterPlan({ engine: 'elasticsearch', size: 3, dir })
    expect(plan.nodes.map((n) => n.name)).toEqual(['node-0', 'node-1', 'node-2'])
    const ports = plan.nodes.flatMap((n) => [n.httpPort, n.transportPort])
    expect(new Set(ports).size).toBe(6)
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(20_000)
      expect(p).toBeLessThan(32_768)
    }
    expect(plan.nodes[1]).toMatchObject({ url: `http://127.0.0.1:${plan.nodes[1]!.httpPort}`, home: join(dir, 'node-1', 'home'), dataDir: join(dir, 'node-1', 'data') })
    expect(plan).toMatchObject({ heap: '256m', processors: 1 })
    expect(plan.clusterName).toMatch(/^tracewire-elasticsearch-[0-9a-f]{8}$/)
  })

  it('numbers HTTP ports from a given first port', async () => {
    const plan = await clusterPlan({ engine: 'opensearch', size: 2, dir: tempDir(), port: 29_200 })
    expect(plan.nodes.map((n) => n.httpPort)).toEqual([29_200, 29_201])
  })

  it('reuses the saved plan of a directory (same name and ports for the data there), and refuses a different cluster', async () => {
    const dir = tempDir()
    const first = await clusterPlan({ engine: 'elasticsearch', size: 3, dir })
    expect(JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8'))).toMatchObject({ clusterName: first.clusterName })
    const again = await clusterPlan({ engine: 'elasticsearch', size: 3, dir, heap: '512m' })
    expect(again).toEqual({ ...first, heap: '512m' })
    await expect(clusterPlan({ engine: 'elasticsearch', size: 5, dir })).rejects.toThrow(`${dir} holds a 3-node elasticsearch cluster`)
    await expect(clusterPlan({ engine: 'opensearch', size: 3, dir })).rejects.toThrow('use another directory')
  })

  it.each([1, 10, 2.5])('refuses %s nodes', async (size) => {
    await expect(clusterPlan({ engine: 'elasticsearch', size, dir: tempDir() })).rejects.toThrow('cluster size must be an integer from 2 to 9')
  })
})
