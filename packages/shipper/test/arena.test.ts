/**
 * The arena encodes each accepted line as `action + document + \n`. Its fast way (the whole line in one
 * write, the `"time"` member cut out afterwards) must give the same bytes as encoding the document text.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { documentText, parseLine } from '../src/document.js'
import { Arena } from '../src/entry.js'

const ACTION = '{"create":{"_index":"fluentd-orders-20261126","_id":"abc1"}}\n'

describe('Arena.append', () => {
  it('encodes action + document + newline byte for byte, whatever the text and line ending', () => {
    let fastShaped = 0
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom('info', 'warn'), fc.string({ unit: 'binary', maxLength: 12 })),
        fc.oneof(fc.constant(1764158532.123), fc.integer({ min: 0, max: 253402300799 })),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom('', '\n', '\r\n', '\r\n\n'),
        fc.integer({ min: 64, max: 4096 }),
        fc.integer({ min: 1, max: 5 }),
        (level, time, message, ending, arenaSize, count) => {
          const line = `{"level":${JSON.stringify(level)},"time":${time},"@timestamp":"2026-11-26T12:02:12.123Z","service":"orders","message":${JSON.stringify(message)}}`
          const text = line + ending
          const parsed = parseLine(text, line.length)
          if ('reason' in parsed) return
          if (parsed.headEnd > 0) fastShaped++
          const expected = Buffer.from(`${ACTION}${documentText(parsed)}\n`)
          // A small arena also exercises the general path and rolling to a fresh buffer.
          const arena = new Arena(arenaSize)
          for (let i = 0; i < count; i++) {
            const placed = arena.append(ACTION, parsed, 64 * 1024)
            expect(placed).toBeDefined()
            const { buf, start, docStart, end } = placed!
            expect(buf.subarray(start, end).equals(expected)).toBe(true)
            expect(docStart - start).toBe(ACTION.length)
          }
        },
      ),
      { numRuns: 1000 },
    )
    expect(fastShaped).toBeGreaterThan(300)
  })

  it('refuses a document larger than maxBytes on either path and keeps nothing', () => {
    const line = `{"level":"info","time":1,"@timestamp":"2026-11-26T12:02:12.123Z","service":"orders","message":"${'x'.repeat(500)}"}`
    const parsed = parseLine(line)
    if ('reason' in parsed) throw new Error(parsed.reason)
    for (const size of [8 * 1024, 600]) {
      const arena = new Arena(size)
      expect(arena.append(ACTION, parsed, 300)).toBeUndefined()
      const small = parseLine('{"level":"info","time":1,"@timestamp":"x","service":"orders"}')
      if ('reason' in small) throw new Error(small.reason)
      // The refused bytes were not kept: the next append starts where the refused one did.
      expect(arena.append(ACTION, small, 300)!.start).toBe(0)
    }
  })
})
