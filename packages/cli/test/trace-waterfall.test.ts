import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { escapeHtml, jsonForScript } from '../src/trace-view/html.js'
import { buildTraceView, type TraceDocument } from '../src/trace-view/spans.js'
import { renderTracePage } from '../src/trace-view/trace-page.js'
import { COLLAPSE_ABOVE_SPANS, formatMs, MAX_LINE_DETAIL_CHARS, TICK_BUCKETS, timeAxis } from '../src/trace-view/waterfall.js'
import { WATERFALL_SCRIPT } from '../src/trace-view/waterfall-script.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0, 0)

function line(ms: number, service: string, span: string, message: string, extra: Record<string, unknown> = {}): TraceDocument {
  return { '@timestamp': new Date(T0 + ms).toISOString(), level: 'info', service, message, trace_id: TRACE, span_id: span, ...extra }
}

function access(endMs: number, service: string, span: string, durationMs: number, parent?: string, extra: Record<string, unknown> = {}): TraceDocument {
  return line(endMs, service, span, 'request completed', { method: 'GET', path: '/x', status: 200, duration_ms: durationMs, ...(parent ? { parent_span_id: parent } : {}), ...extra })
}

function count(html: string, pattern: RegExp): number {
  return html.match(new RegExp(pattern.source, 'g'))?.length ?? 0
}

/** A trace of `spans` spans (a root, then chains three deep) and `lines` lines; the second to last span (depth 3) fails. */
function bigTrace(spans: number, lines: number): TraceDocument[] {
  const docs: TraceDocument[] = [access(10_000, 'gateway', 's0', 10_000)]
  for (let i = 1; i < spans; i++) {
    const parent = i % 3 === 1 ? 's0' : `s${i - 1}`
    const start = (i % 3 === 1 ? i * 40 : 0) + (i % 3) * 5
    docs.push(access(Math.min(start + 1000, 9_990), ['orders', 'payments', 'stock'][i % 3] as string, `s${i}`, 900 - (i % 3) * 100, parent, i === spans - 2 ? { status: 500 } : {}))
  }
  for (let n = docs.length; n < lines; n++) {
    const i = n % spans
    docs.push(line(10 + (n % 9_000), 'orders', `s${i}`, `step ${n} of the work with some detail about it`, { user_id: n, cart: { items: n % 7 } }))
  }
  return docs
}

describe('renderTracePage', () => {
  it('escapes every log value: a message cannot add markup or end the data element', () => {
    const evil = '</script><img src=x onerror=alert(1)><!--'
    const view = buildTraceView(TRACE, [access(10, '<b>svc</b>', 'a1', 10, undefined, { message: evil, path: '/"><svg onload=alert(1)>' })])
    const html = renderTracePage(view, { total: 1, source: '<i>src</i>' })
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<svg')
    expect(html).not.toContain('<b>svc')
    expect(html).not.toContain('<i>src')
    expect(count(html, /<\/script>/)).toBe(2)
    expect(html).toContain('\\u003c/script>\\u003cimg src=x onerror=alert(1)>\\u003c!--')
  })

  it('fetches nothing: no external URL, and a CSP that allows only its own script by hash', () => {
    const html = renderTracePage(buildTraceView(TRACE, bigTrace(5, 20)), { total: 20, source: 'fluentd-* on http://127.0.0.1:9200' })
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/)
    expect(html).not.toMatch(/\b(src|href)\s*=/)
    const hash = createHash('sha256').update(WATERFALL_SCRIPT).digest('base64')
    expect(html).toContain(`content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;sha256-${hash}&#39;; img-src data:; base-uri &#39;none&#39;; form-action &#39;none&#39;"`)
    expect(html).toContain(`<script>${WATERFALL_SCRIPT}</script>`)
  })

  it('renders one lane per service and one row per span with its depth and parent row', () => {
    const view = buildTraceView(TRACE, [
      access(100, 'gateway', 'a1', 100),
      access(80, 'orders', 'b1', 60, 'a1'),
      access(70, 'payments', 'c1', 30, 'b1', { status: 502 }),
      line(60, 'payments', 'c1', 'card declined', { level: 'error' }),
    ])
    const html = renderTracePage(view, { total: 4 })
    expect([...html.matchAll(/class="tw-lane" data-service="([^"]+)"/g)].map((m) => m[1])).toEqual(['gateway', 'orders', 'payments'])
    expect([...html.matchAll(/data-row="(\d+)" data-depth="(\d+)" data-parent="(-?\d+)" data-service="([^"]+)"/g)].map((m) => m.slice(1).join(' '))).toEqual([
      '0 0 -1 gateway',
      '1 1 0 orders',
      '2 2 1 payments',
    ])
    // The span the error starts in is filled red; its callers' errors are outlined.
    expect(count(html, /class="tw-bar tw-bar-error"/)).toBe(2) // lane bar + row bar of payments
    expect(count(html, /class="tw-tick tw-tick-error"/)).toBe(1)
    expect(html).toContain('<p class="tw-summary"><span class="tw-total">100 ms</span> · 3 services · 3 spans · 4 lines · <span class="tw-error-count">1 span with errors</span></p>')
  })

  it('says when the size limit cut the trace', () => {
    const html = renderTracePage(buildTraceView(TRACE, [access(10, 'a', 'a1', 10)]), { total: 12_000 })
    expect(html).toContain('Showing the first 1 of 12000 lines of this trace.')
  })

  it('stays small for 200 spans and 10 000 lines: merged ticks, collapsed subtrees, the error path open', () => {
    const docs = bigTrace(200, 10_000)
    const html = renderTracePage(buildTraceView(TRACE, docs), { total: docs.length })
    // The lines themselves are most of it (the details panel shows them); the drawing adds less than half again.
    expect(html.length).toBeLessThan(1.5 * JSON.stringify(docs).length)
    expect(count(html, /class="tw-row[ "]/)).toBe(200)
    expect(count(html, /class="tw-tick/)).toBeLessThanOrEqual(200 * TICK_BUCKETS)
    expect(count(html, /class="tw-tick/)).toBeLessThan(docs.length)
    const hidden = count(html, /<div class="tw-row[^>]* hidden>/)
    expect(200).toBeGreaterThan(COLLAPSE_ABOVE_SPANS)
    expect(hidden).toBeGreaterThan(100)
    // The failing span (depth 3) is visible: its parent and grandparent stay open, their siblings are closed.
    const rowTag = (row: number): string => new RegExp(`<div class="tw-row[^"]*" data-row="${row}" [^>]*>`).exec(html)?.[0] ?? ''
    expect(rowTag(198)).toMatch(/^<div class="tw-row tw-error" data-row="198" data-depth="3" /)
    expect([196, 197, 198].map((r) => [rowTag(r).includes(' hidden'), /data-collapsed="(\w+)"/.exec(rowTag(r))?.[1]])).toEqual([
      [false, 'false'],
      [false, 'false'],
      [false, undefined],
    ])
    // A subtree away from the error starts closed.
    expect([1, 2, 3].map((r) => [rowTag(r).includes(' hidden'), /data-collapsed="(\w+)"/.exec(rowTag(r))?.[1]])).toEqual([
      [false, 'true'],
      [true, 'true'],
      [true, undefined],
    ])
    expect(count(html, /data-collapsed="true"/)).toBe(2 * 66 - 2)
  })

  it('does not collapse a small trace', () => {
    const html = renderTracePage(buildTraceView(TRACE, bigTrace(COLLAPSE_ABOVE_SPANS, 100)), { total: 100 })
    expect(html).not.toMatch(/data-collapsed="true"/)
    expect(html).not.toMatch(/<div class="tw-row[^>]* hidden>/)
  })

  it('cuts the fields of a huge line for the details panel', () => {
    const small = renderTracePage(buildTraceView(TRACE, [access(10, 'a', 'a1', 10)]), { total: 1 })
    const huge = renderTracePage(buildTraceView(TRACE, [access(10, 'a', 'a1', 10, undefined, { blob: 'x'.repeat(64 * 1024) })]), { total: 1 })
    // The message keeps its place; the 64 KiB field appears once, cut, in the details JSON.
    expect(huge.length - small.length).toBeLessThan(2 * MAX_LINE_DETAIL_CHARS + 500)
    expect(huge).toContain('more characters (tracewire trace --json shows the whole line)')
  })
})

describe('timeAxis / formatMs', () => {
  it.each<[number, number[]]>([
    [0, [0]],
    [75, [0, 20, 40, 60]],
    [100, [0, 20, 40, 60, 80, 100]],
    [1300, [0, 500, 1000]],
    [0.3, [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]],
  ])('timeAxis(%s)', (total, marks) => {
    expect(timeAxis(total)).toEqual(marks)
  })

  it.each<[number, string]>([
    [0, '0 ms'],
    [12.5, '12.5 ms'],
    [20, '20 ms'],
    [150.4, '150 ms'],
    [1250, '1.25 s'],
    [12_500, '12.5 s'],
    [-20, '-20 ms'],
  ])('formatMs(%s) = %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text)
  })
})

describe('html helpers', () => {
  it('escapeHtml covers text and both quote styles', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
  })
  it('jsonForScript round-trips through JSON.parse', () => {
    const value = { m: '</script><!-- \u2028 "q"' }
    expect(JSON.parse(jsonForScript(value))).toEqual(value)
  })
})
