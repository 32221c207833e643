import { describe, expect, it } from 'vitest'
import { buildTimeline, formatDuration, formatOffset, formatTimelineText, timelineJson, type SearchHit } from '../src/timeline.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

function hit(id: string, source: Record<string, unknown>, index = 'fluentd-orders-20261126'): SearchHit {
  return { _index: index, _id: id, _source: { trace_id: TRACE, ...source } }
}

const hits: SearchHit[] = [
  hit('a', { '@timestamp': '2026-11-26T12:02:12.100Z', level: 'info', service: 'orders', span_id: '00f067aa0ba902b7', message: 'creating order' }),
  hit(
    'b',
    { '@timestamp': '2026-11-26T12:02:12.112Z', level: 'error', service: 'payments', span_id: 'b7ad6b7169203331', message: 'card declined', err: { type: 'PaymentError', message: 'insufficient funds' } },
    'fluentd-payments-20261126',
  ),
  hit(
    'c',
    { '@timestamp': '2026-11-26T12:02:12.115Z', level: 'info', service: 'payments', span_id: 'b7ad6b7169203331', message: 'request completed', duration_ms: 9.5, status: 402, method: 'POST', path: '/charge' },
    'fluentd-payments-20261126',
  ),
  hit('d', { '@timestamp': '2026-11-26T12:02:13.400Z', level: 'info', service: 'orders', span_id: '00f067aa0ba902b7', message: 'request completed', duration_ms: 1300, status: 502 }),
]

describe('formatOffset / formatDuration', () => {
  it.each([
    [0, '+0.0 ms'],
    [12.3, '+12.3 ms'],
    [999.9, '+999.9 ms'],
    [1000, '+1.000 s'],
    [61234, '+61.234 s'],
    [null, '?'],
  ])('formatOffset(%s) = %s', (ms, text) => {
    expect(formatOffset(ms)).toBe(text)
  })
  it.each([
    [9.5, '9.5 ms'],
    [1300, '1.300 s'],
  ])('formatDuration(%s) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('buildTimeline', () => {
  const timeline = buildTimeline(TRACE, hits, 4)

  it('places every line relative to the first one', () => {
    expect(timeline.entries.map((e) => e.offsetMs)).toEqual([0, 12, 15, 1300])
    expect(timeline.spanMs).toBe(1300)
  })

  it('lists services in order of first appearance', () => {
    expect(timeline.services).toEqual(['orders', 'payments'])
  })

  it('reads the request of access lines and only of those', () => {
    expect(timeline.entries.map((e) => e.request)).toEqual([
      null,
      null,
      { durationMs: 9.5, status: 402, method: 'POST', path: '/charge' },
      { durationMs: 1300, status: 502 },
    ])
  })

  it('summarises error objects', () => {
    expect(timeline.entries[1]?.error).toBe('PaymentError: insufficient funds')
  })

  it('keeps lines without a timestamp, marked as unknown', () => {
    const t = buildTimeline(TRACE, [hit('x', { level: 'info', service: 'orders', message: 'no time' })], 1)
    expect(t.entries[0]?.offsetMs).toBeNull()
    expect(formatTimelineText(t)).toContain('?  orders')
  })

  it('reads ECS lines (log.level, service.name, span.id) as written, dotted, or as nested objects', () => {
    const ecs = (id: string, source: Record<string, unknown>): SearchHit => ({ _index: 'fluentd-billing-20261126', _id: id, _source: { 'trace.id': TRACE, ...source } })
    const t = buildTimeline(TRACE, [
      ecs('e1', { 'log.level': 'warn', '@timestamp': '2026-11-26T12:02:12.100Z', 'service.name': 'billing', message: 'dotted', 'span.id': '00f067aa0ba902b7' }),
      ecs('e2', { log: { level: 'error' }, '@timestamp': '2026-11-26T12:02:12.110Z', service: { name: 'billing' }, message: 'nested', span: { id: 'b7ad6b7169203331' } }),
      hit('d1', { '@timestamp': '2026-11-26T12:02:12.120Z', level: 'info', service: 'orders', span_id: '1111111111111111', message: 'default' }),
    ], 3)
    expect(t.services).toEqual(['billing', 'orders'])
    expect(t.entries.map((e) => [e.service, e.level, e.spanId, e.message])).toEqual([
      ['billing', 'warn', '00f067aa0ba902b7', 'dotted'],
      ['billing', 'error', 'b7ad6b7169203331', 'nested'],
      ['orders', 'info', '1111111111111111', 'default'],
    ])
  })
})

describe('formatTimelineText', () => {
  it('prints an aligned timeline with a header', () => {
    const text = formatTimelineText(buildTimeline(TRACE, hits, 4))
    expect(text).toBe(
      [
        `trace ${TRACE}: 4 lines from 2 services (orders, payments) over 1.300 s`,
        '',
        ' +0.0 ms  orders    00f067aa0ba902b7  info   creating order',
        '+12.0 ms  payments  b7ad6b7169203331  error  card declined (PaymentError: insufficient funds)',
        '+15.0 ms  payments  b7ad6b7169203331  info   request completed  [POST /charge 402 in 9.5 ms]',
        '+1.300 s  orders    00f067aa0ba902b7  info   request completed  [502 in 1.300 s]',
        '',
      ].join('\n'),
    )
  })

  it('keeps a message with newlines on one line', () => {
    const text = formatTimelineText(
      buildTimeline(TRACE, [hit('x', { '@timestamp': '2026-11-26T12:00:00.000Z', level: 'warn', service: 'orders', message: 'a\nb\u2028c' })], 1),
    )
    expect(text.split('\n')[2]).toBe('+0.0 ms  orders  -  warn  a\\nb\\u2028c')
  })

  it('says when the size limit cut the result', () => {
    const text = formatTimelineText(buildTimeline(TRACE, hits.slice(0, 2), 25_000))
    expect(text).toContain('(showing the first 2 of 25000 lines')
  })
})

describe('timelineJson', () => {
  it('is machine-readable with the contract field names', () => {
    const json = timelineJson(buildTimeline(TRACE, hits, 4))
    expect(json).toMatchObject({ trace_id: TRACE, total: 4, truncated: false, services: ['orders', 'payments'], span_ms: 1300 })
    const lines = json.lines as Array<Record<string, unknown>>
    expect(lines[2]).toMatchObject({
      offset_ms: 15,
      '@timestamp': '2026-11-26T12:02:12.115Z',
      service: 'payments',
      span_id: 'b7ad6b7169203331',
      level: 'info',
      request: { duration_ms: 9.5, status: 402, method: 'POST', path: '/charge' },
      _index: 'fluentd-payments-20261126',
      _id: 'c',
    })
    expect(JSON.parse(JSON.stringify(json))).toEqual(json)
  })
})
