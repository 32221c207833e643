/**
 * One error vocabulary (issue 10 item 6): every code a package's source uses starts with its prefix
 * (`TW_LOGGER_`, `TW_TRACING_`, `TW_SHIPPER_`, `TW_CLI_`) and appears in the package README's table of
 * codes; every error class extends the package's base class, and only the base class extends `Error`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

const packages = [
  { dir: 'logger', prefix: 'TW_LOGGER_', base: 'LoggerError' },
  { dir: 'tracing', prefix: 'TW_TRACING_', base: 'TracingError' },
  { dir: 'shipper', prefix: 'TW_SHIPPER_', base: 'ShipperError' },
  { dir: 'cli', prefix: 'TW_CLI_', base: 'CliError' },
]

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

function sourceFiles(dir: string): { path: string; text: string }[] {
  return sources(join(root, 'packages', dir, 'src')).map((path) => ({ path, text: readFileSync(path, 'utf8') }))
}

// A code is a quoted upper-case identifier beginning with TW_ or TRACEWIRE_ (the old tracing prefix).
function codesIn(files: readonly { text: string }[]): string[] {
  return [...new Set(files.flatMap(({ text }) => [...text.matchAll(/['"`]((?:TW|TRACEWIRE)_[A-Z0-9_]+)['"`]/g)].map((m) => m[1] as string)))]
}

// Every code some package owns (uses under its own prefix): another package may read these, e.g. the CLI
// telling the shipper's TW_SHIPPER_TIMEOUT from its other errors, but never raise a foreign-looking code.
const ownedCodes = new Set(packages.flatMap(({ dir, prefix }) => codesIn(sourceFiles(dir)).filter((code) => code.startsWith(prefix))))

describe.each(packages)('@tracewire/$dir', ({ dir, prefix, base }) => {
  const files = sourceFiles(dir)
  const codes = codesIn(files)
  const own = codes.filter((code) => code.startsWith(prefix))

  it(`uses ${prefix}* codes of its own, and only codes other packages really have`, () => {
    expect(own.length).toBeGreaterThan(0)
    expect(codes.filter((code) => !code.startsWith(prefix) && !ownedCodes.has(code))).toEqual([])
  })

  it('lists every code of its own in its README', () => {
    const readme = readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8')
    expect(own.filter((code) => !readme.includes(`| \`${code}\``))).toEqual([])
  })

  it(`has one base class, ${base}, that every error class extends`, () => {
    const classes = files.flatMap(({ text }) => [...text.matchAll(/class (\w+) extends (\w+)/g)].map((m) => ({ name: m[1], parent: m[2] })))
    const errorClasses = classes.filter((c) => /Error$/.test(c.name ?? ''))
    expect(errorClasses.filter((c) => c.parent === 'Error').map((c) => c.name)).toEqual([base])
    const known = new Set([base])
    // Every other error class reaches the base through classes of the same package.
    for (let changed = true; changed; ) {
      changed = false
      for (const c of errorClasses) if (!known.has(c.name as string) && known.has(c.parent as string)) changed = known.add(c.name as string).size > 0
    }
    expect(errorClasses.map((c) => c.name).filter((name) => !known.has(name as string))).toEqual([])
  })
})
