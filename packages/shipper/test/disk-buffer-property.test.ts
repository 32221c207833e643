import { readdirSync, rmSync, statSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SegmentLog, SegmentLogReport } from '../src/disk-buffer/index.js'
import { crash, makeTemp, open, readAll, rmTemp, segmentBytes, segmentFiles } from './disk-buffer-fixtures/helpers.js'

/*
 * Model-based test of the segment log, after Vector's disk_v2 model tests: random sequences of
 * append / ack / sync / crash / truncate / close against a plain model of what must survive.
 *
 * Invariants checked:
 * - after a crash that follows a sync (or a clean close), the recovered entries are exactly the
 *   model's entries of segments not yet deleted, in order, each once;
 * - after a crash without sync, the recovered entries are an in-order subsequence of the possible
 *   ones (nothing unknown, nothing twice, nothing from a segment deleted before the last sync) and
 *   include every entry that was synced and whose segment was not deleted;
 * - after the last segment is truncated at a random byte, that segment yields a prefix of its
 *   entries and every other segment is exact;
 * - `diskBytes` never exceeds maxDiskBytes, and equals the bytes of the segment files after a sync;
 * - the buffer directory deleted while running: entries from before are no longer required, but
 *   nothing unknown or duplicated comes back, and entries appended after the deletion was noticed
 *   (at the next write + fsync) are recovered like any others; `diskBytes` never undercounts.
 */

const MAX_DISK = 2_000
const SEGMENT_MAX = 300

type Op =
  | { t: 'append'; count: number; pad: number }
  | { t: 'ack'; pick: number; count: number }
  | { t: 'sync' }
  | { t: 'crash' }
  | { t: 'crashNoSync' }
  | { t: 'crashTruncate'; cut: number }
  | { t: 'close' }
  | { t: 'rmDir' }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('append' as const), count: fc.integer({ min: 1, max: 6 }), pad: fc.integer({ min: 0, max: 80 }) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('ack' as const), pick: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 2, arbitrary: fc.constant({ t: 'sync' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'crash' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'crashNoSync' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crashTruncate' as const), cut: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'close' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'rmDir' as const }) },
)

interface ModelEntry {
  id: string
  line: string
  ticket: number
  acked: boolean
  /** Appended before the last sync (or recovered). */
  synced: boolean
  /** Its file may have been deleted with the directory: not required after a restart. */
  uncertain?: boolean
}

class Model {
  entries: ModelEntry[] = []
  sealed = new Set<number>()
  deleted = new Set<number>()
  deletedAtSync = new Set<number>()
  maxTicket = 0

  append(e: ModelEntry): void {
    if (e.ticket > this.maxTicket) {
      for (const t of this.tickets()) if (t < e.ticket) this.seal(t)
      this.maxTicket = e.ticket
    }
    this.entries.push(e)
  }

  ack(e: ModelEntry): void {
    e.acked = true
    this.maybeDelete(e.ticket)
  }

  seal(t: number): void {
    this.sealed.add(t)
    this.maybeDelete(t)
  }

  sync(): void {
    for (const e of this.entries) e.synced = true
    this.deletedAtSync = new Set(this.deleted)
  }

  maybeDelete(t: number): void {
    if (!this.sealed.has(t) || this.deleted.has(t)) return
    if (this.entries.every((e) => e.ticket !== t || e.acked)) this.deleted.add(t)
  }

  tickets(): Set<number> {
    return new Set(this.entries.map((e) => e.ticket))
  }

  live(): ModelEntry[] {
    return this.entries.filter((e) => !this.deleted.has(e.ticket))
  }
}

async function checkDisk(log: SegmentLog, dir: string, dirRemoved: boolean): Promise<void> {
  expect(log.diskBytes).toBeLessThanOrEqual(MAX_DISK)
  // Once the directory was deleted, files that vanished unnoticed may still be counted until
  // their segments are acked: an overcount, never an undercount.
  if (dirRemoved) expect(segmentBytes(dir)).toBeLessThanOrEqual(log.diskBytes)
  else expect(segmentBytes(dir)).toBe(log.diskBytes)
}

function isSubsequence(sub: string[], of: string[]): boolean {
  let i = 0
  for (const x of of) if (i < sub.length && sub[i] === x) i++
  return i === sub.length
}

async function reopen(dir: string): Promise<{ log: SegmentLog; reports: SegmentLogReport[]; recovered: ModelEntry[] }> {
  const { log, reports } = await open(dir, { maxDiskBytes: MAX_DISK, segmentMaxBytes: SEGMENT_MAX })
  expect(log.diskBytes).toBe(segmentBytes(dir))
  const got = await readAll(log, 97)
  const recovered = got.map((g) => ({ id: g.id, line: g.line.toString(), ticket: g.ticket, acked: false, synced: true }))
  // Every line comes back byte for byte with its id.
  for (const r of recovered) expect(r.line).toBe(lineFor(r.id))
  expect(new Set(recovered.map((r) => r.id)).size).toBe(recovered.length)
  return { log, reports, recovered }
}

const padOf = new Map<string, number>()
function lineFor(id: string): string {
  return `{"id":"${id}","pad":"${'p'.repeat(padOf.get(id) ?? 0)}"}`
}

async function run(ops: Op[]): Promise<void> {
  const dir = makeTemp('tw-disk-buffer-prop-')
  let nextId = 0
  try {
    let { log, reports } = await open(dir, { maxDiskBytes: MAX_DISK, segmentMaxBytes: SEGMENT_MAX })
    let model = new Model()
    let dirRemoved = false
    /** Directory deleted and the log has not reported noticing it yet: new entries may vanish too. */
    let removalUnnoticed = false
    const noticed = (): boolean => reports.some((r) => r.kind === 'io-error' && /removed/.test(r.message))
    const restart = async (expectExact: boolean, mustHave?: ModelEntry[], candidates?: ModelEntry[], truncated?: number) => {
      const r = await reopen(dir)
      log = r.log
      reports = r.reports
      const gotIds = r.recovered.map((e) => e.id)
      if (model.entries.some((e) => e.uncertain)) {
        // After a directory deletion: in order, nothing unknown or twice, every certain entry there.
        const live = model.live()
        expect(isSubsequence(gotIds, (candidates ?? live).map((e) => e.id))).toBe(true)
        const got = new Set(gotIds)
        const required = (mustHave ?? live).filter((e) => !e.uncertain && e.ticket !== truncated)
        for (const e of required) expect(got.has(e.id)).toBe(true)
      } else if (truncated !== undefined) {
        const live = model.live()
        const others = live.filter((e) => e.ticket !== truncated).map((e) => e.id)
        expect(r.recovered.filter((e) => e.ticket !== truncated).map((e) => e.id)).toEqual(others)
        const inCut = live.filter((e) => e.ticket === truncated).map((e) => e.id)
        const gotCut = r.recovered.filter((e) => e.ticket === truncated).map((e) => e.id)
        expect(gotCut).toEqual(inCut.slice(0, gotCut.length))
      } else if (expectExact) {
        expect(gotIds).toEqual(model.live().map((e) => e.id))
      } else {
        expect(isSubsequence(gotIds, candidates!.map((e) => e.id))).toBe(true)
        const got = new Set(gotIds)
        for (const e of mustHave!) expect(got.has(e.id)).toBe(true)
      }
      model = new Model()
      dirRemoved = false
      removalUnnoticed = false
      for (const e of r.recovered) {
        model.append(e)
        model.sealed.add(e.ticket)
      }
      model.sync()
    }

    for (const op of ops) {
      switch (op.t) {
        case 'append':
          for (let i = 0; i < op.count; i++) {
            const id = `e${nextId++}`
            padOf.set(id, op.pad)
            const ticket = log.append({ id, line: Buffer.from(lineFor(id)) })
            expect(log.diskBytes).toBeLessThanOrEqual(MAX_DISK)
            if (ticket !== undefined) {
              expect(ticket).toBeGreaterThanOrEqual(model.maxTicket)
              model.append({ id, line: lineFor(id), ticket, acked: false, synced: false, uncertain: removalUnnoticed })
            }
          }
          break
        case 'ack':
          for (let i = 0; i < op.count; i++) {
            const open = model.entries.filter((e) => !e.acked)
            if (open.length === 0) break
            const e = open[op.pick % open.length]!
            log.ack(e.ticket)
            model.ack(e)
          }
          break
        case 'sync':
          await log.sync()
          model.sync()
          if (noticed()) removalUnnoticed = false
          await checkDisk(log, dir, dirRemoved)
          break
        case 'crash':
          await log.sync()
          model.sync()
          await checkDisk(log, dir, dirRemoved)
          await crash(log)
          await restart(true)
          break
        case 'crashNoSync': {
          const candidates = model.entries.filter((e) => !model.deletedAtSync.has(e.ticket))
          const mustHave = model.entries.filter((e) => e.synced && !model.deleted.has(e.ticket))
          await crash(log)
          await restart(false, mustHave, candidates)
          break
        }
        case 'crashTruncate': {
          await log.sync()
          model.sync()
          await crash(log)
          const files = segmentFiles(dir)
          const last = files.at(-1)
          if (last === undefined) {
            await restart(true)
            break
          }
          const path = join(dir, last)
          truncateSync(path, Math.floor(statSync(path).size * op.cut))
          await restart(false, undefined, undefined, Number(/\d+/.exec(last)![0]))
          break
        }
        case 'rmDir': {
          rmSync(dir, { recursive: true, force: true })
          dirRemoved = true
          removalUnnoticed = true
          reports.length = 0
          for (const e of model.entries) e.uncertain = true
          // The deletion is noticed at the next write + fsync; this entry may go down with it.
          const id = `e${nextId++}`
          const ticket = log.append({ id, line: Buffer.from(lineFor(id)) })
          if (ticket !== undefined) model.append({ id, line: lineFor(id), ticket, acked: false, synced: false, uncertain: true })
          await log.sync()
          model.sync()
          if (noticed()) removalUnnoticed = false
          await checkDisk(log, dir, dirRemoved)
          break
        }
        case 'close':
          await log.close()
          for (const t of model.tickets()) model.seal(t)
          model.sync()
          expect(readdirSync(dir).includes('lock')).toBe(false)
          await restart(true)
          break
      }
    }
    await log.close()
    for (const t of model.tickets()) model.seal(t)
    await restart(true)
    await log.close()
  } finally {
    rmTemp(dir)
  }
}

describe('segment log: model-based property test', () => {
  it('conserves every synced, unacknowledged entry across crashes, truncation and restarts; stays within maxDiskBytes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), run), { numRuns: 150 })
  }, 120_000)
})
