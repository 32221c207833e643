import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The subset of a published package.json these tests read. */
export interface Manifest {
  name: string
  version: string
  private?: boolean
  description?: string
  keywords?: string[]
  license?: string
  repository?: { type?: string; url?: string; directory?: string }
  homepage?: string
  bugs?: { url?: string }
  sideEffects?: boolean | string[]
  main?: string
  module?: string
  types?: string
  bin?: Record<string, string>
  exports?: Record<string, unknown>
  typesVersions?: Record<string, Record<string, string[]>>
  files?: string[]
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
  optionalDependencies?: Record<string, string>
}

/** One workspace package as `pnpm pack` publishes it, unpacked so its files can be read. */
export interface PackedPackage {
  /** `packages/<name>`, relative to the repository root. */
  readonly dir: string
  readonly tarball: string
  /** Where the tarball is unpacked (its `package/` folder). */
  readonly unpacked: string
  /** The package.json inside the tarball (after pnpm's `workspace:` rewriting). */
  readonly manifest: Manifest
  /** Every file in the tarball, relative to the package root, `/`-separated. */
  readonly files: string[]
}

function readManifest(file: string): Manifest {
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest
}

/** Every package under `packages/` that is published (not `private`). */
export function publishedPackageDirs(): string[] {
  return readdirSync(join(root, 'packages'))
    .map((name) => `packages/${name}`)
    .filter((dir) => existsSync(join(root, dir, 'package.json')) && readManifest(join(root, dir, 'package.json')).private !== true)
    .sort()
}

/**
 * The build outputs a package's `exports`, `main`, `module`, `types` and `bin` point at that are missing, so a
 * test can tell "not built" apart from "built wrong".
 */
export function missingBuildOutputs(dir: string): string[] {
  const manifest = readManifest(join(root, dir, 'package.json'))
  return entryTargets(manifest).filter((target) => !existsSync(join(root, dir, target)))
}

/** Every file path a manifest names as an entry: main, module, types, bin and every `exports` target. */
export function entryTargets(manifest: Manifest): string[] {
  const targets = new Set<string>()
  const visit = (value: unknown): void => {
    if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''))
    else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) visit(v)
  }
  visit([manifest.main, manifest.module, manifest.types, manifest.bin, manifest.exports])
  return [...targets]
}

function pnpmCommand(): [string, string[]] {
  const pinned = readManifest(join(root, 'package.json')) as Manifest & { packageManager: string }
  return ['npx', ['--yes', pinned.packageManager]]
}

/**
 * Packs every published package with `pnpm pack` (the command a release runs: it rewrites `workspace:`
 * ranges to real versions) into `dest`, and unpacks each tarball beside it.
 */
export async function packWorkspace(dest: string): Promise<PackedPackage[]> {
  const [cmd, prefix] = pnpmCommand()
  return Promise.all(
    publishedPackageDirs().map(async (dir) => {
      const out = join(dest, dir.replace('/', '-'))
      mkdirSync(out, { recursive: true })
      await run(cmd, [...prefix, 'pack', '--pack-destination', out], { cwd: join(root, dir), env: { ...process.env, npm_config_yes: 'true' } })
      const tarball = join(out, readdirSync(out).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz')
      await run('tar', ['xzf', tarball, '-C', out])
      const unpacked = join(out, 'package')
      const { stdout } = await run('tar', ['tzf', tarball])
      const files = stdout
        .split('\n')
        .filter((line) => line.startsWith('package/') && !line.endsWith('/'))
        .map((line) => line.slice('package/'.length))
        .sort()
      return { dir, tarball, unpacked, manifest: readManifest(join(unpacked, 'package.json')), files }
    }),
  )
}

/**
 * Entry files of published packages that are not built yet, as `packages/<name>/<file>`. These tests need the
 * build (`pnpm build`, which the root test command runs first); under `CI=true` a missing build fails them
 * instead of skipping them.
 */
export function unbuiltOutputs(): string[] {
  return publishedPackageDirs().flatMap((dir) => missingBuildOutputs(dir).map((file) => `${dir}/${file}`))
}

/** True when these tests should be skipped: a local run before `pnpm build`. */
export const skipUnbuilt = unbuiltOutputs().length > 0 && process.env.CI !== 'true'
