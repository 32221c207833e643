/**
 * Accepted entries not yet sent, in accept order, with their byte total. An array with a moving
 * head instead of `shift()`: a 200k-entry queue must not cost O(n) per batch taken.
 */
import type { Entry } from './entry.js'

/** Entries waiting for their first send. */
export class PendingQueue {
  private items: Entry[] = []
  private head = 0
  private total = 0

  /** Bytes of the queued entries (action lines included). */
  get bytes(): number {
    return this.total
  }

  /** Whether no entry is waiting. */
  get isEmpty(): boolean {
    return this.head >= this.items.length
  }

  /** Appends an accepted entry. */
  push(entry: Entry): void {
    this.items.push(entry)
    this.total += entry.end - entry.start
  }

  /** Removes and returns the oldest entry. */
  shift(): Entry | undefined {
    if (this.isEmpty) return undefined
    const entry = this.items[this.head]!
    this.items[this.head++] = undefined as unknown as Entry
    this.total -= entry.end - entry.start
    this.compact()
    return entry
  }

  /**
   * Removes the oldest entries up to and including the one that reaches `maxBytes`: the batch is
   * then exactly what triggered the send, and when it empties the queue the next batch starts fresh.
   */
  take(maxBytes: number): { entries: Entry[]; bytes: number } {
    const entries: Entry[] = []
    let bytes = 0
    while (this.head < this.items.length && bytes < maxBytes) {
      const entry = this.items[this.head]!
      this.items[this.head++] = undefined as unknown as Entry
      entries.push(entry)
      bytes += entry.end - entry.start
    }
    this.total -= bytes
    this.compact()
    return { entries, bytes }
  }

  /** The queued entries, oldest first (a copy). */
  toArray(): Entry[] {
    return this.items.slice(this.head)
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    } else if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    }
  }
}
