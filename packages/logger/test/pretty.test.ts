// pino-pretty with prettyOptions() and the README's command line shows tracewire lines for people: the message,
// the level, the local time of @timestamp. The real pino-pretty command runs in a child process with a fixed
// time zone, so "local" differs from UTC.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { LoggerConfigError, prettyOptions } from '../src/index.js'
import { captureLines, tempDir } from './helpers.js'

const require = createRequire(import.meta.url)
const prettyBin = path.join(path.dirname(require.resolve('pino-pretty/package.json')), 'bin.js')
// UTC+05:45 all year (no daylight saving): a local time no other zone's offset produces by accident.
const TZ = 'Asia/Kathmandu'
const OFFSET_MS = (5 * 60 + 45) * 60_000

/** Runs the pino-pretty command in `cwd` on `input`, in {@link TZ}, without colours. */
function prettyCommand(input: string, args: string[], cwd = tempDir()): string {
  const run = spawnSync(process.execPath, [prettyBin, '--colorize', 'false', ...args], { cwd, input, encoding: 'utf8', env: { ...process.env, TZ } })
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  return run.stdout
}

/** `HH:MM:ss.l` of an ISO instant in {@link TZ}. */
function kathmanduTime(iso: string): string {
  return new Date(Date.parse(iso) + OFFSET_MS).toISOString().slice(11, 23)
}

/** A .pino-prettyrc in a fresh folder, as the README tells users to write it. */
function rcFolder(options: object): string {
  const dir = tempDir()
  fs.writeFileSync(path.join(dir, '.pino-prettyrc'), JSON.stringify(options))
  return dir
}

describe('pretty output for development (pino-pretty)', () => {
  it.each(['default', 'ecs'] as const)('prettyOptions(%j) as .pino-prettyrc: local time, level, message, no repeated fields', async (schema) => {
    const lines = await captureLines({ schema }, (logger) => {
      logger.info({ user: 'u1' }, 'order placed')
      logger.warn('stock low')
    })
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, string>)
    const out = prettyCommand(`${lines.join('\n')}\n`, [], rcFolder(prettyOptions(schema)))
    expect(out).toBe(
      `[${kathmanduTime(first!['@timestamp']!)}] INFO: order placed\n    user: "u1"\n` +
      `[${kathmanduTime(second!['@timestamp']!)}] WARN: stock low\n`,
    )
  })

  it('the README command line does the same', async () => {
    const [line] = await captureLines({}, (logger) => logger.error({ order: 7 }, 'payment failed'))
    const { '@timestamp': at } = JSON.parse(line!) as Record<string, string>
    const out = prettyCommand(`${line}\n`, ['--messageKey', 'message', '--timestampKey', '@timestamp', '--translateTime', 'SYS:HH:MM:ss.l', '--ignore', 'time,service,host,pid'])
    expect(out).toBe(`[${kathmanduTime(at!)}] ERROR: payment failed\n    order: 7\n`)
  })

  it('pino-pretty without them shows the message in the body and the epoch seconds as a 1970 time (why the preset exists)', async () => {
    const [line] = await captureLines({}, (logger) => logger.info('order placed'))
    const out = prettyCommand(`${line}\n`, ['--translateTime', 'UTC:yyyy'])
    expect(out).toMatch(/^\[1970\] INFO/)
    expect(out).toContain('message: "order placed"')
  })

  it('returns a fresh object and refuses an unknown schema', () => {
    expect(prettyOptions()).not.toBe(prettyOptions())
    expect(prettyOptions('ecs').levelKey).toBe('log\\.level')
    expect(() => prettyOptions('ECS ' as 'ecs')).toThrow(expect.objectContaining({ code: 'TW_LOGGER_INVALID_OPTION', name: LoggerConfigError.name }))
  })
})
