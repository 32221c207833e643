// Pins the root vitest.config.ts split: a run that selects only unit files must not run the
// integration global setup (which starts two JVMs). Runs vitest in a child process.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')

it('selecting unit files only does not start the search servers', () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')))
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/support/fault-proxy.test.ts'], {
    cwd: root,
    env: { ...env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  const out = `${r.stdout}${r.stderr}`
  expect(r.status, out).toBe(0)
  expect(out).toMatch(/unit.*fault-proxy\.test\.ts/)
  expect(out).toMatch(/Tests\s+\d+ passed/)
  expect(out).not.toMatch(/search servers|integration/)
})
