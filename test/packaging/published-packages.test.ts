import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { entryTargets, packWorkspace, publishedPackageDirs, root, skipUnbuilt, unbuiltOutputs, type Manifest, type PackedPackage } from './pack.js'

// What a maintainer checks before `npm publish`, on the tarballs `pnpm pack` makes: where the package comes
// from, what is in it (and nothing unused), READMEs whose links work from the tarball, and
// @arethetypeswrong/cli's verdict on every entry point under node10, node16 (CJS and ESM) and bundler resolution.

const run = promisify(execFile)
const dirs = publishedPackageDirs()
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest
/** `https://github.com/<owner>/<repo>`, from the root package.json's `repository`. */
const repoWeb = (rootManifest.repository?.url ?? '').replace(/^git\+/, '').replace(/\.git$/, '')

let workDir = ''
let packed = new Map<string, PackedPackage>()

interface AttwReport {
  analysis?: { entrypoints?: Record<string, unknown> }
  problems?: Record<string, unknown[]>
}
const attwReports = new Map<string, Promise<AttwReport>>()

/** @arethetypeswrong/cli's JSON report on a tarball (it exits non-zero when it finds problems; the report says which). */
async function attwReport(tarball: string): Promise<AttwReport> {
  const attw = join(root, 'node_modules', '.bin', 'attw')
  const { stdout } = await run(attw, [tarball, '--format', 'json'], { maxBuffer: 64 * 1024 * 1024 }).catch((err: { stdout?: string }) => ({
    stdout: err.stdout ?? '{}',
  }))
  return JSON.parse(stdout) as AttwReport
}

function pkg(dir: string): PackedPackage {
  const found = packed.get(dir)
  if (!found) throw new Error(`${dir} was not packed`)
  return found
}

describe.skipIf(skipUnbuilt)('published packages (pnpm pack)', () => {
  beforeAll(async () => {
    expect(unbuiltOutputs(), 'run `pnpm build` first').toEqual([])
    workDir = mkdtempSync(join(tmpdir(), 'tracewire-pack-'))
    packed = new Map((await packWorkspace(workDir)).map((p) => [p.dir, p]))
    // attw takes seconds per package; started together here, each test awaits its own report.
    for (const p of packed.values()) attwReports.set(p.dir, attwReport(p.tarball))
    for (const report of attwReports.values()) report.catch(() => undefined)
  }, 120_000)
  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true })
  })

  it('the root package.json declares a GitHub repository for the packages to point at', () => {
    expect(repoWeb).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/)
  })

  describe.each(dirs)('%s', (dir) => {
    it('says what it is and where it comes from (description, keywords, repository with directory, homepage, bugs)', () => {
      const m = pkg(dir).manifest
      expect(m.description?.length ?? 0).toBeGreaterThan(20)
      expect(m.keywords?.length ?? 0).toBeGreaterThan(2)
      expect(m.repository).toEqual({ type: 'git', url: rootManifest.repository?.url, directory: dir })
      expect(m.homepage).toBe(`${repoWeb}/tree/main/${dir}#readme`)
      expect(m.bugs).toEqual({ url: `${repoWeb}/issues` })
    })

    it('ships the Apache-2.0 LICENSE it declares', () => {
      const { manifest, files, unpacked } = pkg(dir)
      expect(manifest.license).toBe('Apache-2.0')
      expect(files).toContain('LICENSE')
      const text = readFileSync(join(unpacked, 'LICENSE'), 'utf8')
      expect(text).toContain('Apache License')
      expect(text).toContain('Version 2.0, January 2004')
    })

    it('depends on sibling packages by their released version, not a workspace: range', () => {
      const { manifest } = pkg(dir)
      const ranges = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies }
      for (const [name, range] of Object.entries(ranges)) {
        expect(range, name).not.toMatch(/^workspace:/)
        const sibling = [...packed.values()].find((p) => p.manifest.name === name)
        if (sibling) expect(range, name).toBe(sibling.manifest.version)
      }
    })

    it('bundles the unpublished workspace packages: no shipped code or type file loads one, no dependency names one', () => {
      const { manifest, files, unpacked } = pkg(dir)
      const unpublished = privateWorkspacePackages()
      expect(unpublished).toContain('@tracewire/internal')
      const ranges = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies }
      expect(Object.keys(ranges).filter((name) => unpublished.includes(name))).toEqual([])
      const loads = files
        .filter((f) => /\.(c?js|d\.c?ts)$/.test(f))
        .flatMap((f) => [...readFileSync(join(unpacked, f), 'utf8').matchAll(BARE_REFERENCE)].map((m) => `${f}: ${m[1] ?? ''}`))
      expect(loads.filter((load) => unpublished.some((name) => load.endsWith(`: ${name}`) || load.includes(`: ${name}/`)))).toEqual([])
    })

    it('declares sideEffects, and every file it names as having side effects is shipped', () => {
      const { manifest, files } = pkg(dir)
      expect(manifest.sideEffects === false || Array.isArray(manifest.sideEffects)).toBe(true)
      if (Array.isArray(manifest.sideEffects)) for (const file of manifest.sideEffects) expect(files).toContain(file.replace(/^\.\//, ''))
    })

    it('ships no build output that no entry point reaches', () => {
      const { manifest, files, unpacked } = pkg(dir)
      const reached = reachableFiles(unpacked, entryTargets(manifest))
      const documents = new Set(['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', ...readmeLinks(unpacked).map((l) => l.split('#')[0] ?? '')])
      expect(files.filter((f) => !reached.has(f) && !documents.has(f))).toEqual([])
    })

    it('ships source maps without embedded sources', () => {
      const { files, unpacked } = pkg(dir)
      const maps = files.filter((f) => f.endsWith('.map'))
      expect(maps.length).toBeGreaterThan(0)
      for (const file of maps) {
        const map = JSON.parse(readFileSync(join(unpacked, file), 'utf8')) as { sourcesContent?: unknown }
        expect(map.sourcesContent, file).toBeUndefined()
      }
    })

    it('has a README whose links all work from the tarball (files in it, headings in it, or this repository on GitHub)', () => {
      const { files, unpacked } = pkg(dir)
      const readme = readFileSync(join(unpacked, 'README.md'), 'utf8')
      const anchors = headingAnchors(readme)
      const dead: string[] = []
      for (const link of readmeLinks(unpacked)) {
        const [path = '', anchor] = link.split('#')
        if (path === '') {
          if (!anchors.has(anchor ?? '')) dead.push(link)
        } else if (!/^[a-z]+:/i.test(path)) {
          if (!files.includes(posix.normalize(path))) dead.push(link)
        }
      }
      for (const url of readme.match(/https:\/\/github\.com\/[^\s)"'>]+/g) ?? []) {
        if (!url.startsWith(`${repoWeb}/`)) continue
        const inRepo = /^\/(?:blob|tree)\/main\/([^#?]+)/.exec(url.slice(repoWeb.length))
        if (inRepo && !existsSync(join(root, inRepo[1] ?? ''))) dead.push(url)
      }
      expect(dead).toEqual([])
    })

    it('passes @arethetypeswrong/cli for every entry point (node10, node16 CJS and ESM, bundler)', async () => {
      const report = await attwReports.get(dir)
      const exported = Object.keys(pkg(dir).manifest.exports ?? {})
      expect(Object.keys(report?.analysis?.entrypoints ?? {}).sort()).toEqual(exported.sort())
      expect(report?.problems).toEqual({})
    }, 60_000)
  })
})

/** Package specifiers a built JS or declaration file loads: imports, re-exports, requires, `import()` types. */
const BARE_REFERENCE = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']((?:@[\w.-]+\/)?[\w.-]+(?:\/[^"']*)?)["']/g

/** Names of the workspace packages under `packages/` that are never published (`private`). */
function privateWorkspacePackages(): string[] {
  return readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name, 'package.json'))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as Manifest)
    .filter((m) => m.private === true)
    .map((m) => m.name)
}

/** Relative specifiers a built JS or declaration file loads: imports, re-exports, requires and its source map. */
const REFERENCE = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']|sourceMappingURL=(\S+)/g

/** Every file reached from `entries` through relative references, package-relative. */
function reachableFiles(unpacked: string, entries: string[]): Set<string> {
  const reached = new Set<string>()
  const queue = [...entries]
  while (queue.length > 0) {
    const file = posix.normalize(queue.pop() ?? '')
    if (reached.has(file) || !existsSync(join(unpacked, file))) continue
    reached.add(file)
    if (file.endsWith('.map')) continue
    for (const match of readFileSync(join(unpacked, file), 'utf8').matchAll(REFERENCE)) {
      const target = match[1] ?? match[2] ?? ''
      const resolved = posix.join(posix.dirname(file), target)
      // A declaration file imports `./types-x.js` and means `./types-x.d.ts` (or `.d.cts`).
      queue.push(resolved, resolved.replace(/\.c?js$/, (ext) => (ext === '.cjs' ? '.d.cts' : '.d.ts')))
    }
  }
  return reached
}

/** Link targets in the package's README: Markdown links and images, and HTML `src`/`href` attributes. */
function readmeLinks(unpacked: string): string[] {
  const readme = readFileSync(join(unpacked, 'README.md'), 'utf8').replace(/```[\s\S]*?```/g, '')
  const markdown = [...readme.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] ?? '')
  const html = [...readme.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '')
  const references = [...readme.matchAll(/^\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1] ?? '')
  return [...markdown, ...html, ...references]
}

/** GitHub's anchors for the README's headings: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchors(readme: string): Set<string> {
  const anchors = new Set<string>()
  for (const m of readme.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const slug = (m[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    let unique = slug
    for (let n = 1; anchors.has(unique); n++) unique = `${slug}-${n}`
    anchors.add(unique)
  }
  return anchors
}
