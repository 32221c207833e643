// Micro-benchmark of the shipper's disk buffer append path (packages/shipper/src/disk-buffer).
//
//   node bench/shipper/disk-buffer.mjs [docs=200000]
//
// Appends `docs` log lines of about 300 bytes, yielding to the event loop every 1 000 lines as a
// logger would, then syncs. Baselines in the same run:
//   - memory: copying each line into an array (what a memory-only buffer pays at least);
//   - raw-write: the same bytes pre-framed and written with one fs.writeSync per 1 MiB, plus one
//     fsync (the disk's own limit, no per-line work at all).
// Prints docs/s, CPU-s per 100k docs and ratios. The disk buffer is internal (not exported by the
// package), so its TypeScript sources are transpiled to a temp dir first.
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const docs = Number(process.argv[2] ?? 200_000)
const here = dirname(fileURLToPath(import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tw-bench-disk-buffer-'))

function transpile() {
  const src = join(here, '../../packages/shipper/src/disk-buffer')
  const out = join(work, 'lib')
  mkdirSync(out)
  for (const f of readdirSync(src).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(src, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    })
    writeFileSync(join(out, f.replace(/\.ts$/, '.js')), outputText)
  }
  // The disk buffer's errors extend the package's ShipperError (src/errors.ts, beside the folder):
  // errors.ts and the modules it imports go to `work/`, which `lib/` sees as `..`.
  const pending = ['errors.ts']
  const done = new Set()
  while (pending.length > 0) {
    const f = pending.pop()
    if (done.has(f)) continue
    done.add(f)
    const text = readFileSync(join(src, '..', f), 'utf8')
    const { outputText } = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
    writeFileSync(join(work, f.replace(/\.ts$/, '.js')), outputText)
    for (const m of text.matchAll(/^import (?!type )[^'"]*from '\.\/([\w-]+)\.js'/gm)) pending.push(`${m[1]}.ts`)
  }
  // Its reports are rate-limited by `@tracewire/internal` (source only, imports nothing): transpiled into a
  // `node_modules` folder the copies resolve the package name from.
  const internalSrc = join(here, '../../packages/internal/src')
  const internalOut = join(work, 'node_modules', '@tracewire', 'internal')
  mkdirSync(internalOut, { recursive: true })
  for (const f of readdirSync(internalSrc).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(internalSrc, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    })
    writeFileSync(join(internalOut, f.replace(/\.ts$/, '.js')), outputText)
  }
  writeFileSync(join(internalOut, 'package.json'), '{"name":"@tracewire/internal","type":"module","exports":"./index.js"}\n')
  writeFileSync(join(work, 'package.json'), '{"type":"module"}\n')
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n')
  return join(out, 'index.js')
}

const { openSegmentLog } = await import(transpile())

const lines = []
for (let i = 0; i < 1000; i++) {
  const msg = `request handled GET /api/v1/orders/${i} status=200 duration_ms=${i % 97}`.padEnd(180, '.')
  lines.push(Buffer.from(`{"time":"2026-11-26T12:00:00.${String(i).padStart(3, '0')}Z","level":"info","service":"bench","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","message":"${msg}"}`))
}
const avgBytes = lines.reduce((s, l) => s + l.length, 0) / lines.length
const ids = Array.from({ length: docs }, (_, i) => `Xk3b9Qz1-${i.toString(36).padStart(8, '0')}`)

async function measure(name, body) {
  globalThis.gc?.()
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await body()
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = process.cpuUsage(cpu0)
  const cpuS = (cpu.user + cpu.system) / 1e6
  return { name, docsPerS: docs / wallS, cpuPer100k: (cpuS * 100_000) / docs, rssMiB: process.memoryUsage().rss / 2 ** 20 }
}

const yieldLoop = () => new Promise((r) => setImmediate(r))

async function round() {
const memory = await measure('memory (array copy)', async () => {
  let held = []
  for (let i = 0; i < docs; i++) {
    held.push({ id: ids[i], line: Buffer.from(lines[i % 1000]) })
    if (i % 1000 === 999) {
      await yieldLoop()
      if (held.length > 50_000) held = []
    }
  }
})

const rawDir = join(work, 'raw')
rmSync(rawDir, { recursive: true, force: true })
mkdirSync(rawDir)
const raw = await measure('raw-write (1 MiB writeSync + fsync)', async () => {
  const fd = openSync(join(rawDir, 'raw.log'), 'a')
  const chunk = Buffer.allocUnsafe(1024 * 1024)
  let used = 0
  for (let i = 0; i < docs; i++) {
    const line = lines[i % 1000]
    const need = 14 + ids[i].length + line.length
    if (used + need > chunk.length) {
      writeSync(fd, chunk, 0, used)
      used = 0
    }
    used += 14 + chunk.write(ids[i], used + 14, 'latin1')
    used += line.copy(chunk, used)
    if (i % 1000 === 999) await yieldLoop()
  }
  writeSync(fd, chunk, 0, used)
  fsyncSync(fd)
  closeSync(fd)
})

const runs = []
const refused = new Map()
for (const fsyncIntervalMs of [1000, 0]) {
  const dir = join(work, `spool-${fsyncIntervalMs}`)
  rmSync(dir, { recursive: true, force: true })
  runs.push(
    await measure(`segment log (fsyncIntervalMs ${fsyncIntervalMs})`, async () => {
      const log = await openSegmentLog({ dir, maxDiskBytes: 1024 ** 3, fsyncIntervalMs })
      let memoryOnly = 0
      for (let i = 0; i < docs; i++) {
        // undefined = kept in memory only (the disk fell more than the pending bound behind).
        if (log.append({ id: ids[i], line: lines[i % 1000] }) === undefined) memoryOnly++
        if (i % 1000 === 999) await yieldLoop()
      }
      await log.sync()
      await log.close()
      refused.set(fsyncIntervalMs, memoryOnly)
    }),
  )
}

return { memory, raw, runs, refused }
}

// The first round warms up the JIT and the file system; only the second is printed.
let result
try {
  await round()
  result = await round()
} finally {
  rmSync(work, { recursive: true, force: true })
}
const { memory, raw, runs, refused } = result
console.log(`disk buffer append: ${docs} docs of ~${Math.round(avgBytes)} bytes, node ${process.version}`)
console.log('| case | docs/s | CPU-s per 100k docs | RSS MiB | docs/s vs raw-write |')
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const r of [memory, raw, ...runs]) {
  console.log(`| ${r.name} | ${Math.round(r.docsPerS).toLocaleString('en')} | ${r.cpuPer100k.toFixed(3)} | ${r.rssMiB.toFixed(0)} | ${(r.docsPerS / raw.docsPerS).toFixed(2)}x |`)
}
for (const [ms, n] of refused) console.log(`fsyncIntervalMs ${ms}: ${n} appends refused (memory-only) because writes fell behind`)
