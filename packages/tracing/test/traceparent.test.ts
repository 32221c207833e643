// Table built from the W3C Trace Context Recommendation (§3.2 traceparent, §3.2.4 versioning) and the
// names of the W3C test harness cases (test/test.py in w3c/trace-context) that each row mirrors.
import { describe, expect, it } from 'vitest'
import { formatTraceparent, MAX_TRACEPARENT_LENGTH, parseTraceparent } from '../src/index.js'

const T = '0af7651916cd43dd8448eb211c80319c'
const P = 'b7ad6b7169203331'

type Row = [name: string, input: string | string[] | undefined, expected: { traceId: string; parentId: string; traceFlags: number; version?: string } | undefined]

const table: Row[] = [
  ['valid sampled', `00-${T}-${P}-01`, { traceId: T, parentId: P, traceFlags: 1 }],
  ['valid not sampled', `00-${T}-${P}-00`, { traceId: T, parentId: P, traceFlags: 0 }],
  ['valid with level-2 random flag', `00-${T}-${P}-03`, { traceId: T, parentId: P, traceFlags: 3 }],
  ['unknown flag bits are parsed (masked when sent)', `00-${T}-${P}-ff`, { traceId: T, parentId: P, traceFlags: 255 }],
  ['absent header', undefined, undefined],
  ['empty', '', undefined],
  // harness: test_traceparent_trace_id_all_zero / parent_id_all_zero
  ['trace-id all zero', `00-${'0'.repeat(32)}-${P}-01`, undefined],
  ['parent-id all zero', `00-${T}-${'0'.repeat(16)}-01`, undefined],
  // harness: *_illegal_characters ("MUST ignore ... non-lowercase")
  ['uppercase trace-id', `00-${T.toUpperCase()}-${P}-01`, undefined],
  ['uppercase parent-id', `00-${T}-${P.toUpperCase()}-01`, undefined],
  ['uppercase flags', `00-${T}-${P}-0A`, undefined],
  ['uppercase version', `0A-${T}-${P}-01`, undefined],
  ['non-hex in trace-id', `00-${T.slice(0, 31)}g-${P}-01`, undefined],
  ['non-hex in parent-id', `00-${T}-${P.slice(0, 15)}.-01`, undefined],
  ['non-hex in flags', `00-${T}-${P}-0.`, undefined],
  // harness: *_too_long / *_too_short
  ['trace-id 31 chars', `00-${T.slice(1)}-${P}-01`, undefined],
  ['trace-id 33 chars', `00-${T}0-${P}-01`, undefined],
  ['parent-id 15 chars', `00-${T}-${P.slice(1)}-01`, undefined],
  ['parent-id 17 chars', `00-${T}-${P}0-01`, undefined],
  ['flags 1 char', `00-${T}-${P}-1`, undefined],
  ['flags 3 chars', `00-${T}-${P}-010`, undefined],
  ['missing dash', `00${T}-${P}-01`, undefined],
  ['extra dash', `00--${T}-${P}-01`, undefined],
  ['wrong delimiter', `00_${T}_${P}_01`, undefined],
  ['version 00 with extra field', `00-${T}-${P}-01-extra`, undefined],
  ['version 00 with trailing dash', `00-${T}-${P}-01-`, undefined],
  // harness: test_traceparent_version_0xff, version illegal characters and lengths
  ['version ff is forbidden', `ff-${T}-${P}-01`, undefined],
  ['version 0g', `0g-${T}-${P}-01`, undefined],
  ['version zz', `zz-${T}-${P}-01`, undefined],
  ['version of 1 char', `0-${T}-${P}-01`, undefined],
  ['version of 3 chars', `000-${T}-${P}-01`, undefined],
  // harness: test_traceparent_version_0xcc (§3.2.4 forward compatibility)
  ['future version, same layout', `cc-${T}-${P}-01`, { version: 'cc', traceId: T, parentId: P, traceFlags: 1 }],
  ['future version with more fields', `cc-${T}-${P}-01-what-the-future-will-be-like`, { version: 'cc', traceId: T, parentId: P, traceFlags: 1 }],
  ['future version, flags not followed by a dash', `cc-${T}-${P}-01.what-the-future-will-not-be-like`, undefined],
  ['future version shorter than 55', `cc-${T}-${P}-1`, undefined],
  ['future version with zero trace-id', `cc-${'0'.repeat(32)}-${P}-01`, undefined],
  // harness: test_traceparent_duplicated
  ['two headers (array)', [`00-${T}-${P}-01`, `00-${T}-${P}-01`], undefined],
  ['two values joined by a comma', `00-${T}-${P}-01, 00-${T}-${P}-01`, undefined],
  ['two future values joined by a comma', `cc-${T}-${P}-01-a,cc-${T}-${P}-01`, undefined],
  ['one header in an array', [`00-${T}-${P}-01`], { traceId: T, parentId: P, traceFlags: 1 }],
  ['empty array', [], undefined],
  // harness: test_traceparent_ows_handling
  ['leading and trailing spaces', `  00-${T}-${P}-01  `, { traceId: T, parentId: P, traceFlags: 1 }],
  ['leading and trailing tabs', `\t00-${T}-${P}-01\t`, { traceId: T, parentId: P, traceFlags: 1 }],
  ['space inside', `00-${T} -${P}-01`, undefined],
  // reliability case 28: injection attempts never parse
  ['CR/LF appended', `00-${T}-${P}-01\r\nX-Evil: 1`, undefined],
  ['JSON fragment', `00-${T}-${P}-01","level":"fatal`, undefined],
  ['ANSI escape', `\u001b[2J00-${T}-${P}-01`, undefined],
]

describe('parseTraceparent (W3C Trace Context §3.2)', () => {
  it.each(table)('%s', (_name, input, expected) => {
    const got = parseTraceparent(input)
    if (expected === undefined) {
      expect(got).toBeUndefined()
    } else {
      expect(got).toEqual({ version: expected.version ?? '00', traceId: expected.traceId, parentId: expected.parentId, traceFlags: expected.traceFlags })
    }
  })

  it('never throws on values of the wrong type', () => {
    for (const v of [null, 42, {}, [1], [null], Symbol('x'), () => 1] as unknown[]) {
      expect(parseTraceparent(v as string)).toBeUndefined()
    }
  })

  it('rejects input over the length cap without scanning it (100 KB header)', () => {
    const huge = `cc-${T}-${P}-01-` + 'a'.repeat(100_000)
    expect(huge.length).toBeGreaterThan(MAX_TRACEPARENT_LENGTH)
    expect(parseTraceparent(huge)).toBeUndefined()
    // a future version just under the cap is still accepted (forward compatibility)
    const big = `cc-${T}-${P}-01-` + 'a'.repeat(MAX_TRACEPARENT_LENGTH - 56)
    expect(big.length).toBe(MAX_TRACEPARENT_LENGTH)
    expect(parseTraceparent(big)?.traceId).toBe(T)
  })
})

describe('formatTraceparent', () => {
  it('always writes version 00, lowercase, 55 characters', () => {
    const s = formatTraceparent({ traceId: T, spanId: P, traceFlags: 1 })
    expect(s).toBe(`00-${T}-${P}-01`)
    expect(s).toHaveLength(55)
  })

  it('keeps only the sampled and random flags', () => {
    expect(formatTraceparent({ traceId: T, spanId: P, traceFlags: 0xff })).toBe(`00-${T}-${P}-03`)
    expect(formatTraceparent({ traceId: T, spanId: P, traceFlags: 2 })).toBe(`00-${T}-${P}-02`)
  })

  it('downgrades a future version to 00 and drops its unknown fields', () => {
    const parsed = parseTraceparent(`cc-${T}-${P}-01-what-the-future-will-be-like`)
    expect(parsed).toBeDefined()
    const out = formatTraceparent({ traceId: parsed!.traceId, spanId: P, traceFlags: parsed!.traceFlags })
    expect(out).toBe(`00-${T}-${P}-01`)
  })
})
