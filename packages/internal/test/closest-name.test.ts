// "Did you mean": the nearest name for the logger's and tracing's options (always an answer), and the
// shipper's and the CLI's rules (a missing unit suffix wins, nothing when nothing is near).
import { describe, expect, it } from 'vitest'
import { closestName } from '../src/closest-name.js'

describe('closestName', () => {
  it('finds the nearest name, case-insensitively, the first of equals', () => {
    expect(closestName('servce', ['service', 'level', 'file'])).toBe('service')
    expect(closestName('NODEhttp', ['fetch', 'nodeHttp'])).toBe('nodeHttp')
    expect(closestName('ab', ['ax', 'ay'])).toBe('ax')
  })

  it('by default always answers, however far the nearest is; an empty list answers undefined', () => {
    expect(closestName('zzzzz', ['service', 'level'])).toBe('level')
    expect(closestName('service', [])).toBeUndefined()
  })

  it('compares at most the first 100 characters of a huge name', () => {
    expect(closestName(`service${'x'.repeat(100_000)}`, ['service', 'level'])).toBe('service')
  })

  describe('onlyNear', () => {
    it('answers undefined when the nearest is more than half the name (at least 2 edits) away', () => {
      expect(closestName('zzzzzzzz', ['service', 'level'], { onlyNear: true })).toBeUndefined()
      expect(closestName('trase', ['trace', 'setup', 'ui'], { onlyNear: true })).toBe('trace')
      // 2 edits is always near enough, even for a short name.
      expect(closestName('xi', ['ui'], { onlyNear: true })).toBe('ui')
      expect(closestName('xyz', ['ui'], { onlyNear: true })).toBeUndefined()
    })
  })

  describe('unitSuffix', () => {
    const valid = ['flashIntervel', 'flushIntervalMs', 'maxBufferBytes']

    it('a name missing (or adding) a unit suffix beats a typo as many edits away', () => {
      // Both are 2 edits from `flushInterval`: without the rule the first wins.
      expect(closestName('flushInterval', valid)).toBe('flashIntervel')
      expect(closestName('flushInterval', valid, { unitSuffix: true })).toBe('flushIntervalMs')
      expect(closestName('maxBufferBytesLimit', valid, { unitSuffix: true })).toBe('maxBufferBytes')
    })

    it('with onlyNear, a long missing tail is still near (half an edit per character)', () => {
      // 8 edits, more than half of 8 characters; 4 with the rule.
      expect(closestName('segments', ['segmentsMaxBytes'], { onlyNear: true })).toBeUndefined()
      expect(closestName('segments', ['segmentsMaxBytes'], { onlyNear: true, unitSuffix: true })).toBe('segmentsMaxBytes')
    })
  })
})
