import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { packWorkspace, root, skipUnbuilt, unbuiltOutputs, type PackedPackage } from './pack.js'

// A new user's first hour, automated: the packed tarballs installed with npm (not the workspace) into one
// empty app next to express and TypeScript from the npm registry, then used from CommonJS, from ESM and from
// TypeScript under `moduleResolution` node16 and bundler. One app and one `npm install` for every case.

const run = promisify(execFile)
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'

let workDir = ''
let app = ''
let packages: PackedPackage[] = []
/** Every import specifier the packages export (`@tracewire/shipper`, `@tracewire/shipper/transport`, ...). */
let entryPoints: string[] = []

/** The version the workspace itself installed of `name`, seen from `fromDir`, so npm can serve it from its cache. */
function workspaceVersion(name: string, fromDir: string): string {
  const require = createRequire(join(root, fromDir, 'package.json'))
  let dir = dirname(require.resolve(name))
  // Walk up to the package's own package.json (the resolved file may sit in a subfolder like `dist/`).
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string }
      if (manifest.name === name) return manifest.version
    } catch {
      // no package.json at this level
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`cannot find the installed version of ${name} from ${fromDir}`)
    dir = parent
  }
}

/** What the app installs: our tarballs, their required peers, and what a consumer of them brings itself. */
function appDependencies(): Record<string, string> {
  const deps: Record<string, string> = {}
  for (const p of packages) deps[p.manifest.name] = `file:${p.tarball}`
  for (const p of packages) {
    for (const peer of Object.keys(p.manifest.peerDependencies ?? {})) {
      if (p.manifest.peerDependenciesMeta?.[peer]?.optional) continue
      deps[peer] = workspaceVersion(peer, p.dir)
    }
  }
  deps.express = workspaceVersion('express', 'packages/tracing')
  // No Fastify: an Express app must neither load nor type-check anything of it.
  deps['@types/express'] = workspaceTypesVersion('express')
  deps['@types/node'] = workspaceTypesVersion('node')
  deps.typescript = workspaceVersion('typescript', '.')
  return deps
}

/** `@types/<name>` has no entry file to resolve; read its package.json from the workspace directly. */
function workspaceTypesVersion(name: string): string {
  const candidates = [join(root, 'packages/tracing/node_modules/@types', name), join(root, 'node_modules/@types', name)]
  for (const dir of candidates) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
    } catch {
      // not installed here
    }
  }
  throw new Error(`@types/${name} is not installed in the workspace`)
}

function write(file: string, text: string): void {
  mkdirSync(dirname(join(app, file)), { recursive: true })
  writeFileSync(join(app, file), text)
}


describe.skipIf(skipUnbuilt)('the packed tarballs in an npm-installed app', () => {
  beforeAll(async () => {
    expect(unbuiltOutputs(), 'run `pnpm build` first').toEqual([])
    workDir = mkdtempSync(join(tmpdir(), 'tracewire-consumer-'))
    packages = await packWorkspace(join(workDir, 'tarballs'))
    entryPoints = packages.flatMap((p) =>
      Object.keys(p.manifest.exports ?? {})
        .filter((key) => key !== './package.json')
        .map((key) => p.manifest.name + key.slice(1)),
    )
    app = join(workDir, 'app')
    write('package.json', JSON.stringify({ name: 'consumer-app', private: true, type: 'module', dependencies: appDependencies() }, null, 2))
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app, maxBuffer: 16 * 1024 * 1024 })
    writeConsumers()
  }, 300_000)
  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true })
  })

  it('installed our packages from the tarballs, not from the registry (sibling dependencies resolved to them)', () => {
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> }
    for (const p of packages) {
      const copies = Object.entries(lock.packages).filter(([path]) => path.endsWith(`node_modules/${p.manifest.name}`))
      expect(copies.map(([, entry]) => entry.resolved)).toEqual([`file:${relative(app, p.tarball)}`])
    }
  })

  it('a CommonJS app requires every entry point, logs through express middleware to a file with the caller trace id', async () => {
    const { stdout } = await run(process.execPath, ['consumer.cjs', JSON.stringify(entryPoints)], { cwd: app })
    expect(JSON.parse(stdout)).toEqual({ loaded: entryPoints, traceIds: [TRACE_ID, TRACE_ID], messages: ['hello consumer', 'request completed'] })
  })

  it('an ESM app imports every entry point, logs through express middleware to a file with the caller trace id', async () => {
    const { stdout } = await run(process.execPath, ['consumer.mjs', JSON.stringify(entryPoints)], { cwd: app })
    expect(JSON.parse(stdout)).toEqual({ loaded: entryPoints, traceIds: [TRACE_ID, TRACE_ID], messages: ['hello consumer', 'request completed'] })
  })

  it('importing any entry point changes no global state (no globals, no process listeners): sideEffects: false holds', async () => {
    // An entry a package lists in `sideEffects` (`@tracewire/tracing/register`) is imported for its effect.
    const pure = entryPoints.filter((e) => !declaresSideEffects(e))
    const { stdout } = await run(process.execPath, ['side-effects.mjs', JSON.stringify(pure), JSON.stringify(runtimeDependencies())], { cwd: app })
    const { before, after } = JSON.parse(stdout) as { before: unknown; after: unknown }
    expect(after).toEqual(before)
  })

  it.each(['node16', 'bundler'])('TypeScript with moduleResolution %s type-checks a consumer of every entry point but Fastify\'s, with no Fastify installed', async (resolution) => {
    const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc')
    const result = await run(process.execPath, [tsc, '-p', `ts-${resolution}`], { cwd: app }).catch((err: { stdout: string }) => ({ stdout: err.stdout }))
    expect(result.stdout).toBe('')
  }, 60_000)

  it('npx tracewire --version prints the installed CLI version', async () => {
    const cli = packages.find((p) => p.manifest.name === '@tracewire/cli')
    const { stdout } = await run('npx', ['--no-install', 'tracewire', '--version'], { cwd: app })
    expect(stdout).toBe(`${cli?.manifest.version}\n`)
  })
})

/** Whether the entry point's package lists its files in `sideEffects` (an array names the files that have some). */
function declaresSideEffects(entry: string): boolean {
  const p = packages.find((x) => entry === x.manifest.name || entry.startsWith(`${x.manifest.name}/`))
  const sideEffects = p?.manifest.sideEffects
  const sub = entry.slice(p?.manifest.name.length ?? 0)
  return Array.isArray(sideEffects) && sub !== '' && sideEffects.some((f) => typeof f === 'string' && f.startsWith(`./dist${sub}.`))
}

/** The runtime dependencies of our packages, loaded first by the side-effect check: their effects are theirs. */
function runtimeDependencies(): string[] {
  const ours = new Set(packages.map((p) => p.manifest.name))
  const names = packages.flatMap((p) => [
    ...Object.keys(p.manifest.dependencies ?? {}),
    ...Object.keys(p.manifest.peerDependencies ?? {}).filter((peer) => !p.manifest.peerDependenciesMeta?.[peer]?.optional),
  ])
  return [...new Set(names)].filter((name) => !ours.has(name)).sort()
}

function writeConsumers(): void {
  // One scenario, run from both module systems: the packages' own modules are what differ.
  write(
    'scenario.cjs',
    `const { readFileSync, mkdtempSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')

exports.scenario = async function scenario({ createLogger, expressMiddleware, express }) {
  const file = join(mkdtempSync(join(tmpdir(), 'consumer-log-')), 'app.log')
  const logger = createLogger({ service: 'consumer', file, stdout: false })
  const app = express()
  app.use(expressMiddleware({ logger }))
  app.get('/hello', (req, res) => {
    req.log.info('hello consumer')
    res.send('ok')
  })
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/hello', {
    headers: { traceparent: '00-${TRACE_ID}-00f067aa0ba902b7-01' },
  })
  await res.text()
  await new Promise((resolve) => server.close(resolve))
  await logger.close()
  const lines = readFileSync(file, 'utf8').trim().split('\\n').map((l) => JSON.parse(l))
  return { traceIds: lines.map((l) => l.trace_id), messages: lines.map((l) => l.message) }
}
`,
  )
  write(
    'consumer.cjs',
    `const entries = JSON.parse(process.argv[2])
const loaded = entries.filter((s) => Object.keys(require(s)).length > 0)
const { createLogger } = require('@tracewire/logger')
const { expressMiddleware } = require('@tracewire/tracing/express')
const express = require('express')
require('./scenario.cjs').scenario({ createLogger, expressMiddleware, express }).then((r) => {
  process.stdout.write(JSON.stringify({ loaded, ...r }))
})
`,
  )
  write(
    'consumer.mjs',
    `import express from 'express'
import { createLogger } from '@tracewire/logger'
import { expressMiddleware } from '@tracewire/tracing/express'
import { scenario } from './scenario.cjs'

const entries = JSON.parse(process.argv[2])
const loaded = []
for (const s of entries) if (Object.keys(await import(s)).length > 0) loaded.push(s)
const r = await scenario({ createLogger, expressMiddleware, express })
process.stdout.write(JSON.stringify({ loaded, ...r }))
`,
  )
  write(
    'side-effects.mjs',
    `// Global state a module could change on import: globalThis's own keys (symbols too) and process listeners.
const snapshot = () => ({
  globals: Reflect.ownKeys(globalThis).map(String).sort(),
  listeners: process.eventNames().map((e) => String(e) + ':' + process.listenerCount(e)).sort(),
})
const [entries, dependencies] = process.argv.slice(2).map((a) => JSON.parse(a))
for (const d of dependencies) await import(d)
const before = snapshot()
for (const s of entries) await import(s)
process.stdout.write(JSON.stringify({ before, after: snapshot() }))
`,
  )
  // Fastify's entry is typed with Fastify's types and this app has no Fastify (attw checks that entry); every
  // other entry must type-check without it.
  const typedEntries = entryPoints.filter((s) => s !== '@tracewire/tracing/fastify')
  const typed = `import express from 'express'
import { createLogger } from '@tracewire/logger'
import { expressMiddleware } from '@tracewire/tracing/express'
import { createShipper } from '@tracewire/shipper'
import { runCli } from '@tracewire/cli'
${typedEntries.map((s, i) => `import * as entry${i} from '${s}'`).join('\n')}

const logger = createLogger({ service: 'consumer', file: 'app.log' })
logger.info({ order: 1 }, 'typed')
express().use(expressMiddleware({ logger }))
// The types are real, not \`any\`: a wrong option type is an error.
// @ts-expect-error service must be a string
createLogger({ service: 42 })
export const used = [createShipper, runCli, ${typedEntries.map((_, i) => `entry${i}`).join(', ')}]
`
  write('ts-node16/consumer.mts', typed)
  write('ts-node16/consumer.cts', typed)
  write('ts-bundler/consumer.ts', typed)
  const compilerOptions = { strict: true, noEmit: true, skipLibCheck: false, types: ['node'], esModuleInterop: true, target: 'es2022' }
  write('ts-node16/tsconfig.json', JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16' }, include: ['*.mts', '*.cts'] }))
  write('ts-bundler/tsconfig.json', JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'esnext', moduleResolution: 'bundler' }, include: ['*.ts'] }))
}
