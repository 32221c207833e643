// Why a traceparent was dropped (issue 13 item 11): the reason for each kind of bad header, and the
// once-per-reason, rate-limited debug line.
import { describe, expect, it } from 'vitest'
import { checkTraceparent, type TraceparentRejection } from '../src/traceparent.js'
import { REJECTION_REPORT_INTERVAL_MS, TraceparentRejections } from '../src/traceparent-rejections.js'
import { memoryLogger, TRACE, PARENT } from './helpers.js'

const cases: Array<[string, string | readonly string[], TraceparentRejection]> = [
  ['version ff', `ff-${TRACE}-${PARENT}-01`, 'version ff'],
  ['all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`, 'all-zero trace id'],
  ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`, 'all-zero parent id'],
  ['uppercase trace id', `00-${TRACE.toUpperCase()}-${PARENT}-01`, 'malformed trace id'],
  ['non-hex parent id', `00-${TRACE}-${PARENT.slice(0, 15)}x-01`, 'malformed parent id'],
  ['non-hex flags', `00-${TRACE}-${PARENT}-0g`, 'malformed flags'],
  ['too short', '00-abc', 'too short'],
  ['too long', `00-${TRACE}-${PARENT}-01-${'a'.repeat(600)}`, 'too long'],
  ['bad version', `0x-${TRACE}-${PARENT}-01`, 'malformed version'],
  ['version 00 with extra fields', `00-${TRACE}-${PARENT}-01-extra`, 'version 00 with extra fields'],
  ['future version glued on', `01-${TRACE}-${PARENT}-01x`, 'malformed future version'],
  ['two headers', [`00-${TRACE}-${PARENT}-01`, `00-${TRACE}-${PARENT}-01`], 'multiple values'],
  ['two values joined by a comma', `00-${TRACE}-${PARENT}-01,00-${TRACE}-${PARENT}-01`, 'multiple values'],
]

describe('checkTraceparent names the reason it rejected a value', () => {
  it.each(cases)('%s', (_name, value, reason) => {
    expect(checkTraceparent(value)).toBe(reason)
  })

  it('a valid value and a missing header are not rejections', () => {
    expect(checkTraceparent(`00-${TRACE}-${PARENT}-01`)).toMatchObject({ traceId: TRACE })
    expect(checkTraceparent(undefined)).toBeUndefined()
  })
})

describe('TraceparentRejections', () => {
  it('counts every rejection, logs the first of each reason, then once per interval with the number held back', () => {
    const { logger, lines } = memoryLogger({ level: 'debug' })
    const clock = { ms: 0 }
    const r = new TraceparentRejections(() => clock.ms)
    for (const [reason, at] of [['version ff', 0], ['version ff', 10], ['version ff', 20], ['all-zero trace id', 30]] as const) {
      r.note(reason)
      expect(r.take()).toBe(reason)
      clock.ms = at
      r.report(reason, logger)
    }
    expect(r.total).toBe(4)
    expect(lines.map((l) => [l.level, l.msg, l.suppressed])).toEqual([
      [20, 'traceparent rejected: version ff', undefined],
      [20, 'traceparent rejected: all-zero trace id', undefined],
    ])
    clock.ms = REJECTION_REPORT_INTERVAL_MS
    r.report('version ff', logger)
    expect(lines.at(-1)).toMatchObject({ msg: 'traceparent rejected: version ff', suppressed: 2 })
    expect(r.take()).toBeUndefined()
  })

  it('a logger without debug, or one that throws, only counts', () => {
    const r = new TraceparentRejections()
    const throwing = { info() {}, warn() {}, error() {}, debug() { throw new Error('boom') }, child() { return throwing } }
    r.note('version ff')
    expect(() => r.report('version ff', throwing)).not.toThrow()
    expect(r.total).toBe(1)
  })
})
