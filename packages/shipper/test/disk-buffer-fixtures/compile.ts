import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '../../src/disk-buffer')

/**
 * Transpiles the disk-buffer sources to plain ESM in `outDir` so a child process (plain `node`,
 * no TypeScript loader on Node 20) can run them. Returns the path of the entry module.
 */
export function transpileDiskBuffer(outDir: string): string {
  mkdirSync(outDir, { recursive: true })
  for (const file of readdirSync(srcDir)) {
    if (!file.endsWith('.ts')) continue
    const { outputText } = ts.transpileModule(readFileSync(join(srcDir, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    })
    writeFileSync(join(outDir, file.replace(/\.ts$/, '.js')), outputText)
  }
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n')
  return join(outDir, 'index.js')
}
