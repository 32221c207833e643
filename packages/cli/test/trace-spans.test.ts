import { describe, expect, it } from 'vitest'
import { buildTraceView, SKEW_TOLERANCE_MS, type Span, type TraceDocument } from '../src/trace-view/spans.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0, 0)

/** A log line `ms` after T0. */
function line(ms: number, service: string, span: string | null, message: string, extra: Record<string, unknown> = {}): TraceDocument {
  return {
    '@timestamp': new Date(T0 + ms).toISOString(),
    level: 'info',
    service,
    message,
    trace_id: TRACE,
    ...(span === null ? {} : { span_id: span }),
    ...extra,
  }
}

/** The access line of a span that ended `endMs` after T0 and lasted `durationMs`. */
function access(endMs: number, service: string, span: string, durationMs: number, parent?: string, extra: Record<string, unknown> = {}): TraceDocument {
  return line(endMs, service, span, 'request completed', {
    method: 'GET',
    path: `/${service}`,
    status: 200,
    duration_ms: durationMs,
    ...(parent === undefined ? {} : { parent_span_id: parent }),
    ...extra,
  })
}

/** The shape of a tree: `id@start-end` (ms after T0) with children, flags in brackets. */
function shape(span: Span): string {
  const flags = [
    span.missingParent ? 'missing-parent' : '',
    span.parentInferred ? 'inferred' : '',
    span.hasAccessLine ? '' : 'no-access',
    span.aborted ? 'aborted' : '',
    span.isError ? 'error' : '',
    span.clockSkewMs !== 0 ? `skew ${span.clockSkewMs}` : '',
    span.clamped ? 'clamped' : '',
  ].filter(Boolean)
  const self = `${span.spanId ?? `(${span.service})`}@${span.drawStartMs - T0}-${span.drawEndMs - T0}${flags.length ? ` [${flags.join(', ')}]` : ''}`
  return span.children.length === 0 ? self : `${self} { ${span.children.map(shape).join(' ')} }`
}

describe('buildTraceView: the tree, as a table', () => {
  it.each<[string, TraceDocument[], string[]]>([
    [
      'nesting three deep',
      [
        access(100, 'gateway', 'a1', 100),
        line(10, 'gateway', 'a1', 'calling orders'),
        access(80, 'orders', 'b1', 60, 'a1'),
        access(70, 'payments', 'c1', 30, 'b1'),
      ],
      ['a1@0-100 { b1@20-80 { c1@40-70 } }'],
    ],
    [
      'parallel children, in start order whatever the line order',
      [access(100, 'gateway', 'a1', 100), access(60, 'stock', 'b2', 40, 'a1'), access(50, 'orders', 'b1', 45, 'a1')],
      ['a1@0-100 { b1@5-50 b2@20-60 }'],
    ],
    [
      // @tracewire/tracing gives each outgoing call a fresh span id that no line carries.
      "the caller's outgoing call has no line: nested under the innermost enclosing span, marked",
      [
        access(100, 'gateway', 'a1', 100),
        access(90, 'orders', 'b1', 80, 'c11e0000000000b1'),
        access(60, 'stock', 'b2', 45, 'c11e0000000000b2'),
        access(55, 'payments', 'c1', 10, 'c11e0000000000c1'),
      ],
      ['a1@0-100 { b1@10-90 [inferred] { b2@15-60 [inferred] { c1@45-55 [inferred] } } }'],
    ],
    [
      'a missing parent and no span around it: the span is a root and says so',
      [access(100, 'gateway', 'a1', 100), access(150, 'orders', 'b1', 20, 'ffffffffffffffff'), access(60, 'orders', 'b2', 100, 'fffffffffffffffe')],
      ['b2@-40-60 [missing-parent]', 'a1@0-100', 'b1@130-150 [missing-parent]'],
    ],
    [
      'a span with no access line lasts from its first to its last line',
      [line(12, 'worker', 'w1', 'picked a job'), line(40, 'worker', 'w1', 'still working'), line(25, 'worker', 'w1', 'half way')],
      ['w1@12-40 [no-access]'],
    ],
    [
      'an aborted request keeps its measured duration and is marked',
      [access(30, 'orders', 'b1', 30, undefined, { aborted: true, status: 200, level: 'warn', message: 'request aborted' })],
      ['b1@0-30 [aborted]'],
    ],
    [
      'a 5xx status or an error line marks the span, a 4xx does not',
      [
        access(100, 'gateway', 'a1', 100, undefined, { status: 502 }),
        access(60, 'orders', 'b1', 50, 'a1', { status: 404 }),
        access(90, 'payments', 'c1', 20, 'a1', { status: 402 }),
        line(80, 'payments', 'c1', 'card declined', { level: 'error' }),
      ],
      ['a1@0-100 [error] { b1@10-60 c1@70-90 [error] }'],
    ],
    [
      'lines without a span id form one span per service',
      [line(0, 'cron', null, 'tick'), line(5, 'cron', null, 'tock'), line(3, 'mailer', null, 'sent')],
      ['(cron)@0-5 [no-access]', '(mailer)@3-3 [no-access]'],
    ],
  ])('%s', (_case, docs, roots) => {
    const view = buildTraceView(TRACE, docs)
    expect(view.roots.map(shape)).toEqual(roots)
    expect(view.lineCount).toBe(docs.length)
  })
})

describe('buildTraceView: clock skew', () => {
  it.each<[string, TraceDocument[], string]>([
    [
      // payments' clock is 25 ms behind: its span seems to start before the orders span that called it.
      'a child that starts before its parent is shifted inside it, with its subtree, and flagged',
      [access(100, 'orders', 'a1', 100), access(30, 'payments', 'b1', 50, 'a1'), access(25, 'payments', 'c1', 10, 'b1')],
      'a1@0-100 { b1@0-50 [skew 20] { c1@35-45 } }',
    ],
    [
      'a child ahead of its parent ends with it',
      [access(100, 'orders', 'a1', 100), access(150, 'payments', 'b1', 40, 'a1')],
      'a1@0-100 { b1@60-100 [skew -50] }',
    ],
    [
      'a child longer than its parent starts with it and is clamped to its end',
      [access(100, 'orders', 'a1', 50), access(120, 'payments', 'b1', 90, 'a1')],
      'a1@50-100 { b1@50-100 [skew 20, clamped] }',
    ],
    [
      // A callee writes its access line when its socket closes, which can be after its caller finished.
      'on one host (one clock) nothing is shifted: the part outside the parent is cut, not called skew',
      [access(100, 'orders', 'a1', 90, undefined, { host: 'vm' }), access(112, 'payments', 'b1', 60, 'a1', { host: 'vm' }), access(20, 'payments', 'b2', 15, 'a1', { host: 'vm' })],
      'a1@10-100 { b2@10-20 [clamped] b1@52-100 [clamped] }',
    ],
    [
      "and a callee whose caller's outgoing call has no line still nests, by its start",
      [access(100, 'orders', 'a1', 100, undefined, { host: 'vm' }), access(112, 'payments', 'b1', 60, 'c11e000000000001', { host: 'vm' })],
      'a1@0-100 { b1@52-100 [inferred, clamped] }',
    ],
    [
      // @timestamp has ms precision, duration_ms µs: within the tolerance the child is drawn inside, not flagged.
      'a shift within the rounding tolerance is clamped but not flagged',
      [access(100, 'orders', 'a1', 99.5), access(10, 'orders', 'b1', 9.75, 'a1')],
      'a1@0.5-100 { b1@0.5-10.25 }',
    ],
  ])('%s', (_case, docs, tree) => {
    const view = buildTraceView(TRACE, docs)
    expect(view.roots.map(shape)).toEqual([tree])
  })

  it('keeps the measured times beside the drawn ones, and moves the lines with their span', () => {
    const view = buildTraceView(TRACE, [access(100, 'orders', 'a1', 100), line(-10, 'payments', 'b1', 'charging'), access(30, 'payments', 'b1', 50, 'a1')])
    const child = view.spans[1]!
    expect([child.startMs - T0, child.endMs - T0, child.drawStartMs - T0]).toEqual([-20, 30, 0])
    expect(child.lines.map((l) => [l.message, (l.timeMs ?? 0) - T0, (l.drawTimeMs ?? 0) - T0])).toEqual([
      ['charging', -10, 10],
      ['request completed', 30, 50],
    ])
    expect(view.startMs - T0).toBe(0)
    expect(SKEW_TOLERANCE_MS).toBe(1)
  })
})

describe('buildTraceView: bad data never breaks the picture', () => {
  it('cuts a parent loop instead of following it forever', () => {
    const view = buildTraceView(TRACE, [access(50, 'a', 'a1', 50, 'b1'), access(40, 'b', 'b1', 20, 'a1'), access(35, 'c', 'c1', 5, 'b1')])
    expect(view.roots.map(shape)).toEqual(['a1@0-50 [missing-parent] { b1@20-40 { c1@30-35 } }'])
    expect(view.spans).toHaveLength(3)
  })

  it('lists a span whose lines have no readable @timestamp, at the start of the trace', () => {
    const view = buildTraceView(TRACE, [access(100, 'orders', 'a1', 100), { service: 'ghost', span_id: 'g1', message: 'when?', '@timestamp': 'yesterday' }])
    expect(view.roots.map(shape)).toEqual(['a1@0-100', 'g1@0-0 [no-access]'])
    expect(view.spans[1]!.lines[0]!.timeMs).toBeNull()
  })

  it('handles ten thousand chained spans without overflowing the stack', () => {
    const docs: TraceDocument[] = []
    for (let i = 0; i < 10_000; i++) docs.push(access(100_000 - i, 's', `s${i}`, 100_000 - 2 * i, i === 0 ? undefined : `s${i - 1}`))
    const view = buildTraceView(TRACE, docs)
    expect(view.roots).toHaveLength(1)
    expect(view.spans.at(-1)!.depth).toBe(9_999)
  })

  it('ignores non-numeric duration_ms/status: such a line is an event, not an access line', () => {
    const view = buildTraceView(TRACE, [line(5, 'orders', 'a1', 'odd', { duration_ms: '12', status: 200 }), line(9, 'orders', 'a1', 'end')])
    expect(view.roots.map(shape)).toEqual(['a1@5-9 [no-access]'])
  })

  it('reads service, method, route or path and status from the access line', () => {
    const view = buildTraceView(TRACE, [access(10, 'orders', 'a1', 10, undefined, { route: '/orders/:id', path: '/orders/42', method: 'POST', status: 201 })])
    const span = view.spans[0]!
    expect([span.service, span.method, span.path, span.status, span.durationMs]).toEqual(['orders', 'POST', '/orders/:id', 201, 10])
    expect(span.lines.map((l) => l.isAccess)).toEqual([true])
  })

  it('lists services in the order they start', () => {
    const view = buildTraceView(TRACE, [access(80, 'payments', 'c1', 10, 'b1'), access(100, 'gateway', 'a1', 100), access(90, 'orders', 'b1', 60, 'a1')])
    expect(view.services).toEqual(['gateway', 'orders', 'payments'])
    expect(view.spans.map((s) => [s.spanId, s.depth])).toEqual([['a1', 0], ['b1', 1], ['c1', 2]])
  })
})

describe('buildTraceView with lines of both schemas', () => {
  /** The same line as the ECS schema writes it (`@tracewire/contract`). */
  function ecs(doc: TraceDocument): TraceDocument {
    const { level, service, span_id, trace_id, ...rest } = doc
    return { ...rest, 'log.level': level, 'service.name': service, 'trace.id': trace_id, ...(span_id === undefined ? {} : { 'span.id': span_id }) }
  }

  it('nests an ECS service under a default-schema caller, with its service, span and level', () => {
    const view = buildTraceView(TRACE, [
      access(100, 'gateway', 'a1', 100),
      ecs(access(90, 'billing', 'b1', 50, 'a1')),
      ecs(line(60, 'billing', 'b1', 'card declined', { level: 'error' })),
    ])
    expect(view.services).toEqual(['gateway', 'billing'])
    expect(view.spans.map((s) => [s.spanId, s.service, s.depth])).toEqual([['a1', 'gateway', 0], ['b1', 'billing', 1]])
    expect(view.spans[1]?.isError).toBe(true)
  })
})
