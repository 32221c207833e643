/**
 * One accepted document and the batches that carry documents to `_bulk`.
 *
 * Measured (bench/shipper): with one string per document, 200k buffered documents cost more in
 * garbage collection than everything else together. So the NDJSON (action line + document) is
 * encoded once, at accept time, into large shared "arena" buffers; an entry only holds offsets, and
 * a first-send batch body is a zero-copy slice of its arena.
 */

import type { ParsedLine } from './document.js'

/** Lifecycle of an entry. */
export const EntryState = { Pending: 0, InFlight: 1, Waiting: 2, Settled: 3 } as const
/** One of {@link EntryState}'s values. */
export type EntryState = (typeof EntryState)[keyof typeof EntryState]

/** An accepted line, ready to send: `{"create":…}\n<document>\n` at `buf[start, end)`. */
export interface Entry {
  /** `_id` for replayed lines; `undefined` means the run id + `seq` (see `idOf`). */
  id: string | undefined
  /** Accept order; flush waiters compare against it. */
  seq: number
  buf: Buffer
  start: number
  /** Where the document starts (after the action line). */
  docStart: number
  end: number
  index: string
  /** Durable-buffer ticket, when the line is on disk. */
  ticket: number | undefined
  /** The raw line for the durable buffer, kept only until it is appended. */
  raw: Buffer | string | undefined
  attempts: number
  /** Time of the first failed attempt (0: none yet). */
  firstFailedAt: number
  state: EntryState
}

/** Entries sent together. */
export interface Batch {
  entries: Entry[]
  bytes: number
  /** Not sent before this time (ms since epoch). */
  notBefore: number
}

/** The document text of an entry (for dead letters). */
export function documentOf(entry: Entry): string {
  return entry.buf.toString('utf8', entry.docStart, entry.end - 1)
}

/** The request body of a batch: a zero-copy slice when its entries are adjacent in one arena. */
export function bodyOf(batch: Batch): Buffer {
  const { entries } = batch
  const first = entries[0]!
  let contiguous = true
  for (let i = 1; i < entries.length; i++) {
    const prev = entries[i - 1]!
    const e = entries[i]!
    if (e.buf !== prev.buf || e.start !== prev.end) {
      contiguous = false
      break
    }
  }
  if (contiguous) return first.buf.subarray(first.start, entries[entries.length - 1]!.end)
  return compact(entries)
}

/**
 * Copies entries into one fresh buffer and re-points them at it. Used for retry batches, so an
 * entry waiting for a retry never keeps a whole arena alive (memory stays what `bufferedBytes` says).
 */
export function compact(entries: Entry[]): Buffer {
  let total = 0
  for (const e of entries) total += e.end - e.start
  const out = Buffer.allocUnsafe(total)
  let offset = 0
  for (const e of entries) {
    const length = e.end - e.start
    e.buf.copy(out, offset, e.start, e.end)
    const docOffset = e.docStart - e.start
    e.buf = out
    e.start = offset
    e.docStart = offset + docOffset
    e.end = offset + length
    offset += length
  }
  return out
}

/** Appends NDJSON payloads into large buffers. */
export class Arena {
  private buf: Buffer
  private offset = 0

  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(size)
  }

  /**
   * Encodes `action` + the document + `\n`; returns where, or `undefined` when it is larger than
   * `maxBytes` (nothing is kept then). The document is written from the original line's two parts.
   */
  append(action: string, doc: ParsedLine, maxBytes: number): { buf: Buffer; start: number; docStart: number; end: number } | undefined {
    const { source, headEnd, tailStart, end: lineEnd } = doc
    // Measured (bench/shipper): a `Buffer#write` costs about the same for 5 characters as for 300, so
    // the fast path's line (an ASCII head; the cut `,"time":<number>` is ASCII by construction) is
    // written whole in one call and the gap closed with one `copyWithin` (a memmove in V8), instead of
    // slicing it and writing head and tail apart. Needs room for the whole line: else the general path.
    if (headEnd > 0 && this.size - this.offset >= (action.length + source.length + 1) * 3 && isAscii(source, headEnd)) {
      const buf = this.buf
      const start = this.offset
      const docStart = start + buf.write(action, start, 'latin1')
      const gapStart = docStart + headEnd
      const gap = tailStart - headEnd
      // What follows `lineEnd` in the source is the line's own \r/\n: one byte each.
      const written = docStart + buf.write(source, docStart, 'utf8') - (source.length - lineEnd)
      buf.copyWithin(gapStart, gapStart + gap, written)
      const end = written - gap
      buf[end] = 10
      if (end + 1 - start > maxBytes) return undefined
      this.offset = end + 1
      return { buf, start, docStart, end: end + 1 }
    }
    const head = doc.headEnd > 0 ? doc.source.slice(0, doc.headEnd) : ''
    const tail = doc.tailStart === 0 && doc.end === doc.source.length ? doc.source : doc.source.slice(doc.tailStart, doc.end)
    // UTF-8 needs at most 3 bytes per UTF-16 unit: only measure exactly when that could overflow.
    const worst = (action.length + head.length + tail.length + 1) * 3
    if (this.size - this.offset < worst) {
      const exact = action.length + Buffer.byteLength(head) + Buffer.byteLength(tail) + 1
      if (exact > maxBytes) return undefined
      if (this.size - this.offset < exact) this.roll(Math.max(this.size, exact))
    }
    const buf = this.buf
    const start = this.offset
    const docStart = start + buf.write(action, start, 'latin1')
    let end = docStart
    if (head.length > 0) end += buf.write(head, end, 'utf8')
    end += buf.write(tail, end, 'utf8')
    buf[end] = 10
    if (end + 1 - start > maxBytes) return undefined
    this.offset = end + 1
    return { buf, start, docStart, end: end + 1 }
  }

  /** Forgets the last append, which started at `start` (it was refused after encoding). */
  undo(start: number): void {
    if (start < this.offset) this.offset = start
  }

  /** Starts a fresh buffer when less than `minFree` bytes are left (a new batch then starts aligned). */
  rollIfBelow(minFree: number): void {
    if (this.size - this.offset < minFree) this.roll(this.size)
  }

  private roll(size: number): void {
    this.buf = Buffer.allocUnsafe(size)
    this.offset = 0
  }
}

/** Whether `text[0, length)` is ASCII (so its UTF-8 byte length equals `length`). */
function isAscii(text: string, length: number): boolean {
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) > 127) return false
  return true
}
