import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Each package is consumed from its built `dist/` the way an `npm install` user gets it: through the
// package.json `exports` map, once with `require` (CJS) and once with `import` (ESM). The root test
// command builds the packages before this runs.
const testDir = dirname(fileURLToPath(import.meta.url))

const entryPoints: Array<{ specifier: string; exports: string[] }> = [
  { specifier: '@tracewire/contract', exports: ['lineFields', 'leadingKeys', 'isValidServiceName', 'createIndexNamer', 'indexMappings'] },
  { specifier: '@tracewire/logger', exports: ['createLogger'] },
  { specifier: '@tracewire/tracing', exports: ['parseTraceparent', 'formatTraceparent', 'expressMiddleware', 'fastifyPlugin', 'propagateOutgoing', 'getTraceContext', 'withTraceContext'] },
  { specifier: '@tracewire/tracing/express', exports: ['expressMiddleware', 'expressErrorLogger'] },
  { specifier: '@tracewire/tracing/fastify', exports: ['fastifyPlugin'] },
  { specifier: '@tracewire/shipper', exports: ['createShipper', 'ensureIndexTemplate', 'createSearchConnection', 'redactText'] },
  { specifier: '@tracewire/shipper/transport', exports: ['default'] },
  { specifier: '@tracewire/cli', exports: ['runCli', 'CliError', 'EXIT'] },
]

const packages = ['contract', 'logger', 'tracing', 'shipper', 'cli']

/** Compares two `>=x.y.z` floors (a `||` range counts by its lowest branch): negative when `a` is lower. */
function compareFloor(a: string, b: string): number {
  const version = (range: string): number[] => {
    const m = /(\d+)\.(\d+)\.(\d+)/.exec(range.split('||')[0] ?? '')
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0]
  }
  const [x, y] = [version(a), version(b)]
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number)
  return 0
}

function exportedNames(kind: 'require' | 'import', specifier: string): string[] {
  const script =
    kind === 'require'
      ? `process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)}))))`
      : `import(${JSON.stringify(specifier)}).then((m) => process.stdout.write(JSON.stringify(Object.keys(m))))`
  const args = kind === 'require' ? ['-e', script] : ['--input-type=module', '-e', script]
  return JSON.parse(execFileSync(process.execPath, args, { cwd: testDir, encoding: 'utf8' })) as string[]
}

describe.each(entryPoints)('$specifier from its built package', ({ specifier, exports }) => {
  it.each(['require', 'import'] as const)('loads with %s and has its public exports', (kind) => {
    const names = exportedNames(kind, specifier)
    for (const name of exports) expect(names).toContain(name)
  })
})

describe.each(packages)('@tracewire/%s package.json', (name) => {
  const dir = join(testDir, '..', 'packages', name)
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: Record<string, string | Record<string, Record<string, string>>>
    bin?: Record<string, string>
  }
  it('points every export condition (types included) at a built file', () => {
    const files = Object.values(manifest.exports).flatMap((entry) =>
      typeof entry === 'string' ? [entry] : Object.values(entry).flatMap((condition) => Object.values(condition)),
    )
    expect(files.filter((f) => f.endsWith('.d.ts') || f.endsWith('.d.cts')).length).toBeGreaterThan(0)
    for (const file of files) expect(existsSync(join(dir, file)), `${name}: ${file}`).toBe(true)
  })
  it('declares the Node version its dependencies need (undici 7: >=20.18.1)', () => {
    const engines = (manifest as { engines?: { node?: string } }).engines?.node
    expect(engines).toBe('>=20.18.1')
    const deps = Object.keys((manifest as { dependencies?: Record<string, string> }).dependencies ?? {})
    for (const dep of deps.filter((d) => !d.startsWith('@tracewire/'))) {
      const floor = (JSON.parse(readFileSync(join(dir, 'node_modules', dep, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node
      // Every floor a dependency states is a ">=x.y.z" no higher than ours.
      if (floor !== undefined) expect(compareFloor(floor, engines as string), `${dep} needs ${floor}`).toBeLessThanOrEqual(0)
    }
  })

  it('lists its bin files in "files", and only @tracewire/cli has a bin', () => {
    expect(Object.keys(manifest.bin ?? {})).toEqual(name === 'cli' ? ['tracewire'] : [])
    for (const file of Object.values(manifest.bin ?? {})) expect(existsSync(join(dir, file))).toBe(true)
  })
})

describe('@tracewire/cli bin', () => {
  it('is linked as `tracewire` and prints the package version', () => {
    const bin = join(testDir, 'node_modules', '.bin', 'tracewire')
    const version = execFileSync(bin, ['--version'], { encoding: 'utf8' })
    const { version: expected } = JSON.parse(execFileSync(process.execPath, ['-p', 'JSON.stringify(require("@tracewire/cli/package.json"))'], { cwd: testDir, encoding: 'utf8' })) as { version: string }
    expect(version).toBe(`${expected}\n`)
  })
})
