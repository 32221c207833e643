#!/usr/bin/env node
// Measures what test/search-server/README.md reports: start-up time (spawn -> READY line -> health
// yellow) and resident memory of each engine, idle and after bulk-indexing 10,000 small documents.
// Usage: node test/search-server/measure.mjs [runs=3]   (Linux: reads /proc/<pid>/status)
import { readFileSync } from 'node:fs'
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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

for (const engine of ENGINES) {
  await buildEngine(engine)
  const rows = []
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now()
    const { child, url } = await spawnServer({ engine })
    const tReady = performance.now() - t0
    await (await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=60s`)).json()
    const tHealthy = performance.now() - t0
    const rssIdle = rssMiB(child.pid)
    const bulkMs = await bulk(url, 'measure', 10_000)
    const rssLoaded = rssMiB(child.pid)
    const t1 = performance.now()
    await stopServer(child)
    const tStop = performance.now() - t1
    rows.push({ tReady, tHealthy, rssIdle, rssLoaded, bulkMs, tStop })
  }
  const f = (k) => Math.round(median(rows.map((x) => x[k])))
  console.log(
    `${engine}: runs=${runs} median ready=${f('tReady')} ms, healthy=${f('tHealthy')} ms, RSS idle=${f('rssIdle')} MiB, ` +
      `RSS after 10k docs=${f('rssLoaded')} MiB, bulk 10k docs=${f('bulkMs')} ms, stop=${f('tStop')} ms`,
  )
}
