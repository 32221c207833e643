// Where each call shape's time goes: one `node --cpu-prof` child process per shape and logger, then the top
// frames by self time, printed as a Markdown table per shape.
//
// Run: pnpm --filter @tracewire/logger build && node bench/logger/profile.mjs
// Env: PROFILE_LOGGERS=tracewire,pino (default tracewire), PROFILE_CALLS (default 100000), PROFILE_TOP
// (default 8), PROFILE_INTERVAL (sampling interval in µs, default 100), PROFILE_SHAPES=comma-separated shape names (default all seven).
// Each child logs the shape PROFILE_CALLS times to /dev/null in batches of 2,000, yielding to the event loop
// between batches as bench.mjs does, so the writes are in the profile. Self time is a proportion of the
// profile's samples (idle excluded), which a loaded machine leaves about the same; the frames are those of
// the built bundle (`packages/logger/dist`), named by function, file and line.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { shapes } from './shapes.mjs'

const BATCH = 2_000
const self = fileURLToPath(import.meta.url)

if (process.argv[2] === '--child') {
  const [, , , shapeName, loggerName] = process.argv
  const work = shapes[shapeName]
  let logger
  if (loggerName === 'pino') {
    const { default: pino } = await import('pino')
    logger = pino({ base: { service: 'orders', host: os.hostname(), pid: process.pid } }, pino.destination({ dest: '/dev/null', sync: false }))
  } else {
    const { createLogger } = await import('@tracewire/logger')
    logger = createLogger({ service: 'orders', file: '/dev/null', handleExit: false })
  }
  const calls = Number(process.env.PROFILE_CALLS ?? 100_000)
  for (let done = 0; done < calls; done += BATCH) {
    for (let i = 0; i < BATCH; i++) work(logger)
    await new Promise((resolve) => setImmediate(resolve))
  }
  if (typeof logger.close === 'function') await logger.close()
  else logger.flush?.()
} else {
  const loggers = (process.env.PROFILE_LOGGERS ?? 'tracewire').split(',')
  const top = Number(process.env.PROFILE_TOP ?? 8)
  const names = process.env.PROFILE_SHAPES?.split(',') ?? Object.keys(shapes)
  console.log(`node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at the start`)
  for (const shapeName of names) {
    for (const loggerName of loggers) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tw-prof-'))
      try {
        const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-interval=${process.env.PROFILE_INTERVAL ?? 100}`, `--cpu-prof-dir=${dir}`, self, '--child', shapeName, loggerName], { stdio: 'inherit' })
        if (run.status !== 0) throw new Error(`profiling ${shapeName} / ${loggerName} failed (${run.status})`)
        const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
        printTop(`${shapeName} — ${loggerName}`, JSON.parse(readFileSync(path.join(dir, file), 'utf8')), top)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  }
}

/**
 * Self samples per frame (function, file, line), idle excluded, as a Markdown table of the top `n`. A native
 * frame without a name (V8 builtins and runtime calls) is named by its caller, e.g. `(native) ← byteLength`.
 */
function printTop(title, profile, n) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parentOf = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, byId.get(node.id))
  const self = new Map()
  let total = 0
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)' || node.hitCount === 0) continue
    const where = url === '' ? '' : ` ${path.basename(url)}:${lineNumber + 1}`
    const caller = parentOf.get(node.id)?.callFrame.functionName
    const name = functionName !== '' ? functionName : `(native) ← ${caller || '(anonymous)'}`
    const key = `${name}${where}`
    self.set(key, (self.get(key) ?? 0) + node.hitCount)
    total += node.hitCount
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, n)
  console.log(`\n${title} (${total} samples)\n| frame | self % |\n|---|---:|`)
  for (const [key, hits] of rows) console.log(`| \`${key}\` | ${((100 * hits) / total).toFixed(1)} |`)
}
