#!/usr/bin/env node
// Runs the whole vitest suite on this machine's Node, then the unit project again on each Node line users run
// (NODE_LINES), and ends with one plain summary line over all runs, `N passed, N failed, N skipped`, which CI
// reads (vitest's own closing lines are coloured and not in that form). Exits non-zero if any run failed.
//
// The other Node binaries come from the npm registry's `node` package through npx (`npx -y node@24`), the only
// source this project installs Node from. TRACEWIRE_TEST_NODE_LINES overrides the list (`""` runs none; `24`
// one line). Arguments are passed to the main run only.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// Node 20 (this machine's, the floor) runs everything; 22 and 24 are the lines users run in production.
const NODE_LINES = (process.env.TRACEWIRE_TEST_NODE_LINES ?? '22,24').split(',').map((s) => s.trim()).filter(Boolean)

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const vitest = join(dirname(createRequire(join(root, 'package.json')).resolve('vitest/package.json')), 'vitest.mjs')
mkdirSync(join(root, '.tmp'), { recursive: true })

/** Runs vitest with one Node binary; returns its exit status and counts from the JSON report. */
function runVitest(label, nodeBinary, args) {
  const report = join(root, '.tmp', `vitest-report-${label.replace(/[^\w.-]+/g, '-')}.json`)
  rmSync(report, { force: true })
  console.log(`\n== vitest on ${label} ==`)
  const all = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args]
  const { status, error } = spawnSync(nodeBinary, [vitest, ...all], { cwd: root, stdio: 'inherit' })
  if (error) throw error
  if (!existsSync(report)) return { label, status: status || 1, passed: 0, failed: 0, skipped: 0 }
  const r = JSON.parse(readFileSync(report, 'utf8'))
  const counts = { passed: r.numPassedTests, failed: r.numFailedTests, skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0) }
  // A run that executed nothing is a broken run, not a green one.
  return { label, status: counts.passed === 0 ? status || 1 : (status ?? 1), ...counts }
}

/** The path of a Node binary of `line` from the npm registry's `node` package (cached by npx after the first run). */
function nodeBinaryOf(line) {
  const probe = spawnSync('npx', ['--yes', `node@${line}`, '-p', 'process.execPath'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, npm_config_yes: 'true' },
  })
  if (probe.status !== 0) throw new Error(`could not install Node ${line} from the npm registry: ${probe.stderr.trim()}`)
  return probe.stdout.trim().split('\n').pop()
}

const runs = [runVitest(`node ${process.version}`, process.execPath, process.argv.slice(2))]
for (const line of NODE_LINES) {
  const binary = nodeBinaryOf(line)
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim()
  runs.push(runVitest(`node ${version}`, binary, ['--project', 'unit']))
}

console.log('')
for (const r of runs) console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (exit ${r.status})`)
const total = runs.reduce((t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }), {
  passed: 0,
  failed: 0,
  skipped: 0,
})
console.log(`\nvitest: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`)
process.exit(runs.find((r) => r.status !== 0)?.status ?? 0)
