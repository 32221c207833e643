// Benchmark of @tracewire/shipper against the clients a user would otherwise pick, in one run.
//
//   pnpm --filter @tracewire/shipper build && node bench/shipper/bulk.mjs [docs=200000] [--no-server] [--no-sink] [--only=a,b] [--cpu-prof=DIR]
//
// Every scenario runs in its own child process (so CPU time and peak RSS are the client's alone) and
// ships the same `docs` tracewire log lines of about 300 bytes, pre-generated before timing:
//   raw-http          pre-serialised NDJSON in 5 MB bodies, undici keep-alive, 5 in flight (the limit)
//   shipper-memory    createShipper({ bufferDir: false }): write every line, then flush()
//   shipper-file      createShipper with the durable buffer (segment files, fsync every 1 s)
//   helpers.bulk      @elastic/elasticsearch 7.13 helpers.bulk, flushBytes 5 MB, concurrency 5
//   pino-es-default   pino-elasticsearch 9 stream with its defaults (flushBytes 1000)
//   pino-es-5mb       pino-elasticsearch 9 with flushBytes 5 MB
// Targets: (a) a loopback `_bulk` sink that only counts (the shipper's own cost), (b) the embedded
// Elasticsearch 7.10.2 (test/search-server), unless --no-server or Java is missing.
// Prints docs/s, client CPU-s per 100k docs, peak RSS, and ratios to raw-http on the same target.
// --baseline=FILE also runs the shipper scenarios against another build of the shipper (FILE: its
// dist/index.js, e.g. a copy of the build before a change), as `<scenario>@base` interleaved with the
// current build's, so before/after figures come from the same invocation and the same load.
// --rounds=N runs the whole list N times in turn and reports the median of each column per client.
// --flat-lines hands every client flat strings (as the pino transport's line splitter produces them)
// instead of the concatenated strings `makeLines` builds: V8 flattens a concatenated string on first
// read, and since the pre-generated lines stay referenced, each flat copy survives into the old
// generation, a cost of this bench's input (raw-http never reads the lines), not of a logging process.
// --cpu-prof=DIR: each child records a V8 CPU profile of its timed window only (no line generation, no
// module loading) into DIR/<scenario>-<sink|server>.cpuprofile. The shipper runs on the child's main
// thread (no worker threads), so this is all of its work. Summarise with
// `node bench/shipper/profile-summary.mjs DIR/*.cpuprofile`. The profiler costs CPU itself: take the
// table's figures from a run without it.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve as resolvePath } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const docs = Number(args.find((a) => /^\d+$/.test(a)) ?? 200_000)
const withServer = !args.includes('--no-server')
const withSink = !args.includes('--no-sink')
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',')
const profileDir = args.find((a) => a.startsWith('--cpu-prof='))?.slice(11)
const baseline = args.find((a) => a.startsWith('--baseline='))?.slice(11)
const flatLines = args.includes('--flat-lines')
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 1)
const SCENARIOS = ['raw-http', 'shipper-memory', 'shipper-file', 'helpers.bulk', 'pino-es-default', 'pino-es-5mb']
  .filter((s) => !only || only.includes(s))
  .flatMap((s) => (baseline && s.startsWith('shipper-') ? [`${s}@base`, s] : [s]))

// ---- child: one scenario ------------------------------------------------------------------------
if (args[0] === '--child') {
  const [, scenario, target, countArg, statsUrl, childProfileDir, shipperModule, flat] = args
  const result = await runScenario(scenario, target, Number(countArg), statsUrl, childProfileDir || undefined, shipperModule, flat === 'flat')
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}

function makeLines(n) {
  const lines = new Array(n)
  const t0 = 1764158532
  for (let i = 0; i < n; i++) {
    const ms = t0 * 1000 + i
    lines[i] =
      `{"level":"info","time":${ms / 1000},"@timestamp":"${new Date(ms).toISOString()}","service":"orders",` +
      `"message":"order ${i} accepted for customer ${i % 9973} with 3 items","trace_id":"0af7651916cd43dd8448eb211c80319c",` +
      `"span_id":"b7ad6b7169203331","trace_flags":"01","http":{"method":"POST","route":"/orders/:id","status":201},"seq":${i}}`
  }
  return lines
}

async function waitReceived(statsUrl, n) {
  for (;;) {
    const { received } = await (await fetch(statsUrl)).json()
    if (received >= n) return
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function waitCount(target, index, n) {
  for (;;) {
    await fetch(`${target}/${index}/_refresh`, { method: 'POST' })
    const res = await fetch(`${target}/${index}/_count`)
    const { count } = await res.json()
    if (count >= n) return
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Starts the V8 profiler in this process; the returned function stops it and writes the profile. */
async function startProfile(file) {
  const { Session } = await import('node:inspector/promises')
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(file, JSON.stringify(profile))
    session.disconnect()
  }
}

/** Sums garbage-collection pauses by kind (minor/major/incremental/weak) until the returned function is called. */
async function watchGc() {
  const { PerformanceObserver, constants } = await import('node:perf_hooks')
  const names = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak' }
  const totals = {}
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = names[e.detail?.kind] ?? 'other'
      totals[kind] = Math.round(((totals[kind] ?? 0) + e.duration) * 10) / 10
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  return () => {
    observer.disconnect()
    return totals
  }
}

async function runScenario(label, target, n, statsUrl, profileTo, shipperModule, flat) {
  const scenario = label.replace(/@base$/, '')
  const lines = makeLines(n)
  // A round trip through bytes yields a flat (sequential) string, as a decoded chunk's lines are.
  if (flat) for (let i = 0; i < n; i++) lines[i] = Buffer.from(lines[i]).toString('utf8')
  const prefix = `bench-${scenario.replace(/[^a-z0-9]/g, '')}`
  const index = `${prefix}-orders-20251126`
  const done = statsUrl === 'server' ? () => waitCount(target, `${prefix}-*`, n) : () => waitReceived(statsUrl, n)
  let prepared
  if (scenario === 'raw-http') {
    // Not timed: the limit assumes bodies already exist.
    prepared = []
    let body = ''
    for (let i = 0; i < n; i++) {
      const l = lines[i]
      const cut = l.indexOf(',"@timestamp"')
      body += `{"create":{"_index":"${index}","_id":"r${i}"}}\n{"level":"info"${l.slice(cut)}\n`
      if (body.length >= 5 * 1024 * 1024) {
        prepared.push(body)
        body = ''
      }
    }
    if (body) prepared.push(body)
  }
  if (scenario.startsWith('pino-es')) {
    // pino-elasticsearch reads `time` as an ISO string (it calls time.substring); give it that shape.
    for (let i = 0; i < n; i++) lines[i] = lines[i].replace(/"time":[0-9.]+,"@timestamp":("[^"]+")/, '"time":$1')
  }
  // Modules load before timing: the table compares steady-state shipping, not import time.
  const { Pool } = await import('undici')
  const { createShipper } = await import(shipperModule ? pathToFileURL(shipperModule).href : '@tracewire/shipper')
  const { Client } = await import('@elastic/elasticsearch')
  const { default: pinoElastic } = await import('pino-elasticsearch')
  const gc = profileTo ? await watchGc() : undefined
  const stopProfile = profileTo ? await startProfile(join(profileTo, `${label}-${statsUrl === 'server' ? 'server' : 'sink'}.cpuprofile`)) : undefined
  const faults0 = process.resourceUsage().minorPageFault
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let error
  let phases
  try {
    if (scenario === 'raw-http') {
      const pool = new Pool(target, { connections: 5 })
      let next = 0
      const worker = async () => {
        while (next < prepared.length) {
          const body = prepared[next++]
          const res = await pool.request({ method: 'POST', path: '/_bulk?filter_path=errors', headers: { 'content-type': 'application/x-ndjson' }, body })
          await res.body.text()
        }
      }
      await Promise.all(Array.from({ length: 5 }, worker))
      await pool.close()
    } else if (scenario === 'shipper-memory' || scenario === 'shipper-file') {
      const bufferDir = scenario === 'shipper-file' ? mkdtempSync(join(tmpdir(), 'tw-bench-ship-')) : false
      const shipper = createShipper({ node: target, indexPrefix: prefix, bufferDir, maxBufferBytes: 256 * 1024 * 1024, maxDiskBytes: 1024 * 1024 * 1024 })
      for (let i = 0; i < n; i++) {
        shipper.write(lines[i])
        // A logger hands lines over in bursts; yield like a busy service would.
        if (i % 1000 === 999) await new Promise((r) => setImmediate(r))
      }
      const written = performance.now()
      await shipper.flush()
      const flushed = performance.now()
      const st = shipper.stats()
      await shipper.close()
      // Where the wall time goes: handing the lines over, waiting for delivery, closing (final fsync).
      phases = { writeS: (written - t0) / 1000, flushS: (flushed - written) / 1000, closeS: (performance.now() - flushed) / 1000 }
      if (bufferDir) rmSync(bufferDir, { recursive: true, force: true })
      if (st.delivered !== n) throw new Error(`delivered ${st.delivered} of ${n}`)
    } else if (scenario === 'helpers.bulk') {
      const client = new Client({ node: target })
      let i = 0
      const stats = await client.helpers.bulk({
        datasource: (async function* () {
          for (const l of lines) {
            const doc = JSON.parse(l)
            delete doc.time
            yield doc
          }
        })(),
        onDocument: () => ({ create: { _index: index, _id: `h${i++}` } }),
        flushBytes: 5 * 1024 * 1024,
        concurrency: 5,
        onDrop: () => {},
      })
      await client.close()
      if (stats.successful !== n) throw new Error(`successful ${stats.successful} of ${n}`)
    } else if (scenario.startsWith('pino-es')) {
      let failed
      const stream = pinoElastic({ node: target, index, esVersion: 7, ...(scenario === 'pino-es-5mb' ? { flushBytes: 5 * 1024 * 1024 } : {}) })
      stream.on('error', (e) => (failed = e))
      stream.on('insertError', (e) => (failed = e))
      // As pino does: write without waiting for 'drain' (pino never waits), yielding now and then.
      const keepAlive = setInterval(() => {}, 1000)
      for (let i = 0; i < n; i++) {
        stream.write(`${lines[i]}\n`)
        if (i % 1000 === 999) await new Promise((r) => setImmediate(r))
        if (failed) throw failed
      }
      stream.end()
      clearInterval(keepAlive)
      await Promise.race([
        done(),
        new Promise((_, reject) => {
          const check = setInterval(() => failed && reject(failed), 50)
          check.unref()
        }),
      ])
    }
    const keepAlive = setInterval(() => {}, 1000)
    await done().finally(() => clearInterval(keepAlive))
  } catch (err) {
    error = (err instanceof Error ? `${err.name}: ${err.message}` : JSON.stringify(err, Object.getOwnPropertyNames(err ?? {}))).slice(0, 200)
  }
  const wall = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  await stopProfile?.()
  const gcMs = gc?.()
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  return {
    scenario: label,
    error,
    docsPerSec: error ? 0 : n / wall,
    cpuPer100k: cpuSeconds / (n / 100_000),
    // Kernel time (writes, fsync, sockets; libuv's threads included) apart from JavaScript's.
    systemCpuPer100k: cpu.system / 1e6 / (n / 100_000),
    // First touches of fresh memory (new buffers, heap growth): each is kernel time.
    minorPageFaults: process.resourceUsage().minorPageFault - faults0,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    wall,
    ...(gcMs ? { gcMs } : {}),
    ...(phases ? { phases } : {}),
  }
}

// ---- parent --------------------------------------------------------------------------------------
function runChild(scenario, target, statsUrl) {
  const shipperModule = scenario.endsWith('@base') ? resolvePath(baseline) : ''
  const child = [fileURLToPath(import.meta.url), '--child', scenario, target, String(docs), statsUrl, profileDir ? resolvePath(profileDir) : '', shipperModule, flatLines ? 'flat' : '']
  return new Promise((resolve) => {
    const p = spawn(process.execPath, child, {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    p.on('exit', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()))
      } catch {
        resolve({ scenario, error: `child failed: ${out.slice(0, 200)}`, docsPerSec: 0, cpuPer100k: 0, peakRssMb: 0 })
      }
    })
  })
}

async function loadSink() {
  // The counting sink is the shipper's test support (TypeScript): transpile it for plain node.
  const ts = (await import('typescript')).default
  const src = readFileSync(join(here, '../../packages/shipper/test/support/bulk-sink.ts'), 'utf8')
  const { outputText } = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-sink-'))
  writeFileSync(join(dir, 'bulk-sink.mjs'), outputText)
  const mod = await import(pathToFileURL(join(dir, 'bulk-sink.mjs')).href)
  rmSync(dir, { recursive: true, force: true })
  return mod
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** One row per client: the median over rounds (a client that failed in any round shows the failure). */
function byClient(results) {
  const groups = new Map()
  for (const r of results) groups.set(r.scenario, [...(groups.get(r.scenario) ?? []), r])
  return [...groups].map(([scenario, runs]) => {
    const failed = runs.find((r) => r.error)
    if (failed) return failed
    return { scenario, docsPerSec: median(runs.map((r) => r.docsPerSec)), cpuPer100k: median(runs.map((r) => r.cpuPer100k)), peakRssMb: median(runs.map((r) => r.peakRssMb)) }
  })
}

function table(title, results) {
  const rows = byClient(results)
  const raw = rows.find((r) => r.scenario === 'raw-http' && !r.error)
  const lines = rows.map((r) => {
    const ratio = raw && !r.error ? (r.docsPerSec / raw.docsPerSec).toFixed(2) + 'x' : 'n/a'
    const cpuRatio = raw && !r.error ? (raw.cpuPer100k / r.cpuPer100k).toFixed(2) + 'x' : 'n/a'
    return `| ${r.scenario} | ${r.error ? `failed: ${r.error}` : Math.round(r.docsPerSec).toLocaleString('en-US')} | ${ratio} | ${r.error ? '' : r.cpuPer100k.toFixed(2)} | ${cpuRatio} | ${Math.round(r.peakRssMb)} |`
  })
  const medianNote = rounds > 1 ? ` (median of ${rounds} rounds)` : ''
  return [
    `### ${title}${medianNote}`,
    '',
    '| client | docs/s | vs raw-http | CPU-s / 100k docs | raw-http CPU / client CPU | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
    '',
  ].join('\n')
}

async function main() {
  if (profileDir) mkdirSync(profileDir, { recursive: true })
  const { startBulkSink } = await loadSink()
  const os = await import('node:os')
  const out = [`${docs.toLocaleString('en-US')} ${flatLines ? 'flat ' : ''}lines of ~300 bytes, Node ${process.version}, ${os.cpus().length} CPUs, load average at start ${os.loadavg()[0].toFixed(1)}`, '']
  if (withSink) {
    const sink = await startBulkSink({ store: false })
    const sinkResults = []
    for (let round = 0; round < rounds; round++) {
      for (const scenario of SCENARIOS) {
        sink.received = 0
        sinkResults.push(await runChild(scenario, sink.url, `${sink.url}/_tw_received`))
        process.stderr.write(`sink ${scenario}: ${JSON.stringify(sinkResults.at(-1))}\n`)
      }
    }
    await sink.close()
    out.push(table('(a) counting `_bulk` sink (client cost only)', sinkResults))
  }

  if (withServer) {
    const launch = await import(pathToFileURL(join(here, '../../test/search-server/launch.mjs')).href)
    if (!launch.findJava()) {
      out.push('(b) skipped: no Java for the embedded server')
    } else {
      await launch.buildEngine('elasticsearch')
      const dataDir = mkdtempSync(join(tmpdir(), 'tw-bench-es-'))
      mkdirSync(dataDir, { recursive: true })
      const server = await launch.spawnServer({ engine: 'elasticsearch', dataDir })
      const url = server.url.startsWith('http') ? server.url : `http://${server.url}`
      const serverResults = []
      try {
        // Warm the JVM (JIT, index creation paths) so the first measured client is not penalised.
        await runChild('raw-http', url, 'server')
        await fetch(`${url}/bench-*`, { method: 'DELETE' })
        for (let round = 0; round < rounds; round++) {
          for (const scenario of SCENARIOS) {
            serverResults.push(await runChild(scenario, url, 'server'))
            process.stderr.write(`server ${scenario}: ${JSON.stringify(serverResults.at(-1))}\n`)
            await fetch(`${url}/bench-*`, { method: 'DELETE' })
          }
        }
      } finally {
        await launch.stopServer(server.child)
        rmSync(dataDir, { recursive: true, force: true })
      }
      out.push(table('(b) embedded Elasticsearch 7.10.2 (single node, loopback)', serverResults))
    }
  }
  process.stdout.write(`${out.join('\n')}\n`)
}

await main()
