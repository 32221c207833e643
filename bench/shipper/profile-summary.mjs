// Summarises V8 CPU profiles (`node --cpu-prof`) by self time, so before/after comparisons of the shipper
// bench are reproducible and readable in a README.
//
//   node bench/shipper/profile-summary.mjs [--top=25] [--markdown] FILE.cpuprofile...
//
// Per file: total sampled time, the split ours / node:* internals / node_modules / native+GC, and the top
// frames by self time (function, file:line, % of the total). "Ours" is any frame under packages/ that is
// not in node_modules; the bench script itself (bench/) is counted apart, since it is not the shipper.
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { basename, dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25)
const markdown = args.includes('--markdown')
const files = args.filter((a) => !a.startsWith('--'))
if (files.length === 0) {
  process.stderr.write('usage: node bench/shipper/profile-summary.mjs [--top=25] [--markdown] FILE.cpuprofile...\n')
  process.exit(2)
}

function kindOf(url) {
  if (url === '') return 'native'
  if (url.startsWith('node:')) return 'node'
  if (url.includes('/node_modules/')) return 'deps'
  if (url.includes('/packages/')) return 'ours'
  if (url.includes('/bench/')) return 'bench'
  return 'other'
}

function shortUrl(url) {
  if (url === '') return ''
  const m = url.match(/\/(packages\/.*|bench\/.*)$/)
  if (m && !url.includes('/node_modules/')) return m[1]
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) return url.slice(nm + 14)
  return url.replace(/^file:\/\//, '')
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const sourceMaps = new Map()

/** `src/file.ts:line` for a frame in a built file with a source map beside it (the bundles are tsup's). */
function originalPosition(url, lineNumber, columnNumber) {
  if (!url.startsWith('file://')) return undefined
  const path = fileURLToPath(url)
  if (!sourceMaps.has(path)) sourceMaps.set(path, existsSync(`${path}.map`) ? new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))) : undefined)
  const entry = sourceMaps.get(path)?.findEntry(lineNumber, columnNumber)
  if (!entry?.originalSource) return undefined
  const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(path), entry.originalSource)
  return `${relative(repoRoot, source)}:${entry.originalLine + 1}`
}

function summarise(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  // The bench starts the profiler through node:inspector; samples under that call are the profiler's.
  const profilerOwn = new Set()
  const mark = (node, inside) => {
    const own = inside || node.callFrame.url === 'node:inspector'
    if (own) profilerOwn.add(node.id)
    for (const child of node.children ?? []) mark(byId.get(child), own)
  }
  mark(profile.nodes[0], false)
  // Self time per node from the sample stream (timeDeltas[i] is the time before samples[i]).
  const self = new Map()
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0
    if (profilerOwn.has(profile.samples[i])) continue
    total += dt
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt)
  }
  const frames = new Map()
  const kinds = { ours: 0, node: 0, deps: 0, native: 0, bench: 0, other: 0, idle: 0 }
  for (const [id, t] of self) {
    const { functionName, url, lineNumber, columnNumber } = byId.get(id).callFrame
    const name = functionName || '(anonymous)'
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      kinds[name === '(idle)' ? 'idle' : 'native'] += t
    } else {
      kinds[kindOf(url)] += t
    }
    const where = originalPosition(url, lineNumber, columnNumber) ?? `${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`
    const key = `${name}\t${where}\t${kindOf(url)}`
    frames.set(key, (frames.get(key) ?? 0) + t)
  }
  const busy = total - kinds.idle
  const pct = (t) => ((100 * t) / busy).toFixed(1)
  const rows = [...frames].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)
  const out = []
  out.push(`${markdown ? '#### ' : ''}${basename(file)}: ${(busy / 1e6).toFixed(2)} s busy (idle ${(kinds.idle / 1e6).toFixed(2)} s excluded)`)
  out.push('')
  out.push(
    `split of busy time: ours ${pct(kinds.ours)}%, node internals ${pct(kinds.node)}%, dependencies ${pct(kinds.deps)}%, ` +
      `native/GC/program ${pct(kinds.native)}%, bench script ${pct(kinds.bench)}%, other ${pct(kinds.other)}%`,
  )
  out.push('')
  if (markdown) out.push('| self % | function | where | kind |', '| ---: | --- | --- | --- |')
  for (const [key, t] of rows) {
    const [name, where, kind] = key.split('\t')
    out.push(markdown ? `| ${pct(t)} | \`${name}\` | ${where || '(native)'} | ${kind} |` : `${pct(t).padStart(5)}%  ${name.padEnd(34)} ${where || '(native)'}  [${kind}]`)
  }
  out.push('')
  return out.join('\n')
}

for (const file of files) process.stdout.write(`${summarise(file)}\n`)
