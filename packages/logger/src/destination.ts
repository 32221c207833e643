import pino from 'pino'

/** What a destination needs to offer; sonic-boom, thread-stream and {@link FileSink} all fit. */
export interface Sink {
  write(line: string): unknown
  flushSync?(): void
  flush?(cb: (err?: Error | null) => void): void
  end?(): unknown
  once?(event: string, listener: (...args: unknown[]) => void): unknown
  destroyed?: boolean
}

/** Standard output through sonic-boom, synchronous like pino's default destination, so no line waits in memory. */
export function stdoutSink(): Sink {
  return pino.destination({ dest: 1, sync: true })
}

function endSink(sink: Sink, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs)
    timer.unref()
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    try {
      const ended = sink.end?.()
      if (ended instanceof Promise) {
        ended.then(done, done)
      } else if (sink.once !== undefined) {
        // 'finish' as well as 'close': a Writable made with `emitClose: false` never emits 'close', and
        // waiting for it would hold every close() (and SIGTERM) for the whole timeout.
        sink.once('finish', done)
        sink.once('close', done)
        sink.once('error', done)
      } else done()
    } catch {
      done()
    }
  })
}

/**
 * The stream handed to pino: writes every line to each sink (stdout, file, shipper). Once closed, further
 * lines are dropped and counted rather than written to ended streams (which would throw into the caller).
 */
export class Destination {
  readonly #sinks: Sink[]
  readonly #keepOpen: Set<Sink>
  #closed = false
  /** Lines dropped because they arrived after `close()`. */
  droppedAfterClose = 0

  constructor(sinks: Sink[], keepOpen: Sink[] = []) {
    this.#sinks = sinks
    this.#keepOpen = new Set(keepOpen)
  }

  write(line: string): boolean {
    if (this.#closed) {
      this.droppedAfterClose++
      return true
    }
    const sinks = this.#sinks
    for (let i = 0; i < sinks.length; i++) {
      try {
        ;(sinks[i] as Sink).write(line)
      } catch {
        // one failing sink must not stop the others or throw into the log call
      }
    }
    return true
  }

  /** Writes everything buffered, synchronously; used on exit paths. */
  flushSync(): void {
    for (const sink of this.#sinks) {
      try {
        sink.flushSync?.()
      } catch {
        // a sink that is not ready or already closed has nothing to flush
      }
    }
  }

  /**
   * pino's `logger.flush(cb)`: writes what is buffered, then waits for each sink's own `flush(cb)`
   * (for the Elasticsearch transport a "deliver now" in its worker, bounded by its
   * `shutdownTimeoutMs`) before `cb`. Sink errors are not passed on: telemetry never throws.
   */
  flush(cb?: (err?: Error | null) => void): void {
    this.flushSync()
    const waiting = this.#sinks.filter((s) => s.flush !== undefined)
    let left = waiting.length
    if (left === 0) {
      cb?.()
      return
    }
    const done = (): void => {
      if (--left === 0) cb?.()
    }
    for (const sink of waiting) {
      try {
        sink.flush!(done)
      } catch {
        done()
      }
    }
  }

  /** Flushes and closes every sink (stdout is flushed, not closed), waiting at most `timeoutMs` each. */
  async close(timeoutMs: number): Promise<void> {
    if (this.#closed) return
    this.flushSync()
    this.#closed = true
    await Promise.all(this.#sinks.filter((s) => !this.#keepOpen.has(s)).map((s) => endSink(s, timeoutMs)))
  }
}
