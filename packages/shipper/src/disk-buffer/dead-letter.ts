import { appendFile, readdir, stat, unlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { RateLimitedReport } from '@tracewire/internal'
import { makeDirectory } from './make-directory.js'
import { safeReporter } from './reporter.js'
import type { DeadLetter } from '../types.js'
import type { DeadLetterFile, DeadLetterFileOptions, SegmentLogReport } from './types.js'

const DEFAULT_MAX_BYTES = 100 * 1024 * 1024
const DEFAULT_REPORT_INTERVAL_MS = 10_000
/**
 * Dead letters waiting for the disk are capped too (a dead disk must not grow memory). One record
 * is always let into an empty queue whatever its size: it is in memory already, and a document is
 * often dead-lettered precisely for being large (over `maxLineBytes`).
 */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024
const DEAD_LETTER_FILE = /^dead-letter-(\d{8})\.ndjson$/

/** `dead-letter-YYYYMMDD.ndjson`, by the UTC date the record was dead-lettered. */
export function deadLetterFileName(date: Date): string {
  return `dead-letter-${date.toISOString().slice(0, 10).replaceAll('-', '')}.ndjson`
}

/**
 * Opens the dead-letter sink: NDJSON lines `{document, index, status, reason, time}` appended to
 * one file per UTC day in `dir` (created if missing).
 *
 * It is a local file on purpose: fluent-plugin-elasticsearch's troubleshooting guide shows error
 * events routed back into the same Elasticsearch being "resubmitted forever"; a file cannot loop.
 * Bounded like Fluent Bit's `storage.rejected.limit`: when the files would exceed `maxBytes`, the
 * oldest earlier day is deleted (log rotation); if today's file alone is full, new records are
 * dropped and counted (`dropped`, and a rate-limited report).
 */
export function openDeadLetterFile(dir: string, options: DeadLetterFileOptions = {}): DeadLetterFile {
  return new NdjsonDeadLetterFile(resolve(dir), options)
}

interface Queued {
  file: string
  text: string
  bytes: number
}

class NdjsonDeadLetterFile implements DeadLetterFile {
  dropped = 0
  private readonly maxBytes: number
  private readonly emit: (r: SegmentLogReport) => void
  private readonly onDrop: ((count: number) => void) | undefined
  private readonly report: RateLimitedReport<SegmentLogReport>
  private queue: Queued[] = []
  private queuedBytes = 0
  /** Sizes of our files on disk, learnt on the first write. */
  private sizes: Map<string, number> | undefined
  private chain: Promise<void> = Promise.resolve()
  private scheduled = false
  private closed = false
  private closing: Promise<void> | undefined
  private lastProblem = ''

  constructor(
    private readonly dir: string,
    options: DeadLetterFileOptions,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
    this.emit = safeReporter(options.onReport)
    this.onDrop = options.onDrop
    this.report = new RateLimitedReport(this.emit, { intervalMs: options.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS })
  }

  write(record: DeadLetter): void {
    const text = `${JSON.stringify({
      document: record.document,
      index: record.index,
      status: record.status,
      reason: record.reason,
      time: record.time,
    })}\n`
    const bytes = Buffer.byteLength(text)
    if (this.closed || (this.queuedBytes > 0 && this.queuedBytes + bytes > MAX_QUEUED_BYTES)) {
      this.drop(1, this.closed ? 'dead-letter file is closed' : 'dead-letter writes are falling behind')
      return
    }
    this.queue.push({ file: deadLetterFileName(new Date()), text, bytes })
    this.queuedBytes += bytes
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => {
        this.chain = this.chain.then(() => this.flush())
      })
    }
  }

  async idle(): Promise<void> {
    // A write queued in this tick is scheduled with setImmediate: let it join the chain first.
    while (this.scheduled || this.queue.length > 0) {
      await new Promise((resolve) => setImmediate(resolve))
      await this.chain
    }
    await this.chain
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true
      await this.chain
      await this.flush()
      this.report.flush(true)
    })()
    return this.closing
  }

  private async flush(): Promise<void> {
    this.scheduled = false
    const batch = this.queue
    this.queue = []
    this.queuedBytes = 0
    if (batch.length === 0) return
    try {
      const sizes = (this.sizes ??= await this.scan())
      const byFile = new Map<string, string[]>()
      let total = [...sizes.values()].reduce((a, b) => a + b, 0)
      for (const q of batch) {
        while (total + q.bytes > this.maxBytes) {
          const oldest = [...sizes.keys()].filter((f) => f < q.file && !byFile.has(f)).sort()[0]
          if (oldest === undefined) break
          await unlink(join(this.dir, oldest)).catch(() => undefined)
          total -= sizes.get(oldest) ?? 0
          sizes.delete(oldest)
        }
        if (total + q.bytes > this.maxBytes) {
          this.drop(1, `dead-letter files reached maxBytes ${this.maxBytes}`)
          continue
        }
        total += q.bytes
        sizes.set(q.file, (sizes.get(q.file) ?? 0) + q.bytes)
        const list = byFile.get(q.file)
        if (list) list.push(q.text)
        else byFile.set(q.file, [q.text])
      }
      for (const [file, lines] of byFile) {
        try {
          await appendFile(join(this.dir, file), lines.join(''))
        } catch (err) {
          // Forget what we thought we knew about sizes: the next flush rescans.
          this.sizes = undefined
          this.drop(lines.length, `cannot write ${join(this.dir, file)}: ${(err as Error).message}`)
        }
      }
    } catch (err) {
      this.sizes = undefined
      this.drop(batch.length, `cannot prepare dead-letter directory ${this.dir}: ${(err as Error).message}`)
    }
  }

  private async scan(): Promise<Map<string, number>> {
    await makeDirectory(this.dir)
    const sizes = new Map<string, number>()
    for (const name of await readdir(this.dir)) {
      if (!DEAD_LETTER_FILE.test(name)) continue
      const st = await stat(join(this.dir, name)).catch(() => undefined)
      if (st?.isFile()) sizes.set(name, st.size)
    }
    return sizes
  }

  private drop(count: number, why: string): void {
    this.dropped += count
    this.lastProblem = why
    try {
      this.onDrop?.(count)
    } catch {
      // the owner's bookkeeping must not break the sink
    }
    for (let i = 0; i < count; i++) this.report.report(this.describe)
  }

  private readonly describe = (count: number): SegmentLogReport => ({
    kind: this.lastProblem.includes('maxBytes') ? 'disk-full' : 'io-error',
    message: `${count} dead-letter records dropped: ${this.lastProblem} (${this.dropped} dropped in total)`,
  })
}
