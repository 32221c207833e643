// Issue 9 item 16 / issue 14 item 4: rotation under the real tailer. The stack's own <source> (the reference
// `in_tail`: refresh_interval 5s, default rotate_wait 5s) follows a folder where createLogger rotates by size
// at several write rates and line sizes, and daily across a UTC midnight, all at once; Fluentd prints every
// event to its stdout and we count them. Before rotate.minAgeMs, the fast writer lost thousands of lines: a
// file renamed before in_tail's next refresh was never read at all.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { createLogger } from '@tracewire/logger'
import { stackSource, startFluentd, type RunningFluentd } from '../support/fluentd.js'
import { describePipeline, pollUntil } from '../support/pipeline.js'

interface Scenario {
  service: string
  rotate: { maxBytes: number } | { daily: true }
  /** Lines per 20 ms of wall time (a late timer tick writes what it missed, so the rate holds under load). */
  linesPerTick: number
  padBytes: number
}

// Without pacing the size ones would rotate about every 1.3 s, 2 s and 3 s, and the daily one 5 s after its
// file was created (the clock starts 5 s before UTC midnight).
const SCENARIOS: Scenario[] = [
  { service: 'fast', rotate: { maxBytes: 200 * 1024 }, linesPerTick: 10, padBytes: 200 }, // ~150 KB/s, ~300-byte lines
  { service: 'medium', rotate: { maxBytes: 64 * 1024 }, linesPerTick: 2, padBytes: 500 }, // ~30 KB/s, ~600-byte lines
  { service: 'small', rotate: { maxBytes: 16 * 1024 }, linesPerTick: 1, padBytes: 0 }, // ~5 KB/s, ~110-byte lines
  { service: 'daily', rotate: { daily: true }, linesPerTick: 1, padBytes: 50 },
]
/** Long enough for two paced rotations at the default minimum age (15 s). */
const WRITE_MS = 33_000
/** Rotated files each writer must have left: at 15 s and 30 s by size, once after midnight for `daily`. */
const ROTATED: Record<string, string[]> = {
  fast: ['fast.log.1', 'fast.log.2'],
  medium: ['medium.log.1', 'medium.log.2'],
  small: ['small.log.1', 'small.log.2'],
  daily: ['daily.log.1'],
}

/** Counts a `<time> <tag>: <record>` line of `@type stdout` for our tags, per service and seq. */
function countEvent(counts: Map<string, Map<number, number>>, line: string): void {
  const m = /^\S+ \S+ \S+ fluentdlog\.\S+: (\{.*\})$/.exec(line)
  if (!m?.[1]) return
  const record = JSON.parse(m[1]) as { service: string; seq: number }
  const perService = counts.get(record.service) ?? new Map<number, number>()
  perService.set(record.seq, (perService.get(record.seq) ?? 0) + 1)
  counts.set(record.service, perService)
}

describePipeline('rotation under the real in_tail: every line one event, at several rates and sizes', ({ runner }) => {
  const workDir = mkdtempSync(join(tmpdir(), 'tracewire-rotation-'))
  const logDir = join(workDir, 'log')
  const stateDir = join(workDir, 'state')
  let fluentd: RunningFluentd | undefined
  const written = new Map<string, number>()
  const rotatedFiles = new Map<string, string[]>()
  const counts = new Map<string, Map<number, number>>()

  beforeAll(async () => {
    mkdirSync(logDir, { recursive: true })
    mkdirSync(stateDir, { recursive: true })
    const config = [
      stackSource({ logDir, stateDir }),
      '<match fluentdlog.**>\n  @type stdout\n</match>',
      '<label @FLUENT_LOG>\n  <match **>\n    @type null\n  </match>\n</label>',
    ].join('\n')
    // Fluentd runs first, as a sidecar does: it finds each file only on a refresh (every 5 s).
    fluentd = await startFluentd({ runner, config, workDir })
    fluentd.onLine((line) => countEvent(counts, line))

    // The wall clock (Date) starts 5 s before a UTC midnight and runs at its real pace; the files' ages
    // (performance.now) are real.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true })
    vi.setSystemTime(new Date('2026-11-26T23:59:55.000Z'))
    const loggers = SCENARIOS.map((s) => ({
      scenario: s,
      // The default rotate.minAgeMs: what a user gets without thinking about the tailer.
      logger: createLogger({ service: s.service, file: join(logDir, `${s.service}.log`), rotate: s.rotate, handleExit: false }),
      seq: 0,
    }))
    await new Promise<void>((resolve) => {
      const started = performance.now()
      const timer = setInterval(() => {
        const elapsed = Math.min(performance.now() - started, WRITE_MS)
        for (const w of loggers) {
          const due = Math.floor(elapsed / 20) * w.scenario.linesPerTick
          while (w.seq < due) w.logger.info({ seq: w.seq++, pad: 'x'.repeat(w.scenario.padBytes) }, 'rotation line')
        }
        if (elapsed >= WRITE_MS) {
          clearInterval(timer)
          resolve()
        }
      }, 20)
    })
    vi.useRealTimers()
    await Promise.all(loggers.map((w) => w.logger.close()))
    for (const w of loggers) {
      written.set(w.scenario.service, w.seq)
      rotatedFiles.set(w.scenario.service, readdirSync(logDir).filter((n) => n.startsWith(`${w.scenario.service}.log.`)))
    }
    // The live files are followed already: allow a refresh and a read.
    await pollUntil(
      async () => counts,
      (c) => SCENARIOS.every((s) => (c.get(s.service)?.size ?? 0) >= (written.get(s.service) ?? 0)),
      20_000,
    )
  }, 90_000)

  afterAll(async () => {
    vi.useRealTimers()
    await fluentd?.stop()
    rmSync(workDir, { recursive: true, force: true })
  })

  it.each(SCENARIOS.map((s) => [s.service, s] as const))('%s writer: rotated, and every line is exactly one event', (service, scenario) => {
    const total = written.get(service) ?? 0
    expect(total).toBe((WRITE_MS / 20) * scenario.linesPerTick)
    const seen = counts.get(service) ?? new Map<number, number>()
    const missing = Array.from({ length: total }, (_, seq) => seq).filter((seq) => !seen.has(seq))
    const twice = [...seen].filter(([, n]) => n !== 1).map(([seq]) => seq)
    expect({ missing: missing.length, twice: twice.length, firstMissing: missing.slice(0, 5) }).toEqual({ missing: 0, twice: 0, firstMissing: [] })
    expect(seen.size).toBe(total)
    // Rotation really happened, paced by the default 15 s minimum age, by rename to <name>.log.N.
    expect(rotatedFiles.get(service)?.sort()).toEqual(ROTATED[service])
  })
})
