#!/usr/bin/env node
// Runs the whole vitest suite and ends with one plain summary line, `N passed, N failed, N skipped`, which
// CI reads (vitest's own closing lines are coloured and not in that form). Exits with vitest's status.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const report = join(root, '.tmp', 'vitest-report.json')
mkdirSync(dirname(report), { recursive: true })
rmSync(report, { force: true })

const vitest = join(dirname(createRequire(join(root, 'package.json')).resolve('vitest/package.json')), 'vitest.mjs')
const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]
const { status, error } = spawnSync(process.execPath, [vitest, ...args], { cwd: root, stdio: 'inherit' })
if (error) throw error

if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'))
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
  console.log(`\nvitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`)
  if (r.numPassedTests === 0) process.exit(status || 1)
}
process.exit(status ?? 1)
