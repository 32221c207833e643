// CPU profile of one benchmark server variant under autocannon, summarised as the top frames by self time.
// The server runs with `node --cpu-prof` in a child process (the same server.mjs as run.mjs), the load
// comes from autocannon in this process; the summary groups samples by function + file and says whose code
// each frame is: ours (@tracewire packages), the framework (express, fastify, pino, ...), node's own
// JavaScript (node:*), or native/VM (GC, the idle loop, C++ builtins). Proportions of self time survive a
// loaded machine; absolute figures do not, so only percentages are printed.
//
//   node bench/http/profile.mjs [--duration 5] [--top 25] [--keep dir] variant [variant...]
//   node bench/http/profile.mjs --summarise file.cpuprofile [--requests n] [--top 25]
import { fork } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '25' },
    keep: { type: 'string' },
    summarise: { type: 'string' },
    requests: { type: 'string' },
  },
})
const top = Number(values.top)
const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }

/** Whose code a frame is, from its script URL. */
function ownerOf(url, name) {
  if (url === '') return name.startsWith('(') ? 'vm' : 'native'
  // AsyncLocalStorage's bookkeeping on Node 20 (init hooks, resource propagation), apart from the rest of node
  if (url === 'node:async_hooks' || url === 'node:internal/async_hooks' || url === 'node:internal/async_local_storage/async_hooks') return 'node (async hooks)'
  if (url.startsWith('node:')) return 'node'
  if (/\/packages\/(logger|tracing|contract|shipper)\/dist\//.test(url)) return 'ours'
  const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (m !== null) return m[1]
  return url.includes('/bench/') ? 'bench' : 'other'
}

/** Short file name for a frame: the package-relative path for dependencies, the base name otherwise. */
function fileOf(url) {
  if (url === '') return ''
  const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(.*)$/.exec(url)
  if (m !== null) return m[1]
  const p = /\/packages\/(.*)$/.exec(url)
  if (p !== null) return p[1]
  return url.startsWith('node:') ? url : url.slice(url.lastIndexOf('/') + 1)
}

/**
 * Self time per function + file, and per owner, as a share of all non-idle time and, when the number of
 * requests served is known, in µs per request (the whole profile, startup and warm-up included, divided by
 * every request served: comparable between variants of one run, not an exact cost).
 */
export function summarise(profile, requests) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const counts = new Map()
  // Each sample stands for the time until the next one (timeDeltas[i + 1]).
  profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)))
  const frames = new Map()
  const owners = new Map()
  let total = 0
  for (const [id, n] of counts) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame
    if (functionName === '(idle)') continue
    total += n
    const name = functionName === '' ? `(anonymous:${lineNumber + 1})` : functionName
    const owner = ownerOf(url, name)
    const key = `${name}\t${fileOf(url)}\t${owner}`
    frames.set(key, (frames.get(key) ?? 0) + n)
    owners.set(owner, (owners.get(owner) ?? 0) + n)
  }
  const pct = (n) => ((100 * n) / total).toFixed(1)
  const us = (n) => (requests === undefined ? '' : ` | ${(n / requests).toFixed(2)}`)
  const usHead = requests === undefined ? '' : ' | µs/req'
  const usRule = requests === undefined ? '' : ' | ---:'
  const lines = [`| self %${usHead} | function | file | owner |`, `| ---:${usRule} | --- | --- | --- |`]
  for (const [key, n] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const [name, file, owner] = key.split('\t')
    lines.push(`| ${pct(n)}${us(n)} | ${name} | ${file} | ${owner} |`)
  }
  const ours = [...frames].filter(([key]) => key.endsWith('\tours')).sort((a, b) => b[1] - a[1]).slice(0, 12)
  lines.push('', `| ours: self %${usHead} | function | file |`, `| ---:${usRule} | --- | --- |`)
  for (const [key, n] of ours) {
    const [name, file] = key.split('\t')
    lines.push(`| ${pct(n)}${us(n)} | ${name} | ${file} |`)
  }
  lines.push('', `| owner | self %${usHead} |`, `| --- | ---:${usRule} |`)
  for (const [owner, n] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, 12)) lines.push(`| ${owner} | ${pct(n)}${us(n)} |`)
  return lines.join('\n')
}

async function profileVariant(variant, dir) {
  const serverPath = new URL('./server.mjs', import.meta.url).pathname
  const profDir = join(dir, variant)
  const child = fork(serverPath, [variant, join(dir, `${variant}.log`)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: ['--cpu-prof', '--cpu-prof-dir', profDir],
  })
  const port = await new Promise((resolve) => child.once('message', (m) => resolve(m.port)))
  const url = `http://127.0.0.1:${port}/`
  const warm = await autocannon({ url, connections: Number(values.connections), duration: 1, headers })
  const result = await autocannon({ url, connections: Number(values.connections), duration: Number(values.duration), headers })
  child.send('stop')
  await new Promise((r) => child.once('exit', r))
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))
  return { file: join(profDir, file), rps: result.requests.average, requests: warm.requests.total + result.requests.total }
}

if (values.summarise !== undefined) {
  console.log(summarise(JSON.parse(readFileSync(values.summarise, 'utf8')), values.requests === undefined ? undefined : Number(values.requests)))
} else {
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'tracewire-profile-http-'))
  try {
    for (const variant of positionals) {
      const { file, rps, requests } = await profileVariant(variant, dir)
      console.log(`\n### ${variant} (node ${process.version}, ${values.duration}s, ${rps.toFixed(0)} req/s under the profiler)\n`)
      console.log(summarise(JSON.parse(readFileSync(file, 'utf8')), requests))
    }
  } finally {
    if (values.keep === undefined) rmSync(dir, { recursive: true, force: true })
  }
}
