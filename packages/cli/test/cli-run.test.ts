import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runCli, USAGE } from '../src/index.js'
import { captureIo } from './cli-fake-server.js'

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

describe('tracewire (no command)', () => {
  it.each(['--version', '-v', 'version'])('%s prints the version of @tracewire/cli and exits 0', async (flag) => {
    const io = captureIo()
    expect(await runCli([flag], io)).toBe(0)
    expect(io.out).toBe(`${packageJson.version}\n`)
    expect(io.err).toBe('')
  })

  it('--help lists both commands and --version', async () => {
    const io = captureIo()
    expect(await runCli(['--help'], io)).toBe(0)
    expect(io.out).toBe(USAGE)
    expect(USAGE).toMatch(/trace <trace_id>/)
    expect(USAGE).toMatch(/setup/)
    expect(USAGE).toMatch(/--version/)
  })
})
