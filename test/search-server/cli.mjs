#!/usr/bin/env node
// `pnpm search-server --engine elasticsearch|opensearch [--port N] [--data DIR] [--cluster N] [--heap SIZE] [--verbose]`
// Builds the embedded server (Maven, offline when ~/.m2 is warm), starts it (or a cluster of N
// nodes, one JVM each), prints the URL(s) when ready and stops on Ctrl-C / SIGTERM.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { clusterPlan, spawnClusterNode, waitForClusterHealth } from './cluster.mjs'
import { ENGINES, buildEngine, findJava, isBuilt, mavenAvailable, spawnServer, stopServer } from './launch.mjs'

const usage =
  'usage: pnpm search-server --engine elasticsearch|opensearch [--port N] [--data DIR] [--cluster N] [--heap SIZE] [--verbose]\n' +
  '  --cluster N   N nodes (2-9) on 127.0.0.1, one JVM each; --port is then the first HTTP port\n' +
  '  --heap SIZE   heap per node, e.g. 256m (default 512m, 256m with --cluster)'

let values
try {
  ;({ values } = parseArgs({
    // pnpm forwards a literal `--` separator when the user writes `pnpm search-server -- --engine ...`.
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      engine: { type: 'string', short: 'e' },
      port: { type: 'string', short: 'p' },
      data: { type: 'string' },
      cluster: { type: 'string', short: 'c' },
      heap: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  }))
} catch (err) {
  console.error(`${err.message}\n${usage}`)
  process.exit(2)
}
if (values.help) {
  console.log(usage)
  process.exit(0)
}
const engine = values.engine
if (!ENGINES.includes(engine)) {
  console.error(usage)
  process.exit(2)
}
const port = values.port === undefined ? 0 : Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}\n${usage}`)
  process.exit(2)
}
const size = values.cluster === undefined ? 1 : Number(values.cluster)
if (!Number.isInteger(size) || size < 1 || size > 9) {
  console.error(`invalid --cluster ${values.cluster} (2-9 nodes)\n${usage}`)
  process.exit(2)
}
if (values.heap !== undefined && !/^\d+[mg]$/.test(values.heap)) {
  console.error(`invalid --heap ${values.heap} (e.g. 256m, 1g)\n${usage}`)
  process.exit(2)
}

const java = findJava()
if (!java) {
  console.error('Java 17 not found: install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME')
  process.exit(1)
}
if (!isBuilt(engine) && !mavenAvailable()) {
  console.error('Maven not found: install Maven 3.8+ (e.g. apt-get install maven)')
  process.exit(1)
}

/** Running JVMs by name; a cluster's temporary root (removed at the end unless --data). */
const servers = new Map()
let tempDir
let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  // Before a server exists (still building/starting) there is nothing to stop: the JVM, if any,
  // exits on its own when our stdin pipe to it closes.
  await Promise.all([...servers.values()].map((s) => stopServer(s.child)))
  if (tempDir) rmSync(tempDir, { recursive: true, force: true })
  process.exit(servers.size > 0 ? 0 : 130)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

/** Reports a JVM that exits while we are not stopping (its log tail says why). */
function watch(name, server, fatal) {
  servers.set(name, server)
  server.child.on('exit', (code, signal) => {
    servers.delete(name)
    if (stopping) return
    console.error(`${name} exited unexpectedly (code ${code}, signal ${signal})\n${server.logTail().slice(-4000)}`)
    if (fatal || servers.size === 0) process.exit(1)
  })
}

const mib = (bytes) => `${Math.round(bytes / 1048576)} MiB`
function rss(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

const t0 = performance.now()
await buildEngine(engine, { log: (m) => console.error(`[search-server] ${m}`) })
const t1 = performance.now()
if (size === 1) {
  const server = await spawnServer({ engine, port, dataDir: values.data, java: java.bin, inheritLogs: values.verbose, heap: values.heap })
  const t2 = performance.now()
  watch(engine, server, true)
  console.log(`${engine} ready at ${server.url} (build ${Math.round(t1 - t0)} ms, start ${Math.round(t2 - t1)} ms, Java ${java.major}); Ctrl-C to stop`)
} else {
  const dir = values.data ? resolve(values.data) : (tempDir = mkdtempSync(join(tmpdir(), `tracewire-${engine}-cluster-`)))
  const plan = await clusterPlan({ engine, size, dir, port: port || undefined, heap: values.heap })
  // In parallel: a member is READY only once a quorum of the initial masters has formed the cluster.
  const spawned = await Promise.allSettled(plan.nodes.map((_, i) => spawnClusterNode(plan, i, { java: java.bin, inheritLogs: values.verbose })))
  spawned.forEach((r, i) => r.status === 'fulfilled' && watch(plan.nodes[i].name, r.value, false))
  const failed = spawned.find((r) => r.status === 'rejected')
  if (failed) {
    console.error(failed.reason.message)
    await stop()
  }
  const health = await waitForClusterHealth(plan.nodes[0].url, { nodes: size })
  const t2 = performance.now()
  const memory = [...servers.values()].map((s) => rss(s.child.pid))
  console.log(
    `${engine} cluster ${health.cluster_name} (${size} nodes, ${health.status}) ready in ${Math.round(t2 - t1)} ms (build ${Math.round(t1 - t0)} ms), Java ${java.major}; Ctrl-C to stop\n` +
      plan.nodes.map((n, i) => `  ${n.name}  ${n.url}  transport 127.0.0.1:${n.transportPort}${memory[i] ? `  RSS ${mib(memory[i])}` : ''}`).join('\n') +
      `\n  data: ${dir}${tempDir ? ' (removed on stop)' : ''}\n  e.g. createShipper({ node: ${JSON.stringify(plan.nodes.map((n) => n.url))} })`,
  )
}
