/**
 * Recovery: finds the segments an earlier run left in the directory and replays their records
 * through a {@link SegmentScanner} each, oldest segment first. A segment is counted entry by
 * entry as it is read, so it is deleted only once every entry read from it is acknowledged.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { newSegment, type Segment } from './segment.js'
import { SegmentScanner } from './segment-scanner.js'
import type { RecoveredEntry, SegmentLogReport } from './types.js'

const SEGMENT_FILE = /^seg-(\d+)\.log$/

/** The segment files in `dir`, oldest first, as recovered segments. */
export async function findLeftSegments(dir: string): Promise<Segment[]> {
  const found: Segment[] = []
  for (const name of await readdir(dir)) {
    const m = SEGMENT_FILE.exec(name)
    if (!m) continue
    const st = await stat(join(dir, name)).catch(() => undefined)
    if (!st?.isFile()) continue
    // Keep the name we found (it may not be zero-padded like ours).
    found.push(newSegment(dir, Number(m[1]), true, st.size, join(dir, name)))
  }
  return found.sort((a, b) => a.n - b.n)
}

/** What the replay needs from the log it belongs to. */
export interface RecoveryHost {
  /** The log is closed: stop reading. */
  closed(): boolean
  /** A segment is read to its end: it may be deleted once every entry is acknowledged. */
  scanned(seg: Segment): void
  /** A read failed: the rest of the segment is skipped. */
  readFailed(err: unknown, message: string): void
  emit(report: SegmentLogReport): void
}

/** Reads the recovered segments in order, a chunk at a time. */
export class SegmentRecovery {
  private readonly queue: Segment[]

  constructor(
    segments: Segment[],
    private readonly host: RecoveryHost,
  ) {
    this.queue = [...segments]
  }

  /** Up to about `maxBytes` of recovered records, each with the ticket (segment number) to ack it by. */
  async read(maxBytes: number): Promise<Array<RecoveredEntry>> {
    const out: Array<RecoveredEntry> = []
    let bytes = 0
    while (!this.host.closed() && this.queue.length > 0) {
      const seg = this.queue[0]!
      let rec
      if (!seg.deleted && !seg.scanDone) {
        seg.scanner ??= new SegmentScanner(seg.path, seg.writtenBytes)
        try {
          rec = await seg.scanner.next(maxBytes - bytes)
        } catch (err) {
          this.host.readFailed(err, `cannot read recovered segment ${seg.path}: ${(err as Error).message}; the rest of it is skipped`)
        }
      }
      if (rec === undefined) {
        this.queue.shift()
        await this.finishScan(seg)
        continue
      }
      seg.entries++
      out.push({ id: rec.id, line: rec.line, ticket: seg.n })
      bytes += rec.size
      if (bytes >= maxBytes) break
    }
    return out
  }

  private async finishScan(seg: Segment): Promise<void> {
    const scanner = seg.scanner
    seg.scanner = undefined
    seg.scanDone = true
    if (scanner) {
      await scanner.finish()
      if (scanner.lostBytes > 0) {
        this.host.emit({
          kind: 'corrupt-segment',
          file: seg.path,
          lostBytes: scanner.lostBytes,
          message: `skipped ${scanner.lostBytes} corrupt or torn bytes of ${seg.path}; recovered ${seg.entries} entries`,
        })
      }
    }
    this.host.scanned(seg)
  }
}
