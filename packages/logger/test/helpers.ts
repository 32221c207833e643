import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { createLogger, type Logger, type LoggerOptions } from '../src/index.js'

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const distEntry = path.join(packageDir, 'dist', 'index.js')

/** A fresh temporary folder, removed by the caller's afterEach/afterAll if wanted. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tw-logger-'))
}

/**
 * Runs `act` against a logger writing to a temporary file, closes it (flushing everything) and returns the
 * raw lines. Exit handlers are off: these tests run inside the vitest worker.
 */
export async function captureLines(options: Partial<LoggerOptions>, act: (logger: Logger) => void | Promise<void>): Promise<string[]> {
  const file = path.join(tempDir(), 'app.log')
  const logger = createLogger({ service: 'orders', handleExit: false, ...options, file })
  await act(logger)
  await logger.close()
  const text = fs.readFileSync(file, 'utf8')
  expect(text.endsWith('\n')).toBe(true)
  return text.slice(0, -1).split('\n')
}

/** Builds the package once if a child-process test needs `dist/` and it is missing (the root test command builds first). */
export function ensureBuilt(): void {
  if (!fs.existsSync(distEntry) || !fs.existsSync(path.join(packageDir, 'dist', 'index.cjs'))) {
    execFileSync('pnpm', ['build'], { cwd: packageDir, stdio: 'ignore' })
  }
}

/** Keys of a JSON object line in the order they appear in the text (JSON.parse would move integer-like keys). */
export function keyOrder(line: string): string[] {
  const keys: string[] = []
  let depth = 0
  let i = 0
  while (i < line.length) {
    const c = line[i]
    if (c === '"') {
      let j = i + 1
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1
      const token = line.slice(i, j + 1)
      if (depth === 1 && line[j + 1] === ':') keys.push(JSON.parse(token) as string)
      i = j + 1
      continue
    }
    if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') depth--
    i++
  }
  return keys
}
