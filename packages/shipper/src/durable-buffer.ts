/**
 * Wires the durable segment log and the dead-letter file (both in `./disk-buffer`) to the shipper.
 * Opening is asynchronous; the shipper accepts lines meanwhile and appends them once the log is open.
 */
import type { DeadLetterFile, SegmentLog, SegmentLogReport } from './disk-buffer/index.js'
import { openDeadLetterFile, openSegmentLog } from './disk-buffer/index.js'
import type { ResolvedOptions } from './options.js'
import { writeStderr } from './stderr.js'

/** What the shipper holds on disk: the replay log and the dead-letter sink, each optional. */
export interface DurableBuffer {
  log: SegmentLog | undefined
  deadLetters: DeadLetterFile | undefined
  close(): Promise<void>
}

/** Opens what `bufferDir` / `deadLetterDir` ask for. Rejects when the buffer directory cannot be used. */
export async function openDurableBuffer(opts: ResolvedOptions, onReport: (report: SegmentLogReport) => void): Promise<DurableBuffer> {
  const report = (r: SegmentLogReport): void => {
    // Disk problems are handled by the buffer (memory-only fallback); they are made visible here.
    writeStderr(`${r.kind}: ${r.message}`)
    onReport(r)
  }
  const log = opts.bufferDir !== false
    ? await openSegmentLog({ dir: opts.bufferDir, maxDiskBytes: opts.maxDiskBytes, fsyncIntervalMs: opts.fsyncIntervalMs, onReport: report })
    : undefined
  const deadLetters = opts.deadLetterDir !== false ? openDeadLetterFile(opts.deadLetterDir, { onReport: report }) : undefined
  return {
    log,
    deadLetters,
    async close() {
      await log?.close()
      await deadLetters?.close()
    },
  }
}
