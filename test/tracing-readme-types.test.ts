/**
 * The Express and Fastify examples of the READMEs compile as written, in a new user's project: the
 * packed `@tracewire/tracing` and `@tracewire/logger` installed into an Express-only app (no Fastify)
 * and a Fastify-only app (no Express types), `tsc` with `skipLibCheck: false` under
 * `moduleResolution` `node16` and `bundler`. pnpm installs from its store, the registry only for what it lacks.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tracewire-types-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')

function pnpm(args: string[], cwd: string): string {
  const execPath = process.env.npm_execpath
  if (execPath && /pnpm/.test(execPath)) return execFileSync(process.execPath, [execPath, ...args], { cwd, encoding: 'utf8' })
  return execFileSync('npx', ['--yes', 'pnpm@9.15.9', ...args], { cwd, encoding: 'utf8' })
}

/** The first ```ts block after `heading` in a README. */
function example(readme: string, heading: string): string {
  const text = readFileSync(join(root, readme), 'utf8')
  const at = text.indexOf(heading)
  expect(at, `${readme} has no "${heading}"`).toBeGreaterThanOrEqual(0)
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(at))
  expect(block, `${readme}: no ts block after "${heading}"`).not.toBeNull()
  return (block as RegExpExecArray)[1] as string
}

const tarballs: Record<string, string> = {}

function createApp(name: string, dependencies: string[], files: Record<string, string>): string {
  const app = join(work, name)
  mkdirSync(app)
  const overrides = Object.fromEntries(Object.entries(tarballs).map(([pkg, file]) => [pkg, `file:../${file}`]))
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name, private: true, type: 'module', pnpm: { overrides } }))
  pnpm(['add', ...dependencies, '--prefer-offline', '--config.confirmModulesPurge=false'], app)
  for (const [file, text] of Object.entries(files)) writeFileSync(join(app, file), text)
  return app
}

const resolutions = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
} as const

function compile(app: string, resolution: keyof typeof resolutions): string {
  const tsconfig = {
    compilerOptions: { ...resolutions[resolution], target: 'es2022', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] },
    include: ['*.ts'],
  }
  writeFileSync(join(app, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig))
  try {
    execFileSync(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], { cwd: app, encoding: 'utf8' })
    return ''
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? err)
  }
}

describe('README examples type-check in a new project', () => {
  let expressApp: string
  let fastifyApp: string

  beforeAll(() => {
    for (const pkg of ['contract', 'logger', 'tracing']) {
      expect(existsSync(join(root, 'packages', pkg, 'dist', 'index.d.ts')), `packages/${pkg} is not built: run pnpm build`).toBe(true)
      pnpm(['pack', '--pack-destination', work], join(root, 'packages', pkg))
      const file = readdirSync(work).find((f) => f.startsWith(`tracewire-${pkg}-`))
      tarballs[`@tracewire/${pkg}`] = file as string
    }
    const ours = ['@tracewire/logger', '@tracewire/tracing'].map((p) => `../${tarballs[p]}`)
    expressApp = createApp('express-only', [...ours, '@opentelemetry/api@~1.9.0', 'express@5', '@types/express@5', '@types/node@20'], {
      'readme.ts': example('packages/tracing/README.md', '## Express (4 and 5)'),
      'root-readme.ts': example('README.md', '## 30 seconds'),
      'typed.ts': [
        "import express from 'express'",
        "import '@tracewire/tracing/express'",
        'const app = express()',
        "app.get('/', (req, res) => {",
        '  req.log.debug({ a: 1 }, "debug is there")',
        '  req.log.child({ user: 1 }).info("child too")',
        '  const traceId: string = req.traceContext.traceId',
        '  res.send(traceId)',
        '})',
        '',
      ].join('\n'),
    })
    fastifyApp = createApp('fastify-only', [...ours, '@opentelemetry/api@~1.9.0', 'fastify@5', '@types/node@20'], {
      'readme.ts': example('packages/tracing/README.md', '## Fastify (4 and 5)'),
    })
  }, 240_000)

  it.each(['node16', 'bundler'] as const)('Express-only app (no Fastify installed), %s', (resolution) => {
    expect(existsSync(join(expressApp, 'node_modules', 'fastify'))).toBe(false)
    expect(compile(expressApp, resolution)).toBe('')
  }, 120_000)

  it.each(['node16', 'bundler'] as const)('Fastify-only app (no Express types installed), %s', (resolution) => {
    expect(existsSync(join(fastifyApp, 'node_modules', '@types', 'express'))).toBe(false)
    expect(compile(fastifyApp, resolution)).toBe('')
  }, 120_000)
})
