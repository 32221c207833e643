import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt, packageDir, tempDir } from './helpers.js'

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures')

describe('the built package loads with require and import', () => {
  let app: string
  beforeAll(() => {
    ensureBuilt()
    // An application folder where @tracewire/logger is installed (linked, as a workspace or npm would).
    app = tempDir()
    fs.mkdirSync(path.join(app, 'node_modules', '@tracewire'), { recursive: true })
    fs.symlinkSync(packageDir, path.join(app, 'node_modules', '@tracewire', 'logger'), 'dir')
    for (const name of ['entry.cjs', 'entry.mjs']) fs.copyFileSync(path.join(fixtures, name), path.join(app, name))
  })

  it.each([['entry.cjs', 'require'], ['entry.mjs', 'import']])('%s (%s)', (name, via) => {
    const run = spawnSync(process.execPath, [name], { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const record = JSON.parse(run.stdout) as Record<string, unknown>
    expect(record).toMatchObject({ level: 'info', service: 'orders', message: 'hello', via, markers: 'object', error: 'function' })
  })
})
