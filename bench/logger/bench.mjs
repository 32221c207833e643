// Per-call cost of @tracewire/logger against plain pino, in one process run, same destination.
//
// Run: pnpm --filter @tracewire/logger build && node bench/logger/bench.mjs
// pino writes through pino.destination (sonic-boom, asynchronous) to /dev/null; tracewire writes to the
// same /dev/null through its `file` destination (batched O_APPEND writes). Calls run in batches of 2,000;
// each batch is timed until the next turn of the event loop, so deferred write work is included. Within a
// round the contenders take turns batch by batch (they share the machine's load); the table shows the
// median round, and the ratio is the median of the per-round ratios.
// The second half repeats everything with a stream that discards the line: the cost of the logger alone.
// Then the seven call shapes of issue 12 (shapes.mjs), plain pino against tracewire to /dev/null, with the
// CPU time of each batch beside its wall time: `BENCH_ONLY=shapes` runs only that table.
// The last table is one call at a time with oversized inputs (a line is capped at 64 KiB, so the cost
// should follow the cap, not the input): `BENCH_ONLY=oversized` runs only that table.
// `BENCH_ONLY=per-call` runs only the first tables.
import os from 'node:os'
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import pino from 'pino'
import { createLogger } from '@tracewire/logger'
import { extraShapes, shapes } from './shapes.mjs'

const BATCH = 2_000
const BATCHES = Number(process.env.BENCH_BATCHES ?? 25)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)
const DEST = '/dev/null'

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }
const spanCtx = trace.setSpanContext(context.active(), spanContext)

// Plain pino writing the same constant fields (service, host, pid) to the same kind of destination.
const plain = pino({ base: { service: 'orders', host: os.hostname(), pid: process.pid } }, pino.destination({ dest: DEST, sync: false }))
// The "straightforward" alternative from the issue: a pino mixin reading the OpenTelemetry span per call.
function traceMixin() {
  const sc = trace.getSpanContext(context.active())
  return sc ? { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: `0${sc.traceFlags.toString(16)}` } : {}
}
const mixin = pino({ base: { service: 'orders', host: os.hostname(), pid: process.pid }, mixin: traceMixin }, pino.destination({ dest: DEST, sync: false }))
const tracewire = createLogger({ service: 'orders', file: DEST, handleExit: false })

// The same three loggers writing to a stream that discards: the cost of the logger alone.
const discard = { write() {} }
const plainOnly = pino({ base: { service: 'orders', host: os.hostname(), pid: process.pid } }, discard)
const mixinOnly = pino({ base: { service: 'orders', host: os.hostname(), pid: process.pid }, mixin: traceMixin }, discard)
const tracewireOnly = createLogger({ service: 'orders', stream: discard, handleExit: false })

const fields = { user: { id: 42, name: 'ada' }, order: 'o-123', amount: 12.5 }
const workloads = {
  'info(msg)': (l) => l.info('order accepted'),
  'info(fields, msg)': (l) => l.info(fields, 'order accepted'),
}
const setups = {
  '/dev/null': { 'pino': plain, 'pino+mixin': mixin, 'tracewire': tracewire },
  'discard': { 'pino': plainOnly, 'pino+mixin': mixinOnly, 'tracewire': tracewireOnly },
}

const tick = () => new Promise((resolve) => setImmediate(resolve))
const cpuNs = (usage) => (usage.user + usage.system) * 1e3

// One round: every contender runs the same number of batches, interleaved batch by batch so that they
// share whatever else the machine is doing; returns ns/call per contender.
async function round(contenders, work, inSpan) {
  const names = Object.keys(contenders)
  const ns = Object.fromEntries(names.map((n) => [n, 0n]))
  for (let b = 0; b < BATCHES; b++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(b + k) % names.length]
      const logger = contenders[name]
      const run = () => {
        for (let i = 0; i < BATCH; i++) work(logger)
      }
      // Timed up to the next turn of the event loop, so work a logger defers to it (tracewire's batched
      // file write, sonic-boom's write completion) is counted too.
      const start = process.hrtime.bigint()
      if (inSpan) context.with(spanCtx, run)
      else run()
      await tick()
      ns[name] += process.hrtime.bigint() - start
    }
  }
  return Object.fromEntries(names.map((n) => [n, Number(ns[n]) / (BATCH * BATCHES)]))
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const only = process.env.BENCH_ONLY
const rows = []
if (only === undefined || only === 'per-call') for (const [destName, contenders] of Object.entries(setups)) for (const [workName, work] of Object.entries(workloads)) {
  for (const inSpan of [false, true]) {
    await round(contenders, work, inSpan) // warm-up
    const rounds = []
    for (let r = 0; r < ROUNDS; r++) rounds.push(await round(contenders, work, inSpan))
    for (const name of Object.keys(contenders)) {
      const ns = median(rounds.map((x) => x[name]))
      // The ratio is the median of per-round ratios: each round's contenders ran under the same load.
      const ratio = median(rounds.map((x) => x[name] / x.pino))
      rows.push({ dest: destName, workload: workName, span: inSpan ? 'active' : 'none', logger: name, 'ns/call': ns.toFixed(0), 'ops/s': Math.round(1e9 / ns).toLocaleString('en-US'), 'x pino': ratio.toFixed(2) })
    }
  }
}

if (rows.length > 0) {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${BATCHES * BATCH} calls x ${ROUNDS} rounds per cell, median round`)
  console.log('| destination | workload | span | logger | ns/call | ops/s | x pino |')
  console.log('|---|---|---|---|---:|---:|---:|')
  for (const r of rows) console.log(`| ${r.dest} | ${r.workload} | ${r.span} | ${r.logger} | ${r['ns/call']} | ${r['ops/s']} | ${r['x pino']} |`)
}

// The seven call shapes (issue 12 item 5): pino and tracewire writing to /dev/null, interleaved batch by
// batch as above, each batch measured twice: wall time up to the next turn of the event loop, and the
// process's CPU time over the same span (process.cpuUsage counts every thread, so sonic-boom's writes on
// libuv's pool and tracewire's batched write are both in it). CPU time is what a loaded machine does not
// inflate: the time the process is kept off the CPU is not counted. Per shape the ratio is the median of the
// per-round ratios; the last row is the geometric mean of the seven ratios.
async function shapeRound(contenders, work) {
  const names = Object.keys(contenders)
  const wall = Object.fromEntries(names.map((n) => [n, 0]))
  const cpu = Object.fromEntries(names.map((n) => [n, 0]))
  for (let b = 0; b < BATCHES; b++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(b + k) % names.length]
      const logger = contenders[name]
      const cpuStart = process.cpuUsage()
      const start = process.hrtime.bigint()
      for (let i = 0; i < BATCH; i++) work(logger)
      await tick()
      wall[name] += Number(process.hrtime.bigint() - start)
      cpu[name] += cpuNs(process.cpuUsage(cpuStart))
    }
  }
  const per = BATCH * BATCHES
  return Object.fromEntries(names.map((n) => [n, { wall: wall[n] / per, cpu: cpu[n] / per }]))
}

if (only === undefined || only === 'shapes') {
  // BENCH_SHAPES_TO=discard: the same shapes to the discarding stream, i.e. the loggers without their writers.
  const toDiscard = process.env.BENCH_SHAPES_TO === 'discard'
  const contenders = toDiscard ? { pino: plainOnly, tracewire: tracewireOnly } : { pino: plain, tracewire }
  const table = []
  const ratios = { cpu: [], wall: [] }
  const picked = process.env.BENCH_SHAPES?.split(',') // e.g. BENCH_SHAPES='error object,nested object'
  const extras = []
  for (const [name, work] of [...Object.entries(shapes), ...Object.entries(extraShapes)]) {
    if (picked !== undefined && !picked.includes(name)) continue
    await shapeRound(contenders, work) // warm-up
    const rounds = []
    for (let r = 0; r < ROUNDS; r++) rounds.push(await shapeRound(contenders, work))
    const ns = (who, what) => median(rounds.map((x) => x[who][what])).toFixed(0)
    const ratio = (what) => median(rounds.map((x) => x.tracewire[what] / x.pino[what]))
    const cpuRatio = ratio('cpu')
    const wallRatio = ratio('wall')
    const row = `| ${name} | ${ns('pino', 'cpu')} | ${ns('tracewire', 'cpu')} | ${cpuRatio.toFixed(2)} | ${ns('pino', 'wall')} | ${ns('tracewire', 'wall')} | ${wallRatio.toFixed(2)} |`
    if (name in extraShapes) {
      extras.push(row)
      continue
    }
    ratios.cpu.push(cpuRatio)
    ratios.wall.push(wallRatio)
    table.push(row)
  }
  const geomean = (xs) => Math.exp(xs.reduce((sum, x) => sum + Math.log(x), 0) / xs.length)
  table.push(`| **geometric mean** | | | **${geomean(ratios.cpu).toFixed(2)}** | | | **${geomean(ratios.wall).toFixed(2)}** |`)
  console.log(`\nnode ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at the end, ${BATCHES * BATCH} calls x ${ROUNDS} rounds per shape, to ${toDiscard ? 'a discarding stream' : '/dev/null'}`)
  console.log('| call shape | pino CPU ns/call | tracewire CPU ns/call | x pino (CPU) | pino wall ns/call | tracewire wall ns/call | x pino (wall) |')
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  for (const row of [...table, ...extras]) console.log(row)
}

// Oversized inputs, one call at a time (issue 12 item 6), pino and tracewire alternating, both writing to
// /dev/null as above. Three figures per call: the synchronous call's wall time and its CPU time (what blocks
// the caller; CPU time does not count the time a loaded machine takes the process off the CPU), and the wall
// time up to the next turn of the event loop (deferred write work included). Median of the repeats after a
// warm-up round; the max shows the worst single call's wall time (GC pauses and descheduling land there).
const OVERSIZED_REPEATS = Number(process.env.BENCH_OVERSIZED_REPEATS ?? 15)
const tenMbString = 's'.repeat(10 * 1024 * 1024)
const twoMbMessage = 'm'.repeat(2 * 1024 * 1024)
const hundredKArray = Array.from({ length: 100_000 }, (_, i) => i)
const tenThousandKeys = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`key${String(i).padStart(5, '0')}`, 'v'.repeat(90)]))
const oversized = {
  'object of 10,000 keys x ~100 B (1 MB)': (l) => l.info(tenThousandKeys, 'big object'),
  '10 MB string field': (l) => l.info({ s: tenMbString }, 'big string'),
  '2 MB message': (l) => l.info(twoMbMessage),
  '10 MB string + 2 MB message + 100k array': (l) => l.info({ s: tenMbString, a: hundredKArray }, twoMbMessage),
}
if (only === undefined || only === 'oversized') {
  const contenders = { pino: plain, tracewire }
  const table = []
  for (const [name, work] of Object.entries(oversized)) {
    const sync = { pino: [], tracewire: [] }
    const cpu = { pino: [], tracewire: [] }
    const turn = { pino: [], tracewire: [] }
    for (let r = 0; r < OVERSIZED_REPEATS + 1; r++) {
      for (const who of r % 2 === 0 ? ['pino', 'tracewire'] : ['tracewire', 'pino']) {
        const cpuStart = process.cpuUsage()
        const start = process.hrtime.bigint()
        work(contenders[who])
        const called = process.hrtime.bigint()
        const cpuUsed = process.cpuUsage(cpuStart)
        await tick()
        const ended = process.hrtime.bigint()
        if (r > 0) { // the first round warms up
          sync[who].push(Number(called - start) / 1e6)
          cpu[who].push((cpuUsed.user + cpuUsed.system) / 1e3)
          turn[who].push(Number(ended - start) / 1e6)
        }
      }
    }
    const ms = (xs) => median(xs).toFixed(2)
    const ratio = (xs) => (median(xs.tracewire) / median(xs.pino)).toFixed(2)
    table.push(`| ${name} | ${ms(sync.pino)} | ${ms(sync.tracewire)} | ${ratio(sync)} | ${ms(cpu.pino)} | ${ms(cpu.tracewire)} | ${ratio(cpu)} | ${ms(turn.pino)} | ${ms(turn.tracewire)} | ${ratio(turn)} | ${Math.max(...sync.tracewire).toFixed(1)} |`)
  }
  console.log(`\nnode ${process.version}, one call per sample, median of ${OVERSIZED_REPEATS}`)
  console.log('| oversized input (one call) | pino call ms | tracewire call ms | x pino | pino call CPU ms | tracewire call CPU ms | x pino | pino to next turn ms | tracewire to next turn ms | x pino | tracewire worst call ms |')
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const row of table) console.log(row)
}
