/**
 * `flush()` callers waiting for the entries accepted before their call to settle. Each waiter counts
 * down the unsettled entries with an accept number (`seq`) below its limit; entries accepted later
 * do not hold it up, so a steady stream of writes cannot starve a flush.
 */

interface FlushWaiter {
  seqLimit: number
  remaining: number
  resolve: () => void
}

/** The pending `flush()` calls of one shipper. */
export class FlushWaiters {
  private waiters: FlushWaiter[] = []

  /** Resolves once `remaining` unsettled entries with `seq` below `seqLimit` have settled. */
  wait(seqLimit: number, remaining: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiters.push({ seqLimit, remaining, resolve })
    })
  }

  /** Counts the entry with accept number `seq` as settled. */
  settled(seq: number): void {
    if (this.waiters.length === 0) return
    for (const waiter of this.waiters) if (seq < waiter.seqLimit) waiter.remaining--
    if (this.waiters.some((w) => w.remaining <= 0)) {
      const done = this.waiters.filter((w) => w.remaining <= 0)
      this.waiters = this.waiters.filter((w) => w.remaining > 0)
      for (const waiter of done) waiter.resolve()
    }
  }
}
