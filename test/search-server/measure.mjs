#!/usr/bin/env node
// Measures what test/search-server/README.md reports: start-up time (spawn -> READY line -> health
// yellow), resident memory idle and after bulk-indexing 10,000 small documents, and stop time, for
// each engine. Runs the launcher's default "fast start" JVM flags (C1 only + serial GC) and the JVM
// defaults (C2 + G1) interleaved in the same run and prints their ratio.
// Usage: node test/search-server/measure.mjs [runs=3]   (Linux: reads /proc/<pid>/status)
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { ENGINES, buildEngine, spawnServer, stopServer } from './launch.mjs'

const runs = Number(process.argv[2] ?? 3)

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : NaN
}

async function bulk(url, index, n) {
  const lines = []
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify({ index: { _index: index } }))
    lines.push(JSON.stringify({ '@timestamp': new Date().toISOString(), level: 'info', service: `svc-${i % 10}`, msg: `message ${i}` }))
  }
  const t0 = performance.now()
  for (let off = 0; off < lines.length; off += 2000) {
    const res = await fetch(`${url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines.slice(off, off + 2000).join('\n') + '\n' })
    const body = await res.json()
    if (body.errors) throw new Error('bulk errors')
  }
  return performance.now() - t0
}

async function once(engine, fastStart) {
  const t0 = performance.now()
  const { child, url } = await spawnServer({ engine, fastStart })
  const ready = performance.now() - t0
  await (await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=60s`)).json()
  const healthy = performance.now() - t0
  const rssIdle = rssMiB(child.pid)
  const bulkMs = await bulk(url, 'measure', 10_000)
  const rssLoaded = rssMiB(child.pid)
  const t1 = performance.now()
  await stopServer(child)
  return { ready, healthy, rssIdle, rssLoaded, bulkMs, stop: performance.now() - t1 }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const keys = ['ready', 'healthy', 'rssIdle', 'rssLoaded', 'bulkMs', 'stop']

console.log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${runs} runs per variant, medians)`)
for (const engine of ENGINES) {
  await buildEngine(engine)
  const fast = []
  const dflt = []
  for (let r = 0; r < runs; r++) {
    fast.push(await once(engine, true))
    dflt.push(await once(engine, false))
  }
  for (const [name, rows] of [['fast-start (default)', fast], ['JVM defaults', dflt]]) {
    const m = Object.fromEntries(keys.map((k) => [k, Math.round(median(rows.map((x) => x[k])))]))
    console.log(
      `${engine} ${name}: ready ${m.ready} ms, healthy ${m.healthy} ms, RSS idle ${m.rssIdle} MiB, ` +
        `RSS after 10k docs ${m.rssLoaded} MiB, bulk 10k docs ${m.bulkMs} ms, stop ${m.stop} ms`,
    )
  }
  const ratio = (k) => (median(dflt.map((x) => x[k])) / median(fast.map((x) => x[k]))).toFixed(2)
  console.log(`${engine} JVM defaults / fast-start: healthy x${ratio('healthy')}, bulk x${ratio('bulkMs')}, RSS after bulk x${ratio('rssLoaded')}`)
}
console.log(`load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
