import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '../../src/disk-buffer')
const internalDir = join(dirname(fileURLToPath(import.meta.url)), '../../../internal/src')

/**
 * Transpiles the disk-buffer sources to plain ESM in `outDir` so a child process (plain `node`,
 * no TypeScript loader on Node 20) can run them. Returns the path of the entry module.
 */
export function transpileDiskBuffer(outDir: string): string {
  // The disk buffer's errors extend the package's ShipperError: `src/errors.ts` sits beside the
  // folder, so `<outDir>/lib/` mirrors `src/disk-buffer/` and `<outDir>/*.js` mirrors `src/*.ts`.
  const libDir = join(outDir, 'lib')
  mkdirSync(libDir, { recursive: true })
  const transpile = (from: string, to: string): void => {
    const { outputText } = ts.transpileModule(readFileSync(from, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    })
    writeFileSync(to, outputText)
  }
  for (const file of readdirSync(srcDir)) {
    if (file.endsWith('.ts')) transpile(join(srcDir, file), join(libDir, file.replace(/\.ts$/, '.js')))
  }
  // errors.ts and the package modules it imports (redact.ts), followed through their relative imports.
  const pending = ['errors.ts']
  const done = new Set<string>()
  while (pending.length > 0) {
    const file = pending.pop() as string
    if (done.has(file)) continue
    done.add(file)
    const from = join(srcDir, '..', file)
    transpile(from, join(outDir, file.replace(/\.ts$/, '.js')))
    for (const m of readFileSync(from, 'utf8').matchAll(/^import (?!type )[^'"]*from '\.\/([\w-]+)\.js'/gm)) pending.push(`${m[1]}.ts`)
  }
  // The disk buffer rate-limits its reports with `@tracewire/internal` (a source-only workspace package,
  // bundled into the shipper's dist): its files import nothing, so they are transpiled as they are into
  // a `node_modules` folder the copies resolve the package name from.
  const internalOut = join(outDir, 'node_modules', '@tracewire', 'internal')
  mkdirSync(internalOut, { recursive: true })
  for (const file of readdirSync(internalDir)) {
    if (file.endsWith('.ts')) transpile(join(internalDir, file), join(internalOut, file.replace(/\.ts$/, '.js')))
  }
  writeFileSync(join(internalOut, 'package.json'), '{"name":"@tracewire/internal","type":"module","exports":"./index.js"}\n')
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n')
  return join(libDir, 'index.js')
}
