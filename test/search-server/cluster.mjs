// A multi-node cluster of the embedded server on loopback: one JVM per node (launch.mjs), each with a
// fixed HTTP and transport port and its own home and data directory, so that a node killed with
// SIGKILL can be started again at the same addresses with the same data (a rolling restart). Plain
// ESM JavaScript for the same reason as launch.mjs; types live in cluster.d.mts.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { spawnServer } from './launch.mjs'

/**
 * Ports are drawn from below Linux's default ephemeral range (32768-60999): while a node is down, an
 * outgoing connection of some other test could otherwise take its port, and the restart would fail
 * with "address already in use".
 */
const PORT_MIN = 20_000
const PORT_MAX = 32_000

/** @param {number} port */
function canListen(port) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/**
 * `count` distinct loopback ports that are free right now (bound and released), none in `exclude`.
 * @param {number} count @param {Iterable<number>} [exclude]
 */
export async function freeLoopbackPorts(count, exclude = []) {
  const skip = new Set(exclude)
  const ports = []
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > 1000) throw new Error(`no ${count} free loopback ports between ${PORT_MIN} and ${PORT_MAX}`)
    const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN))
    if (skip.has(port)) continue
    skip.add(port)
    if (await canListen(port)) ports.push(port)
  }
  return ports
}

/**
 * Names, ports and directories of a cluster's nodes (nothing is started). Every node is
 * master-eligible and data-holding; `cluster.initial_master_nodes` lists them all, so the cluster
 * forms once a majority is up and survives the loss of a minority. The plan is saved as
 * `<dir>/cluster.json` and reused by the next call on the same directory (same cluster name and
 * ports for the data already there), unless size, port or engine differ.
 * @param {import('./cluster.d.mts').ClusterPlanOptions} opts
 * @returns {Promise<import('./cluster.d.mts').ClusterPlan>}
 */
export async function clusterPlan(opts) {
  const size = opts.size ?? 3
  if (!Number.isInteger(size) || size < 2 || size > 9) throw new Error(`cluster size must be an integer from 2 to 9, got ${size}`)
  const saved = join(opts.dir, 'cluster.json')
  if (existsSync(saved)) {
    const plan = JSON.parse(readFileSync(saved, 'utf8'))
    const samePorts = !opts.port || plan.nodes[0]?.httpPort === opts.port
    if (plan.engine === opts.engine && plan.nodes.length === size && samePorts) {
      return { ...plan, heap: opts.heap ?? plan.heap, processors: opts.processors ?? plan.processors }
    }
    throw new Error(`${opts.dir} holds a ${plan.nodes.length}-node ${plan.engine} cluster (first HTTP port ${plan.nodes[0]?.httpPort}): use another directory`)
  }
  let httpPorts
  if (opts.port) {
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port + size - 1 > 65_535) throw new Error(`invalid first HTTP port ${opts.port}`)
    httpPorts = Array.from({ length: size }, (_, i) => opts.port + i)
  } else {
    httpPorts = await freeLoopbackPorts(size)
  }
  const transportPorts = await freeLoopbackPorts(size, httpPorts)
  // A random cluster name: a node of some other cluster that happens to listen on a seed port refuses to join.
  const clusterName = `tracewire-${opts.engine}-${randomBytes(4).toString('hex')}`
  const nodes = httpPorts.map((httpPort, i) => {
    const name = `node-${i}`
    return { name, httpPort, transportPort: transportPorts[i], url: `http://127.0.0.1:${httpPort}`, home: join(opts.dir, name, 'home'), dataDir: join(opts.dir, name, 'data') }
  })
  const plan = { engine: opts.engine, clusterName, dir: opts.dir, heap: opts.heap ?? '256m', processors: opts.processors ?? 1, nodes }
  mkdirSync(opts.dir, { recursive: true })
  writeFileSync(saved, `${JSON.stringify(plan, null, 2)}\n`)
  return plan
}

/**
 * Spawns node `index` of `plan` (first start or restart: same ports, same data). Resolves on the
 * launcher's READY line, which a cluster member prints only once it has joined a cluster (or after
 * `discovery.initial_state_timeout`, 30 s), so start a new cluster's nodes in parallel.
 * @param {import('./cluster.d.mts').ClusterPlan} plan @param {number} index
 * @param {{ java?: string, startTimeoutMs?: number, inheritLogs?: boolean }} [opts]
 */
export function spawnClusterNode(plan, index, opts = {}) {
  const node = plan.nodes[index]
  if (!node) throw new Error(`no node ${index} in a cluster of ${plan.nodes.length}`)
  mkdirSync(node.home, { recursive: true })
  mkdirSync(node.dataDir, { recursive: true })
  return spawnServer({
    engine: plan.engine,
    port: node.httpPort,
    dataDir: node.dataDir,
    heap: plan.heap,
    java: opts.java,
    startTimeoutMs: opts.startTimeoutMs,
    inheritLogs: opts.inheritLogs,
    cluster: {
      clusterName: plan.clusterName,
      nodeName: node.name,
      transportPort: node.transportPort,
      seedHosts: plan.nodes.map((n) => `127.0.0.1:${n.transportPort}`),
      initialMasterNodes: plan.nodes.map((n) => n.name),
      home: node.home,
      processors: plan.processors,
    },
  })
}

/**
 * Waits until the cluster behind `url` has exactly `nodes` nodes and at least `status`; polls through
 * connection errors (a node still starting) until `timeoutMs`. Resolves with the health response.
 * @param {string} url
 * @param {{ nodes: number, status?: 'green' | 'yellow', timeoutMs?: number }} opts
 */
export async function waitForClusterHealth(url, opts) {
  const status = opts.status ?? 'green'
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000)
  let last = 'no answer yet'
  for (;;) {
    const left = deadline - Date.now()
    if (left <= 0) throw new Error(`cluster at ${url} not ${status} with ${opts.nodes} nodes in time: ${last}`)
    const waitS = Math.max(1, Math.min(30, Math.floor(left / 1000)))
    try {
      const res = await fetch(`${url}/_cluster/health?wait_for_nodes=${opts.nodes}&wait_for_status=${status}&timeout=${waitS}s`, {
        signal: AbortSignal.timeout(waitS * 1000 + 5000),
      })
      const body = await res.json()
      if (res.ok && body.timed_out === false) return body
      last = JSON.stringify(body).slice(0, 500)
    } catch (err) {
      last = String(err?.cause?.code ?? err?.message ?? err)
      await new Promise((r) => setTimeout(r, 250))
    }
  }
}
