// startTracing in ES module apps gets the Express spans a CommonJS app gets (child processes: the loader
// hook and the SDK are process-wide, and ESM imports cannot be undone inside one process).
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

interface ExportedSpan { name: string, kind: number, type?: string }

/** Runs a fixture app from the package folder (so `@tracewire/tracing` is the built package) and returns its spans. */
function spansOf(...args: string[]): ExportedSpan[] {
  const run = spawnSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '', NODE_OPTIONS: '' }, timeout: 30_000 })
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  return JSON.parse(run.stdout) as ExportedSpan[]
}

/** The server span and Express's request-handler span: what a traced Express request exports. */
function expectExpressSpans(spans: ExportedSpan[]): void {
  expect(spans).toContainEqual({ name: 'GET /users/:id', kind: 1 })
  expect(spans).toContainEqual({ name: 'request handler', kind: 0, type: 'request_handler' })
}

describe('Express spans in ES module apps, same as CommonJS', { timeout: 60_000 }, () => {
  it('CommonJS app (baseline)', () => {
    expectExpressSpans(spansOf('test/fixtures/cjs-express-app.cjs'))
  })

  it('ESM app with express imported statically, run with --import @tracewire/tracing/register', () => {
    expectExpressSpans(spansOf('--import', '@tracewire/tracing/register', 'test/fixtures/esm-express-app.mjs'))
  })

  it('ESM app importing express after startTracing(): startTracing registers the loader hook itself', () => {
    expectExpressSpans(spansOf('test/fixtures/esm-express-lazy.mjs'))
  })

  it('without the register entry, a statically imported express is not patched (why the README asks for --import)', () => {
    expect(spansOf('test/fixtures/esm-express-app.mjs').some((s) => s.type === 'request_handler')).toBe(false)
  })
})
