import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const demoDir = fileURLToPath(new URL('..', import.meta.url))

/** Runs `src/demo.ts` as `npm run demo` does (after the build), in its own log folder; resolves with its output. */
export function runDemo(env: Record<string, string>): Promise<{ code: number | null; stdout: string; logDir: string }> {
  const logDir = mkdtempSync(join(tmpdir(), 'tracewire-demo-'))
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
    cwd: demoDir,
    env: { ...process.env, DEMO_LOG_DIR: logDir, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, logDir })))
}
