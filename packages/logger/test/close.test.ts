import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/index.js'

/** Resolves with 'pending' after `turns` turns of the event loop: long enough for stream events, far shorter than any timeout. */
function afterTurns(turns: number): Promise<'pending'> {
  return new Promise((resolve) => {
    const step = (left: number): void => {
      if (left === 0) resolve('pending')
      else setImmediate(() => step(left - 1))
    }
    step(turns)
  })
}

describe('close() ends user streams', () => {
  it("a Writable with emitClose: false: close() settles on 'finish', not after shutdownTimeoutMs", async () => {
    const got: string[] = []
    const stream = new Writable({
      emitClose: false,
      write(chunk: Buffer, _encoding, cb) {
        got.push(chunk.toString())
        cb()
      },
    })
    const logger = createLogger({ service: 'orders', stream, handleExit: false, shutdownTimeoutMs: 60_000 })
    logger.info('a')
    const outcome = await Promise.race([logger.close().then(() => 'closed' as const), afterTurns(20)])
    expect(outcome).toBe('closed')
    expect(stream.writableFinished).toBe(true)
    expect(got).toHaveLength(1)
  })
})
