/**
 * Batches waiting for another attempt, each with the time before which it is not sent. Failed
 * whole requests and halves of a split batch go to the front (they are the oldest data); items
 * Elasticsearch asked to retry on their own go to the back.
 */
import type { Batch, Entry } from './entry.js'

/** Batches waiting to be sent again. */
export class RetryQueue {
  private batches: Batch[] = []

  /** Queues batches ahead of every waiting one. */
  pushFront(...batches: Batch[]): void {
    this.batches.unshift(...batches)
  }

  /** Queues a batch behind every waiting one. */
  pushBack(batch: Batch): void {
    this.batches.push(batch)
  }

  /** Removes and returns the first batch due at `now`; batches emptied by `drop_oldest` are discarded. */
  takeDue(now: number): Batch | undefined {
    for (let i = 0; i < this.batches.length; i++) {
      const batch = this.batches[i]!
      if (batch.entries.length === 0) {
        this.batches.splice(i--, 1)
        continue
      }
      if (batch.notBefore <= now) {
        this.batches.splice(i, 1)
        return batch
      }
    }
    return undefined
  }

  /** Removes and returns the oldest waiting entry (for `drop_oldest`), or `undefined`. */
  shiftOldestEntry(): Entry | undefined {
    while (this.batches.length > 0) {
      const batch = this.batches[0]!
      const entry = batch.entries.shift()
      if (entry) {
        batch.bytes -= entry.end - entry.start
        return entry
      }
      this.batches.shift()
    }
    return undefined
  }

  /** The earliest time a waiting batch is due, or `Infinity` when none waits. */
  nextDueAt(): number {
    return this.batches.reduce((min, b) => Math.min(min, b.notBefore), Number.POSITIVE_INFINITY)
  }

  /** Makes every waiting batch due now: flush means "try now", not "after the backoff". */
  makeAllDue(): void {
    for (const batch of this.batches) batch.notBefore = 0
  }

  /** Every waiting entry. */
  entries(): Entry[] {
    return this.batches.flatMap((b) => b.entries)
  }
}
