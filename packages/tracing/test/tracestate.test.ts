// Table from W3C Trace Context Level 2 §3.3 (tracestate; https://www.w3.org/TR/trace-context-2/) and harness
// cases test_tracestate_* (member_count_limit, key_length_limit, duplicated_keys, ows_handling, empty_header).
// Level 2 §3.3.1.3.1 defines `key = ( lcalpha / DIGIT ) 0*255 ( keychar )` with `@` a keychar: the Level 1
// multi-tenant rules (tenant <= 241, system id <= 14 starting with a letter, one `@`) no longer apply.
import { describe, expect, it } from 'vitest'
import {
  extractTraceContext,
  injectTraceHeaders,
  MAX_TRACESTATE_MEMBERS,
  parseTracestate,
  serializeTracestate,
  startTraceContext,
  withTraceContext,
} from '../src/index.js'

const members = (n: number, prefix = 'k'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}=v${i}`)

type Row = [name: string, input: string | string[] | undefined, expected: Array<[string, string]> | undefined]

const table: Row[] = [
  ['absent header', undefined, []],
  ['empty header', '', []],
  ['one member', 'foo=1', [['foo', '1']]],
  ['order kept', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', [['rojo', '00f067aa0ba902b7'], ['congo', 't61rcWkgMzE']]],
  ['OWS around members', ' foo=1 ,\tbar=2\t', [['foo', '1'], ['bar', '2']]],
  ['empty list-members are allowed', 'foo=1,,  ,bar=2,', [['foo', '1'], ['bar', '2']]],
  ['several headers are one list', ['foo=1', 'bar=2'], [['foo', '1'], ['bar', '2']]],
  ['multi-tenant key', 'fw529a3039@dt=abc', [['fw529a3039@dt', 'abc']]],
  ['tenant starting with a digit', '1tenant@sys=x', [['1tenant@sys', 'x']]],
  ['key special chars _-*/', 'a_b-c*d/e=1', [['a_b-c*d/e', '1']]],
  ['value with spaces inside', 'foo=a b', [['foo', 'a b']]],
  ['value 256 chars', `foo=${'v'.repeat(256)}`, [['foo', 'v'.repeat(256)]]],
  ['value 257 chars', `foo=${'v'.repeat(257)}`, undefined],
  ['key 256 chars', `${'k'.repeat(256)}=1`, [['k'.repeat(256), '1']]],
  ['key 257 chars', `${'k'.repeat(257)}=1`, undefined],
  ['uppercase key', 'Foo=1', undefined],
  // §3.3.1.3.1 (Level 2): `@` anywhere after the first character, any number of times, up to 256 characters.
  ['§3.3.1.3.1 key ending in @ (foo@)', 'foo@=1', [['foo@', '1']]],
  ['§3.3.1.3.1 256-char key: 241 t + @ + 14 v', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`, [[`${'t'.repeat(241)}@${'v'.repeat(14)}`, '1']]],
  ['§3.3.1.3.1 long part after @ (t@ + 15 v)', `t@${'v'.repeat(15)}=1`, [[`t@${'v'.repeat(15)}`, '1']]],
  ['§3.3.1.3.1 long part before @ (242 t + @v)', `${'t'.repeat(242)}@v=1`, [[`${'t'.repeat(242)}@v`, '1']]],
  ['§3.3.1.3.1 digit after @', 't@1s=1', [['t@1s', '1']]],
  ['§3.3.1.3.1 two @ (t@s@x, foo@@bar)', 't@s@x=1,foo@@bar=2', [['t@s@x', '1'], ['foo@@bar', '2']]],
  ['§3.3.1.3.1 key starting with a digit', '1foo=1', [['1foo', '1']]],
  ['§3.3.1.3.1 257-char key with @', `${'t'.repeat(242)}@${'v'.repeat(14)}=1`, undefined],
  ['§3.3.1.3.1 key starting with @', '@foo=1,bar=2', undefined],
  ['§3.3.1.3.1 key with a dot', 'foo.bar=1', undefined],
  // §3.3.1.4 one entry per key; §3.5 any entry MAY be deleted: a repeated key is dropped (the left-most,
  // most recent position kept), never the whole header.
  ['§3.3.1.4 duplicated identical members (foo=1,foo=1)', 'foo=1,foo=1', [['foo', '1']]],
  ['§3.3.1.4 duplicated key, different values (foo=1,foo=2)', 'foo=1,foo=2', [['foo', '1']]],
  ['§3.3.1.4 duplicate among others', 'foo=1,bar=2,foo=3', [['foo', '1'], ['bar', '2']]],
  ['§3.3.1.4 duplicate across headers', ['foo=1', 'foo=2'], [['foo', '1']]],
  ['§3.3.1.1 33 members counting a duplicate', [...members(32), 'k0=again'].join(','), undefined],
  ['key with a space', 'fo o=1', undefined],
  ['empty key', '=1', undefined],
  ['empty value', 'foo=', undefined],
  ['value ending in a space', 'foo=1 ,bar=2'.replace('1 ', '1\u0020\u0020'), [['foo', '1'], ['bar', '2']]],
  ['value with =', 'foo=a=b', undefined],
  ['value with a control char', 'foo=a\u0001b', undefined],
  ['value with non-ASCII', 'foo=é', undefined],
  ['no =', 'foo', undefined],
  ['32 members', members(32).join(','), members(32).map((m) => m.split('=') as [string, string])],
  ['32 members split across 4 headers', [0, 8, 16, 24].map((s) => members(32).slice(s, s + 8).join(',')), members(32).map((m) => m.split('=') as [string, string])],
  ['33 members', members(33).join(','), undefined],
  ['CR/LF injection', 'foo=1\r\nx-evil: 1', undefined],
]

describe('parseTracestate (W3C Trace Context §3.3)', () => {
  it.each(table)('%s', (_name, input, expected) => {
    const got = parseTracestate(input)
    if (expected === undefined) expect(got).toBeUndefined()
    else expect(got).toEqual(expected.map(([key, value]) => ({ key, value })))
  })

  it('caps input before parsing (1,000 headers, 1 MB)', () => {
    expect(parseTracestate(Array.from({ length: 1000 }, (_, i) => `k${i}=${'v'.repeat(100)}`))).toBeUndefined()
    expect(parseTracestate('a=' + 'v'.repeat(1_000_000))).toBeUndefined()
  })

  it('never throws on values of the wrong type', () => {
    for (const v of [42, {}, [1], [null]] as unknown[]) expect(parseTracestate(v as string)).toBeUndefined()
  })
})

describe('tracestate is propagated from the incoming request to outgoing calls (§3.5: MUST send it on)', () => {
  const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
  const forwarded = (tracestate: string | string[]): string | undefined => {
    const tc = startTraceContext(extractTraceContext({ traceparent: TRACEPARENT, tracestate }))
    return withTraceContext(tc, () => {
      const headers: Record<string, string> = {}
      injectTraceHeaders(headers)
      return headers.tracestate
    })
  }

  it.each<[string, string | string[], string]>([
    ['§3.3.1.3.1 foo@=1', 'foo@=1,bar=2', 'foo@=1,bar=2'],
    ['§3.3.1.3.1 256-char key with @', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`, `${'t'.repeat(241)}@${'v'.repeat(14)}=1`],
    ['§3.3.1.4 foo=1,foo=1', 'foo=1,foo=1', 'foo=1'],
    ['§3.3.1.4 foo=1,foo=2', 'foo=1,foo=2', 'foo=1'],
    ['§3.3.1.4 foo=1 and foo=2 in two headers', ['foo=1', 'foo=2'], 'foo=1'],
  ])('%s', (_name, incoming, sent) => {
    expect(forwarded(incoming)).toBe(sent)
  })
})

describe('serializeTracestate (§3.3.1.5 limits)', () => {
  it('writes members in order', () => {
    expect(serializeTracestate([{ key: 'a', value: '1' }, { key: 'b', value: '2' }])).toBe('a=1,b=2')
  })

  it('keeps at most 32 members', () => {
    const m = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: '1' }))
    expect(serializeTracestate(m).split(',')).toHaveLength(MAX_TRACESTATE_MEMBERS)
  })

  it('never exceeds 512 characters, dropping entries over 128 characters first, then from the right', () => {
    const small = Array.from({ length: 10 }, (_, i) => ({ key: `s${i}`, value: 'x'.repeat(30) })) // 33-34 chars each
    const large = { key: 'big', value: 'y'.repeat(200) } // 204 chars
    const input = [small[0]!, large, ...small.slice(1)]
    const out = serializeTracestate(input)
    expect(out.length).toBeLessThanOrEqual(512)
    expect(out).not.toContain('big=')
    // all ten small ones fit (10 * ~34 + 9 < 512), in order
    expect(out.split(',').map((p) => p.split('=')[0])).toEqual(small.map((s) => s.key))
  })

  it('then drops from the end when small entries alone exceed 512', () => {
    const m = Array.from({ length: 32 }, (_, i) => ({ key: `k${String(i).padStart(2, '0')}`, value: 'x'.repeat(40) })) // 44 chars each
    const out = serializeTracestate(m)
    expect(out.length).toBeLessThanOrEqual(512)
    const keys = out.split(',').map((p) => p.split('=')[0])
    expect(keys).toEqual(m.slice(0, keys.length).map((x) => x.key))
    expect(keys.length).toBe(Math.floor((512 + 1) / 45))
  })

  it('keeps a large entry when everything fits', () => {
    const out = serializeTracestate([{ key: 'big', value: 'y'.repeat(200) }])
    expect(out).toBe('big=' + 'y'.repeat(200))
  })
})
