// The Fastify setup of the tracing README and this example run warning-free on Fastify 4 and 5 (issue 13
// item 8): Fastify 5.12 deprecates the top-level `disableRequestLogging` (FSTDEP023), which 4.x and 5.0 to
// 5.11 still need. Each case runs in a child process with `--throw-deprecation`, which turns Node's
// DeprecationWarnings into a crash; Fastify emits its FSTDEP warnings under the type `FastifyDeprecation`,
// which that flag lets through to stderr, so stderr must also stay empty (it did not with FSTDEP023).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const exampleDir = fileURLToPath(new URL('..', import.meta.url))

function run(mode: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--throw-deprecation', '--import', 'tsx', 'test/fixtures/serve-once.ts', mode], { cwd: exampleDir, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr })
    })
  })
}

function lines(stdout: string): Array<Record<string, unknown>> {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
}

describe('no deprecation warnings with --throw-deprecation', () => {
  it.each([['example'], ['readme-4'], ['readme-5']])('%s: exits 0, nothing on stderr, one line per request', async (mode) => {
    const { code, stdout, stderr } = await run(mode)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const messages = lines(stdout).map((l) => l.message)
    // Fastify's own `incoming request`/`request completed` lines are off: the plugin's access line is the one line.
    expect(messages).not.toContain('incoming request')
    expect(messages.filter((m) => m === 'request completed')).toHaveLength(1)
  })
})
