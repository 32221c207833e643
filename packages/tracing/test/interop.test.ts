// B3 (openzipkin/b3-propagation) and request-id seeding, and how extractTraceContext chooses between them.
import { describe, expect, it } from 'vitest'
import { extractTraceContext, traceIdFromRequestId } from '../src/index.js'
import { parseB3Multi, parseB3Single } from '../src/b3.js'

const T = '0af7651916cd43dd8448eb211c80319c'
const T64 = '8448eb211c80319c'
const S = 'b7ad6b7169203331'

describe('B3 single header', () => {
  it.each([
    ['128-bit, sampled', `${T}-${S}-1`, { traceId: T, spanId: S, sampled: true }],
    ['64-bit trace id is left-padded', `${T64}-${S}-1`, { traceId: '0000000000000000' + T64, spanId: S, sampled: true }],
    ['deferred decision', `${T}-${S}`, { traceId: T, spanId: S, sampled: undefined }],
    ['debug', `${T}-${S}-d`, { traceId: T, spanId: S, sampled: true }],
    ['not sampled, with parent', `${T}-${S}-0-${S}`, { traceId: T, spanId: S, sampled: false }],
    ['uppercase accepted and lowercased', `${T.toUpperCase()}-${S}-1`, { traceId: T, spanId: S, sampled: true }],
  ] as const)('%s', (_n, input, expected) => {
    expect(parseB3Single(input)).toEqual(expected)
  })

  it.each([
    ['only a sampling decision', '1'],
    ['deny', '0'],
    ['zero trace id', `${'0'.repeat(32)}-${S}-1`],
    ['bad sampling state', `${T}-${S}-x`],
    ['bad span id length', `${T}-${S}0-1`],
    ['trace id of 20 chars', `${T.slice(0, 20)}-${S}-1`],
    ['non-hex', `${T.slice(0, 31)}z-${S}-1`],
    ['too many fields', `${T}-${S}-1-${S}-x`],
    ['oversized', 'a'.repeat(10_000)],
  ])('%s is rejected', (_n, input) => {
    expect(parseB3Single(input)).toBeUndefined()
  })
})

describe('B3 multi headers', () => {
  it('reads X-B3-TraceId/SpanId/Sampled', () => {
    expect(parseB3Multi(T64, S, '1', undefined)).toEqual({ traceId: '0000000000000000' + T64, spanId: S, sampled: true })
    expect(parseB3Multi(T, S, '0', undefined)).toEqual({ traceId: T, spanId: S, sampled: false })
    expect(parseB3Multi(T, S, 'true', undefined)?.sampled).toBe(true)
    expect(parseB3Multi(T, S, undefined, '1')?.sampled).toBe(true)
  })
  it('needs both ids', () => {
    expect(parseB3Multi(T, undefined, '1', undefined)).toBeUndefined()
    expect(parseB3Multi(undefined, S, '1', undefined)).toBeUndefined()
  })
})

describe('traceIdFromRequestId', () => {
  it('uses a 32-hex id as is (lowercased)', () => {
    expect(traceIdFromRequestId(T.toUpperCase())).toBe(T)
  })
  it('uses the digits of a UUID', () => {
    expect(traceIdFromRequestId('0AF76519-16CD-43DD-8448-EB211C80319C')).toBe(T)
  })
  it('hashes anything else, stably', () => {
    const a = traceIdFromRequestId('req-42')
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(traceIdFromRequestId('req-42')).toBe(a)
    expect(traceIdFromRequestId('req-43')).not.toBe(a)
  })
  it('never yields the all-zero id', () => {
    expect(traceIdFromRequestId('0'.repeat(32))).toMatch(/^(?!0{32})[0-9a-f]{32}$/)
  })
  it('ignores empty and oversized values', () => {
    expect(traceIdFromRequestId('  ')).toBeUndefined()
    expect(traceIdFromRequestId('x'.repeat(2000))).toBeUndefined()
  })
})

describe('extractTraceContext', () => {
  const tp = `00-${T}-${S}-01`

  it('prefers traceparent and keeps its tracestate', () => {
    expect(extractTraceContext({ traceparent: tp, tracestate: 'a=1', b3: `${T64}-${'c'.repeat(16)}-1` })).toEqual({
      traceId: T, parentSpanId: S, traceFlags: 1, traceState: [{ key: 'a', value: '1' }], source: 'traceparent',
    })
  })

  it('header names are case-insensitive', () => {
    expect(extractTraceContext({ TraceParent: tp, TRACESTATE: 'a=1' })?.traceState).toEqual([{ key: 'a', value: '1' }])
  })

  it('a broken tracestate is dropped without affecting traceparent', () => {
    const got = extractTraceContext({ traceparent: tp, tracestate: 'A=1' })
    expect(got?.traceId).toBe(T)
    expect(got?.traceState).toBeUndefined()
  })

  it('an invalid traceparent falls through to B3, never with its tracestate', () => {
    const got = extractTraceContext({ traceparent: 'garbage', tracestate: 'a=1', b3: `${T64}-${S}-0` })
    expect(got).toEqual({ traceId: '0000000000000000' + T64, parentSpanId: S, traceFlags: 0, source: 'b3' })
  })

  it('an invalid traceparent and nothing else: new trace (undefined)', () => {
    expect(extractTraceContext({ traceparent: `00-${T}-${S}-01-extra`, tracestate: 'a=1' })).toBeUndefined()
  })

  it('reads multi-header B3', () => {
    expect(extractTraceContext({ 'X-B3-TraceId': T, 'X-B3-SpanId': S, 'X-B3-Sampled': '1' })?.source).toBe('b3')
  })

  it('request id is only used when trusted', () => {
    expect(extractTraceContext({ 'x-request-id': T })).toBeUndefined()
    expect(extractTraceContext({ 'x-request-id': T }, { trustedHeaders: ['traceparent', 'request-id'] })).toEqual({
      traceId: T, traceFlags: 1, source: 'request-id',
    })
    expect(extractTraceContext({ 'x-corr': T }, { trustedHeaders: ['request-id'], requestIdHeader: 'X-Corr' })?.traceId).toBe(T)
  })

  it('untrusted headers are ignored', () => {
    expect(extractTraceContext({ traceparent: tp }, { trustedHeaders: [] })).toBeUndefined()
    expect(extractTraceContext({ b3: `${T}-${S}-1` }, { trustedHeaders: ['traceparent'] })).toBeUndefined()
  })

  it('rejects bad options at construction with a stable code', () => {
    expect(() => extractTraceContext({}, { trustedHeaders: ['zipkin' as 'b3'] })).toThrow(expect.objectContaining({ code: 'TW_TRACING_INVALID_OPTION' }))
  })

  it('never throws on odd input, and finds no trace in it', () => {
    for (const h of [null, undefined, 42, 'x', { traceparent: 42 }, { traceparent: [null] }, { b3: {} }, { traceparent: `${tp}\n${tp}` }] as unknown[]) {
      expect(extractTraceContext(h as Record<string, string>), JSON.stringify(h)).toBeUndefined()
    }
  })
})
