/**
 * Programmatic start/stop of an embedded Elasticsearch 7.10.2 or OpenSearch 2.19 node (a JVM built
 * from test/search-server by Maven). Used by the integration global setup and directly by tests that
 * need their own server, e.g. to stop and restart it:
 *
 * ```ts
 * const dataDir = await mkdtemp(join(tmpdir(), 'es-data-'))
 * const first = await startSearchServer({ engine: 'elasticsearch', dataDir })
 * // ... index documents ...
 * await first.stop()                       // server down: connections to first.port are refused
 * const again = await startSearchServer({ engine: 'elasticsearch', port: first.port, dataDir })
 * // same URL, same documents
 * await again.stop(); await rm(dataDir, { recursive: true, force: true })
 * ```
 */
import type { ChildProcess } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clusterPlan, spawnClusterNode, waitForClusterHealth, type ClusterHealth } from '../search-server/cluster.mjs'
import { buildEngine, findJava, isBuilt, mavenAvailable, spawnServer, stopServer } from '../search-server/launch.mjs'

export type SearchEngineName = 'elasticsearch' | 'opensearch'

export interface StartSearchServerOptions {
  engine: SearchEngineName
  /** HTTP port on 127.0.0.1; 0 or absent picks a free one. Pass a previous server's `port` to restart "in place". */
  port?: number
  /**
   * Data directory to use (and keep) instead of a temporary one deleted on exit. Start again with the
   * same `dataDir` after `stop()` and the indexed documents are still there. The caller removes it.
   */
  dataDir?: string
  /** Time allowed from JVM spawn to the READY line (default 120 s). */
  startTimeoutMs?: number
}

export interface SearchServer {
  engine: SearchEngineName
  /** e.g. `http://127.0.0.1:45123` (no trailing slash). */
  url: string
  port: number
  /** `version.number` from `GET /`, e.g. `7.10.2` or `2.19.6`. */
  version: string
  /** Stops the JVM (SIGTERM, SIGKILL after 20 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>
  /** Last server log lines (stderr), for assertion messages. */
  logTail(): string
}

/** Thrown when Java or Maven is missing; `code` is stable so callers can decide to skip. */
export class SearchServerUnavailableError extends Error {
  readonly code = 'SEARCH_SERVER_UNAVAILABLE'
  constructor(message: string) {
    super(message)
    this.name = 'SearchServerUnavailableError'
  }
}

/**
 * Whether this machine can run the embedded servers: a JDK 17+ and either Maven or an already
 * built class path. Returns the reason when it cannot.
 */
export function searchServerPrerequisites(engine: SearchEngineName = 'elasticsearch'): { ok: true } | { ok: false; reason: string } {
  if (!findJava()) return { ok: false, reason: 'Java 17 not found (install a JDK 17 or set JAVA_HOME)' }
  if (!isBuilt(engine) && !mavenAvailable()) return { ok: false, reason: 'Maven not found (install Maven 3.8+)' }
  return { ok: true }
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  const body = await res.text()
  if (!res.ok) throw new Error(`GET ${url} -> ${res.status}: ${body.slice(0, 500)}`)
  return JSON.parse(body) as unknown
}

/**
 * Builds (if needed), spawns and waits for one server: READY line, then
 * `GET /_cluster/health?wait_for_status=yellow`, then `GET /` for the version.
 */
export async function startSearchServer(options: StartSearchServerOptions): Promise<SearchServer> {
  const { engine } = options
  const prereq = searchServerPrerequisites(engine)
  if (!prereq.ok) throw new SearchServerUnavailableError(prereq.reason)
  await buildEngine(engine)
  const spawned = await spawnServer({
    engine,
    port: options.port ?? 0,
    dataDir: options.dataDir,
    startTimeoutMs: options.startTimeoutMs,
  })
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => (stopped ??= stopServer(spawned.child))
  try {
    const url = spawned.url.startsWith('http') ? spawned.url : `http://${spawned.url}`
    const health = (await getJson(`${url}/_cluster/health?wait_for_status=yellow&timeout=60s`, 70_000)) as { status?: string }
    if (health.status !== 'yellow' && health.status !== 'green') {
      throw new Error(`${engine} cluster health is ${String(health.status)}`)
    }
    const main = (await getJson(`${url}/`, 10_000)) as { version?: { number?: string } }
    return {
      engine,
      url,
      port: Number(new URL(url).port),
      version: main.version?.number ?? 'unknown',
      stop,
      logTail: spawned.logTail,
    }
  } catch (err) {
    await stop()
    throw new Error(`${engine} started but is not healthy: ${(err as Error).message}\n${spawned.logTail().slice(-4000)}`, { cause: err })
  }
}

export interface StartSearchClusterOptions {
  /** Default `elasticsearch`. */
  engine?: SearchEngineName
  /** Number of nodes, 2-9 (default 3). */
  nodes?: number
  /** Heap of each node (default `256m`). */
  heap?: string
  /** `node.processors` of each node (default 1: small thread pools, three JVMs share the cores). */
  processors?: number
  /** Time allowed per node from JVM spawn to READY (default 120 s). */
  startTimeoutMs?: number
}

/** One member of a `SearchCluster`. Its ports and data survive `kill` + `restart`. */
export interface SearchClusterNode {
  /** `node-<i>`, also its Elasticsearch `node.name`. */
  name: string
  /** `http://127.0.0.1:PORT`, the same after a restart. */
  url: string
  httpPort: number
  transportPort: number
  /** Process id of the running JVM, undefined while the node is down. */
  readonly pid: number | undefined
}

/** A multi-node cluster on loopback, one JVM per node (`startSearchCluster`). */
export interface SearchCluster {
  engine: SearchEngineName
  clusterName: string
  /** `version.number` from `GET /`. */
  version: string
  nodes: readonly SearchClusterNode[]
  /** Every node's URL, e.g. for `createShipper({ node: cluster.urls })`. */
  urls: string[]
  /** SIGKILLs node `index` (no shutdown at all) and resolves once the JVM is gone. */
  kill(index: number): Promise<void>
  /** Starts a stopped node again (same ports, same data) and resolves once it has rejoined. */
  restart(index: number): Promise<void>
  /** Cluster health through the first running node, once `nodes` (default: all) are in and `status` (default green) holds. */
  health(options?: { nodes?: number; status?: 'green' | 'yellow'; timeoutMs?: number }): Promise<ClusterHealth>
  /** Resident memory of each running node's JVM in bytes (undefined when down or not on Linux). */
  rssBytes(): Array<number | undefined>
  /** Stops every node (SIGTERM, SIGKILL after 10 s) and deletes the data. Idempotent; safe after a failed test. */
  stop(): Promise<void>
  /** Last server log lines of node `index`. */
  logTail(index: number): string
}

function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/**
 * Starts a cluster of `nodes` embedded servers on loopback (default: three Elasticsearch 7.10.2
 * nodes, 256 MB heap each), in parallel, and waits until all of them have joined and the cluster is
 * green. Every node is master-eligible and holds data; its own ports and directories let a test
 * SIGKILL a node and `restart` it in place. Call `stop()` in `afterAll` (it also removes the data).
 *
 * ```ts
 * const cluster = await startSearchCluster({ nodes: 3 })
 * const shipper = createShipper({ node: cluster.urls })
 * await cluster.kill(0)     // the cluster elects a new master and promotes replicas
 * await cluster.restart(0)  // same address, same data; rejoins
 * await cluster.health()    // green again once replicas have recovered
 * await cluster.stop()
 * ```
 */
export async function startSearchCluster(options: StartSearchClusterOptions = {}): Promise<SearchCluster> {
  const engine = options.engine ?? 'elasticsearch'
  const prereq = searchServerPrerequisites(engine)
  if (!prereq.ok) throw new SearchServerUnavailableError(prereq.reason)
  await buildEngine(engine)
  const dir = await mkdtemp(join(tmpdir(), `tracewire-${engine}-cluster-`))
  const plan = await clusterPlan({ engine, size: options.nodes ?? 3, dir, heap: options.heap, processors: options.processors })
  const running: Array<{ child: ChildProcess; logTail: () => string } | undefined> = plan.nodes.map(() => undefined)
  const lastLogs: string[] = plan.nodes.map(() => '')
  const spawnNode = async (index: number): Promise<void> => {
    const spawned = await spawnClusterNode(plan, index, { startTimeoutMs: options.startTimeoutMs })
    running[index] = spawned
    spawned.child.once('exit', () => {
      lastLogs[index] = spawned.logTail()
      if (running[index] === spawned) running[index] = undefined
    })
  }
  const nodes: SearchClusterNode[] = plan.nodes.map((n, i) => ({
    name: n.name,
    url: n.url,
    httpPort: n.httpPort,
    transportPort: n.transportPort,
    get pid() {
      return running[i]?.child.pid
    },
  }))
  const logTail = (index: number): string => running[index]?.logTail() ?? lastLogs[index] ?? ''
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await Promise.all(running.map((r) => (r ? stopServer(r.child, 10_000) : undefined)))
      rmSync(dir, { recursive: true, force: true })
    })())
  const health = (opts: { nodes?: number; status?: 'green' | 'yellow'; timeoutMs?: number } = {}): Promise<ClusterHealth> => {
    const up = nodes.find((_, i) => running[i] !== undefined)
    if (!up) return Promise.reject(new Error('no node of the cluster is running'))
    return waitForClusterHealth(up.url, { nodes: opts.nodes ?? nodes.length, status: opts.status, timeoutMs: opts.timeoutMs })
  }
  try {
    // In parallel: a member's READY comes only after a quorum of the initial masters has formed the cluster.
    const results = await Promise.allSettled(plan.nodes.map((_, i) => spawnNode(i)))
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed.length > 0) throw new AggregateError(failed.map((f) => f.reason), (failed[0]!.reason as Error).message)
    await health({ timeoutMs: 90_000 })
    const main = (await getJson(`${nodes[0]!.url}/`, 10_000)) as { version?: { number?: string } }
    return {
      engine,
      clusterName: plan.clusterName,
      version: main.version?.number ?? 'unknown',
      nodes,
      urls: nodes.map((n) => n.url),
      async kill(index) {
        const r = running[index]
        if (!r) return
        r.child.kill('SIGKILL')
        await exited(r.child)
      },
      async restart(index) {
        if (running[index]) throw new Error(`${nodes[index]!.name} is still running`)
        await spawnNode(index)
        await health({ status: 'yellow', timeoutMs: 90_000 })
      },
      health,
      rssBytes: () => running.map((r) => rssOf(r?.child.pid)),
      stop,
      logTail,
    }
  } catch (err) {
    const logs = nodes.map((n, i) => `--- ${n.name} ---\n${logTail(i).slice(-2000)}`).join('\n')
    await stop()
    throw new Error(`${engine} cluster of ${nodes.length} did not start: ${(err as Error).message}\n${logs}`, { cause: err })
  }
}
