import { describe, expect, it } from 'vitest'
import { readRecentErrors, recentErrorsQuery, traceIdFields } from '../src/trace-view/recent-errors.js'

const caps = (fields: Record<string, Record<string, { aggregatable: boolean }>>) => ({ indices: ['i'], fields })

describe('traceIdFields', () => {
  it.each<[string, unknown, string[]]>([
    ['the tracewire template (keyword)', caps({ trace_id: { keyword: { aggregatable: true } } }), ['trace_id']],
    ['dynamic mapping (text + .keyword)', caps({ trace_id: { text: { aggregatable: false } }, 'trace_id.keyword': { keyword: { aggregatable: true } } }), ['trace_id.keyword']],
    [
      'indices of both kinds under one pattern',
      caps({ trace_id: { keyword: { aggregatable: true }, text: { aggregatable: false } }, 'trace_id.keyword': { keyword: { aggregatable: true } } }),
      ['trace_id', 'trace_id.keyword'],
    ],
    ['ECS lines under the tracewire template (trace.id keyword)', caps({ 'trace.id': { keyword: { aggregatable: true } } }), ['trace.id']],
    ['ECS lines under dynamic mapping (trace.id text + .keyword)', caps({ 'trace.id': { text: { aggregatable: false } }, 'trace.id.keyword': { keyword: { aggregatable: true } } }), ['trace.id.keyword']],
    [
      'services of both schemas under one pattern',
      caps({ trace_id: { keyword: { aggregatable: true } }, 'trace.id': { keyword: { aggregatable: true } } }),
      ['trace_id', 'trace.id'],
    ],
    ['no index has a trace id yet', caps({}), []],
    ['an answer without fields', { error: 'x' }, []],
  ])('%s', (_case, answer, fields) => {
    expect(traceIdFields(answer)).toEqual(fields)
  })
})

describe('recentErrorsQuery', () => {
  it('filters error lines of the last hour and buckets them by trace id, latest first', () => {
    const body = recentErrorsQuery('trace_id', 20) as { query: unknown; aggs: { traces: { terms: unknown } } }
    expect(body.query).toEqual({ bool: { filter: [{ term: { level: 'error' } }, { range: { '@timestamp': { gte: 'now-1h' } } }] } })
    expect(body.aggs.traces.terms).toEqual({ field: 'trace_id', size: 20, order: { last_seen: 'desc' } })
  })

  it.each(['trace.id', 'trace.id.keyword'])('on the ECS trace id (%s), filters and reads with the ECS names (log.level, service.name)', (field) => {
    const body = recentErrorsQuery(field) as {
      query: { bool: { filter: unknown[] } }
      aggs: { traces: { terms: { field: string }; aggs: { first_error: { top_hits: { _source: { includes: string[] } } } } } }
    }
    expect(body.query.bool.filter[0]).toEqual({ term: { 'log.level': 'error' } })
    expect(body.aggs.traces.terms.field).toBe(field)
    expect(body.aggs.traces.aggs.first_error.top_hits._source.includes).toEqual(['service.name', 'message', 'err.type', 'err.message'])
  })

  it('on the default trace id, reads service and message', () => {
    const body = recentErrorsQuery('trace_id.keyword') as { aggs: { traces: { aggs: { first_error: { top_hits: { _source: { includes: string[] } } } } } } }
    expect(body.aggs.traces.aggs.first_error.top_hits._source.includes).toEqual(['service', 'message', 'err.type', 'err.message'])
  })
})

describe('readRecentErrors', () => {
  const bucket = (key: string, count: number, first: number, last: number, service: string, message: string) => ({
    key,
    doc_count: count,
    last_seen: { value: last },
    first_seen: { value: first },
    first_error: { hits: { hits: [{ _source: { service, message } }] } },
  })

  it('reads trace, count, last error and the first error line', () => {
    const answer = { aggregations: { traces: { buckets: [bucket('aa', 3, 100, 300, 'payments', 'card declined')] } } }
    expect(readRecentErrors([answer])).toEqual([{ traceId: 'aa', errorLines: 3, lastSeenMs: 300, service: 'payments', message: 'card declined' }])
  })

  it('merges the answers of both mappings by trace id, keeping the earlier first error, latest trace first', () => {
    const keyword = { aggregations: { traces: { buckets: [bucket('aa', 1, 200, 200, 'orders', 'upstream failed'), bucket('bb', 1, 50, 50, 'x', 'old')] } } }
    const text = { aggregations: { traces: { buckets: [bucket('aa', 2, 100, 150, 'payments', 'card declined')] } } }
    expect(readRecentErrors([keyword, text])).toEqual([
      { traceId: 'aa', errorLines: 3, lastSeenMs: 200, service: 'payments', message: 'card declined' },
      { traceId: 'bb', errorLines: 1, lastSeenMs: 50, service: 'x', message: 'old' },
    ])
  })

  it("reads an ECS line's service.name, dotted as the logger writes it or nested", () => {
    const ecs = (key: string, source: Record<string, unknown>) => ({ key, doc_count: 1, last_seen: { value: 10 }, first_seen: { value: 10 }, first_error: { hits: { hits: [{ _source: source }] } } })
    const answer = {
      aggregations: {
        traces: { buckets: [ecs('dd', { 'service.name': 'orders', message: 'dotted' }), ecs('ee', { service: { name: 'payments' }, message: 'nested' })] },
      },
    }
    expect(readRecentErrors([answer]).map((t) => [t.traceId, t.service, t.message])).toEqual([
      ['dd', 'orders', 'dotted'],
      ['ee', 'payments', 'nested'],
    ])
  })

  it('falls back to err.message and ignores malformed buckets and answers', () => {
    const answer = {
      aggregations: {
        traces: {
          buckets: [{ key: 'cc', doc_count: 1, first_error: { hits: { hits: [{ _source: { err: { message: 'boom' } } }] } } }, { key: 42 }, null],
        },
      },
    }
    expect(readRecentErrors([answer, undefined, { aggregations: {} }])).toEqual([{ traceId: 'cc', errorLines: 1, lastSeenMs: null, service: '?', message: 'boom' }])
  })
})
