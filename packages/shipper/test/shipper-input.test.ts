/**
 * What `write()` does with input that is not one well-formed line (issue 9 cases 1 and 11): a line
 * can never rewrite the `_bulk` request, and nothing thrown or miscounted reaches the caller.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createShipper } from '../src/index.js'
import type { DeadLetter, Shipper, ShipperOptions } from '../src/index.js'
import { logLine } from './support/bulk-sink.js'
import { seqList, useTestResources } from './support/test-resources.js'

const FAST: Partial<ShipperOptions> = { flushIntervalMs: 20, retryWaitMs: 10, maxRetryIntervalMs: 50, reportDropsToStderr: false, bufferDir: false }

const { sink, track } = useTestResources()

function shipper(options: ShipperOptions): Shipper {
  return track(createShipper({ ...FAST, ...options }))
}

const INJECTION = '{"delete":{"_index":"victim","_id":"important"}}'

describe('write(): one line per document', () => {
  it('issue 9 case 1: a newline inside one write cannot inject a _bulk action; each line stands alone', async () => {
    const es = await sink()
    const dead: DeadLetter[] = []
    const sh = shipper({ node: es.url, onDeadLetter: (d) => dead.push(d) })
    sh.write(`${logLine(0).trimEnd()}\n${INJECTION}\n`)
    sh.write(`${logLine(1).trimEnd()}\n${logLine(2).trimEnd()}\r\n`)
    sh.write(Buffer.from(`${logLine(3).trimEnd()}\n{"index":{"_index":"victim"}}\n${logLine(4)}`))
    await sh.flush()
    expect(es.foreignActions).toBe(0)
    expect(es.unpairedBodies).toBe(0)
    expect(seqList(es)).toEqual([0, 1, 2, 3, 4])
    // The injected actions became what they are: lines without a service, dead-lettered with a reason.
    expect(dead.map((d) => d.document)).toEqual([INJECTION, '{"index":{"_index":"victim"}}'])
    expect(dead.every((d) => /service/.test(d.reason))).toBe(true)
    expect(sh.stats()).toMatchObject({ accepted: 7, delivered: 5, deadLettered: 2, bufferedDocs: 0, lastError: null })
  })

  it('issue 9 case 1: pretty-printed JSON is split into its lines, each dead-lettered, never sent', async () => {
    const es = await sink()
    const dead: DeadLetter[] = []
    const sh = shipper({ node: es.url, onDeadLetter: (d) => dead.push(d) })
    sh.write(JSON.stringify({ level: 'info', time: 1764158532, service: 'orders', message: 'x' }, null, 2))
    await sh.flush()
    expect(es.requests).toBe(0)
    expect(dead.length).toBe(6)
    expect(sh.stats()).toMatchObject({ accepted: 6, deadLettered: 6, delivered: 0 })
  })

  it('property: whatever the strings (newlines, quotes, action fragments, invalid UTF-8), every body pairs one action with one document and the response has one item per document', async () => {
    const fragment = fc.constantFrom('\n', '\r\n', '"', '\\', '{"delete":{"_index":"v","_id":"1"}}', '{"index":{}}', '}', '{', '\u2028', '\0', ',"time":1', '"service":"x"')
    const text = fc.array(fc.oneof(fc.string(), fragment, fc.constant(logLine(1).trimEnd())), { maxLength: 8 }).map((parts) => parts.join(''))
    const bytes = fc.tuple(text, fc.uint8Array({ maxLength: 12 }), text).map(([a, raw, b]) => Buffer.concat([Buffer.from(a), Buffer.from(raw), Buffer.from(b)]))
    const input = fc.oneof(text, bytes, fc.constant(logLine(2)))
    const es = await sink()
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 20 }), async (writes) => {
        const before = { requests: es.requests, received: es.received }
        const sh = createShipper({ ...FAST, node: es.url, flushBytes: 2048 })
        try {
          for (const w of writes) sh.write(w)
          await sh.flush()
          const st = sh.stats()
          expect(es.foreignActions).toBe(0)
          expect(es.unpairedBodies).toBe(0)
          // A response with more or fewer items than documents sent would be TW_SHIPPER_BAD_RESPONSE.
          expect(st.lastError).toBeNull()
          expect(es.received - before.received).toBe(st.delivered)
          expect(st.accepted).toBe(st.delivered + st.deadLettered)
        } finally {
          await sh.close()
        }
      }),
      { numRuns: 150 },
    )
  }, 60_000)
})

describe('write(): values that are not lines', () => {
  it('issue 9 case 11: write(123), write(null), write({}) never throw and keep the counters adding up', async () => {
    const es = await sink()
    const dead: DeadLetter[] = []
    const sh = shipper({ node: es.url, onDeadLetter: (d) => dead.push(d) })
    const circular: Record<string, unknown> = {}
    circular.self = circular
    for (const value of [123, null, undefined, {}, circular, Symbol('s'), 10n, ['a']]) {
      expect(() => sh.write(value as never)).not.toThrow()
    }
    sh.write(logLine(0))
    await sh.flush()
    expect(seqList(es)).toEqual([0])
    expect(sh.stats()).toMatchObject({ accepted: 9, delivered: 1, deadLettered: 8, bufferedDocs: 0 })
    expect(dead.map((d) => d.reason)).toContain('write() takes a string or a Buffer holding one line, got number')
    expect(dead.map((d) => d.reason)).toContain('write() takes a string or a Buffer holding one line, got null')
  })
})
