/**
 * Failover in the built-in transport when a node refuses the connection (a SIGKILLed or stopped node
 * of a cluster): nothing reached that node, so the same request goes to the next healthy node at
 * once, without costing the batch a retry or an attempt. (The real-cluster counterpart is
 * test/cluster/rolling-restart.int.test.ts.)
 */
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createShipper } from '../src/index.js'
import { createHttpTransport } from '../src/http-transport.js'
import type { BulkSink } from './support/bulk-sink.js'
import { logLine, startBulkSink } from './support/bulk-sink.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function sink(): Promise<BulkSink> {
  const s = await startBulkSink()
  cleanups.push(() => s.close())
  return s
}

/** A loopback URL where nothing listens (a port that was just free). */
async function refusingUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

const transportOptions = { compression: false, connections: 2, requestTimeoutMs: 5000, nodeCooldownMs: 60_000 }
const body = Buffer.from(`{"create":{"_index":"t","_id":"a"}}\n${logLine(0)}`)

describe('http transport failover', () => {
  it('a node that refuses the connection: the same send() is answered by the next node', async () => {
    const es = await sink()
    const transport = createHttpTransport([new URL(await refusingUrl()), new URL(es.url)], transportOptions)
    cleanups.push(() => transport.close())
    const answer = await transport.send(body, new AbortController().signal)
    expect(answer.status).toBe(200)
    expect(es.docs.size).toBe(1)
    // The refusing node is cooling down; the other one still counts as healthy.
    expect(transport.hasHealthyNode()).toBe(true)
  })

  it('every node refuses: one try per node, then TW_SHIPPER_CONNECTION naming the last one', async () => {
    const [a, b] = [await refusingUrl(), await refusingUrl()]
    const transport = createHttpTransport([new URL(a), new URL(b)], transportOptions)
    cleanups.push(() => transport.close())
    await expect(transport.send(body, new AbortController().signal)).rejects.toMatchObject({ code: 'TW_SHIPPER_CONNECTION', message: expect.stringContaining(b) })
    expect(transport.hasHealthyNode()).toBe(false)
  })

  it('maxRetries: 0 with one node of two down: failover is not a retry, nothing is dead-lettered', async () => {
    const es = await sink()
    const sh = createShipper({ node: [await refusingUrl(), es.url], maxRetries: 0, flushBytes: 2000, bufferDir: false, reportDropsToStderr: false })
    cleanups.push(() => sh.close())
    for (let i = 0; i < 300; i++) sh.write(logLine(i))
    await sh.flush()
    expect(sh.stats()).toMatchObject({ delivered: 300, deadLettered: 0, retried: 0 })
    expect(es.docs.size).toBe(300)
  })
})
