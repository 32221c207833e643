import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RecoveredEntry, SegmentLog, SegmentLogOptions, SegmentLogReport, SpoolEntry } from '../../src/disk-buffer/index.js'
import { openSegmentLog } from '../../src/disk-buffer/index.js'
import { afterEach } from 'vitest'

/** A fresh temp directory; remove it with `rmTemp`. */
export function makeTemp(prefix = 'tw-disk-buffer-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function rmTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** Returns a factory of temp directories that are all removed after each test. */
export function useTempDirs(prefix?: string): () => string {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmTemp(d)
  })
  return () => {
    const d = makeTemp(prefix)
    dirs.push(d)
    return d
  }
}

export function entry(i: number, pad = 0): SpoolEntry & { line: Buffer } {
  return { id: `id-${i}`, line: Buffer.from(`{"service":"svc","time":"2026-01-01T00:00:00.000Z","n":${i}${pad ? `,"pad":"${'x'.repeat(pad)}"` : ''}}`) }
}

/** Segment files in `dir`, ascending. */
export function segmentFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter((f) => /^seg-\d+\.log$/.test(f)).sort()
}

export function segmentBytes(dir: string): number {
  return segmentFiles(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0)
}

/** Drains `readRecovered` in small chunks. */
export async function readAll(log: SegmentLog, chunk = 1024): Promise<Array<RecoveredEntry>> {
  const out: Array<RecoveredEntry> = []
  for (;;) {
    const part = await log.readRecovered(chunk)
    if (part.length === 0) return out
    out.push(...part)
  }
}

export async function open(dir: string, extra: Partial<SegmentLogOptions> = {}): Promise<{ log: SegmentLog; reports: SegmentLogReport[] }> {
  const reports: SegmentLogReport[] = []
  const log = await openSegmentLog({
    dir,
    maxDiskBytes: 10 * 1024 * 1024,
    fsyncIntervalMs: 60_000,
    onReport: (r) => reports.push(r),
    ...extra,
  })
  return { log, reports }
}

/** Simulates SIGKILL of the owner of `log` (test hook on the implementation). */
export async function crash(log: SegmentLog): Promise<void> {
  await (log as unknown as { simulateCrash(): Promise<void> }).simulateCrash()
}
