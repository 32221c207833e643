#!/usr/bin/env node
// Runs a pnpm command after installing the workspace, so that `npm test` and `npm run demo` work on a fresh
// machine with only Node and npm. Uses the pnpm version pinned in package.json's `packageManager`: a global
// pnpm of that version if present, otherwise the same version through npx (corepack's signature check fails
// behind registry mirrors, so it is not relied upon).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1]

function run(cmd, args) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, npm_config_yes: 'true' } })
  if (res.error) throw res.error
  return res.status ?? 1
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' })
  if (probe.status === 0 && probe.stdout.trim() === pinned) return ['pnpm', []]
  return ['npx', ['--yes', `pnpm@${pinned}`]]
}

const [cmd, prefix] = pnpmCommand()
const frozen = process.env.CI ? ['--frozen-lockfile'] : []
let status = run(cmd, [...prefix, 'install', ...frozen])
if (status === 0) status = run(cmd, [...prefix, ...process.argv.slice(2)])
process.exit(status)
