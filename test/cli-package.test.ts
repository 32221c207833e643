/**
 * `@tracewire/cli` installs alone: its packed tarball (plus the contract it depends on) in an empty
 * application gives a working `tracewire` bin, without `@tracewire/shipper` or the logger.
 * pnpm installs offline from its store, so the test needs no network once the workspace is installed.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tracewire-cli-pack-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function pnpm(args: string[], cwd: string): string {
  // Under `pnpm test` / `pnpm vitest`, npm_execpath is the running pnpm; otherwise the pinned one through npx.
  const execPath = process.env.npm_execpath
  if (execPath && /pnpm/.test(execPath)) return execFileSync(process.execPath, [execPath, ...args], { cwd, encoding: 'utf8' })
  return execFileSync('npx', ['--yes', 'pnpm@9.15.9', ...args], { cwd, encoding: 'utf8' })
}

describe('@tracewire/cli from its packed tarball', () => {
  it('installs alone into an empty app and `tracewire --help` / `--version` work', () => {
    for (const pkg of ['cli', 'contract']) {
      // The tarball packs dist/: the root test command builds first; say so instead of skipping.
      expect(existsSync(join(root, 'packages', pkg, 'dist', 'index.js')), `packages/${pkg} is not built: run pnpm build`).toBe(true)
      pnpm(['pack', '--pack-destination', work], join(root, 'packages', pkg))
    }
    const tarballs = readdirSync(work)
    const cli = tarballs.find((f) => f.startsWith('tracewire-cli-'))
    const contract = tarballs.find((f) => f.startsWith('tracewire-contract-'))
    const app = join(work, 'app')
    mkdirSync(app)
    // @tracewire/contract is not published from here: the override points the CLI's dependency at its tarball.
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'empty-app', private: true, pnpm: { overrides: { '@tracewire/contract': `file:../${contract}` } } }))
    pnpm(['add', `../${cli}`, '--offline', '--config.confirmModulesPurge=false'], app)

    const installed = readdirSync(join(app, 'node_modules', '.pnpm'))
    expect(installed.some((d) => d.startsWith('@tracewire+cli'))).toBe(true)
    expect(installed.filter((d) => d.startsWith('@tracewire+')).map((d) => d.split('@')[1])).toEqual(['tracewire+cli', 'tracewire+contract'])
    const bin = join(app, 'node_modules', '.bin', 'tracewire')
    expect(execFileSync(bin, ['--help'], { encoding: 'utf8' })).toMatch(/^Usage: tracewire <command>/)
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toMatch(/^\d+\.\d+\.\d+\n$/)
  }, 120_000)
})
