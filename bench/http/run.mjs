// HTTP benchmark: bare Express and Fastify against the same with tracewire's middleware (trace + access
// line to a file), pino-http, Fastify's built-in logger and OpenTelemetry's http+express instrumentation.
// Every variant runs in its own child process, interleaved, several runs, in the same invocation; ratios
// are taken per run against the bare server of the same framework, then the median is printed.
//
//   node bench/http/run.mjs [--duration 5] [--runs 3] [--connections 50]
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
})
const duration = Number(values.duration)
const runs = Number(values.runs)
const connections = Number(values.connections)
const warmup = Number(values.warmup)

const VARIANTS = [
  ['express-bare', 'express-bare'],
  ['express-tracewire', 'express-bare'],
  ['express-pino-http', 'express-bare'],
  ['express-otel', 'express-bare'],
  ['fastify-bare', 'fastify-bare'],
  ['fastify-tracewire', 'fastify-bare'],
  ['fastify-logger', 'fastify-bare'],
  // diagnostics, only with --only: tracewire's trace handling without the access line
  ['express-trace-only', 'express-bare'],
  ['express-tracewire-pino-only', 'express-bare'],
  ['express-tracewire-nooplog-only', 'express-bare'],
  ['express-als-only', 'express-bare'],
  ['fastify-trace-only', 'fastify-bare'],
  ['fastify-als-only', 'fastify-bare'],
  ['fastify-header-only', 'fastify-bare'],
  ['fastify-tracewire-nooplog-only', 'fastify-bare'],
  ['fastify-tracewire-nullstream-only', 'fastify-bare'],
].filter(([v]) => (values.only === undefined ? !v.endsWith('-only') : values.only.split(',').some((o) => v.startsWith(o))))

const dir = mkdtempSync(join(tmpdir(), 'tracewire-bench-http-'))
const serverPath = new URL('./server.mjs', import.meta.url).pathname
// Every request continues a trace, as a service behind another traced service would see it.
const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }

function ask(child, message, key) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m && m[key] !== undefined) {
        child.off('message', on)
        resolve(m[key])
      }
    }
    child.on('message', on)
    if (message !== undefined) child.send(message)
  })
}

async function measure(variant) {
  const child = fork(serverPath, [variant, join(dir, `${variant}.log`)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  try {
    const port = await ask(child, undefined, 'port')
    const url = `http://127.0.0.1:${port}/`
    if (warmup > 0) await autocannon({ url, connections, duration: warmup, headers })
    const before = await ask(child, 'cpu', 'cpu')
    const result = await autocannon({ url, connections, duration, headers })
    const after = await ask(child, 'cpu', 'cpu')
    const requests = result.requests.total
    const cpuUs = after.user - before.user + (after.system - before.system)
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${variant}: ${result.non2xx} non-2xx, ${result.errors} errors`)
    return { rps: requests / duration, cpuUsPerReq: cpuUs / requests, sysUsPerReq: (after.system - before.system) / requests }
  } finally {
    child.send('stop')
    await new Promise((r) => child.once('exit', r))
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const samples = new Map(VARIANTS.map(([v]) => [v, []]))
try {
  for (let run = 1; run <= runs; run++) {
    for (const [variant] of VARIANTS) {
      const m = await measure(variant)
      samples.get(variant).push(m)
      console.error(`run ${run}/${runs} ${variant.padEnd(20)} ${m.rps.toFixed(0).padStart(7)} req/s  ${m.cpuUsPerReq.toFixed(1).padStart(6)} µs CPU/req (${m.sysUsPerReq.toFixed(1)} system)`)
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}

console.log(`\nnode ${process.version}, ${duration}s x ${runs} runs per variant, ${connections} connections, loopback, autocannon in the parent process\n`)
console.log('| variant | req/s (median) | ratio to bare (median of runs, min-max) | CPU µs/req | added CPU µs/req |')
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const [variant, baseline] of VARIANTS) {
  const own = samples.get(variant)
  const base = samples.get(baseline)
  const ratios = own.map((m, i) => m.rps / base[i].rps)
  const cpu = median(own.map((m) => m.cpuUsPerReq))
  const added = variant === baseline ? '—' : (cpu - median(base.map((m) => m.cpuUsPerReq))).toFixed(1)
  const ratio = variant === baseline ? '1.00' : `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`
  console.log(`| ${variant} | ${median(own.map((m) => m.rps)).toFixed(0)} | ${ratio} | ${cpu.toFixed(1)} | ${added} |`)
}
