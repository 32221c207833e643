import { setTimeout as sleep } from 'node:timers/promises'
import { context, trace } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import {
  extractTraceContext,
  getTraceContext,
  injectTraceHeaders,
  parseTraceparent,
  startTraceContext,
  withTraceContext,
} from '../src/index.js'
import { PARENT, TRACE, TRACEPARENT } from './helpers.js'

describe('trace context', () => {
  it('is undefined outside any trace', () => {
    expect(getTraceContext()).toBeUndefined()
  })

  it('a new trace: lowercase non-zero ids, sampled + random flags', () => {
    const tc = startTraceContext()
    expect(tc.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/)
    expect(tc.spanId).toMatch(/^(?!0{16})[0-9a-f]{16}$/)
    expect(tc.traceFlags).toBe(0x03)
    expect(startTraceContext(undefined, false).traceFlags).toBe(0x02)
  })

  it('a child of an incoming trace keeps trace id, flags and tracestate, with a new span id', () => {
    const incoming = extractTraceContext({ traceparent: TRACEPARENT, tracestate: 'v=1' })
    const tc = startTraceContext(incoming)
    expect(tc).toMatchObject({ traceId: TRACE, parentSpanId: PARENT, traceFlags: 1, traceState: [{ key: 'v', value: '1' }] })
    expect(tc.spanId).not.toBe(PARENT)
  })

  it('the active span context looks like a plain one: four keys, and a copy does not inherit the parent or tracestate', () => {
    const tc = startTraceContext(extractTraceContext({ traceparent: TRACEPARENT, tracestate: 'v=1' }))
    withTraceContext(tc, () => {
      const sc = trace.getSpanContext(context.active())!
      expect(getTraceContext()).toEqual(tc)
      expect(Object.keys(sc).sort()).toEqual(['isRemote', 'spanId', 'traceFlags', 'traceId'])
      expect(sc).toEqual({ traceId: TRACE, spanId: tc.spanId, traceFlags: 1, isRemote: false })
      // A library deriving another span context by spreading this one gets none of our extras.
      const copy = { ...sc, spanId: 'aaaaaaaaaaaaaaaa' }
      const seen = context.with(trace.setSpanContext(context.active(), copy), () => getTraceContext())
      expect(seen).toEqual({ traceId: TRACE, spanId: 'aaaaaaaaaaaaaaaa', traceFlags: 1 })
    })
  })

  it('withTraceContext runs fn inside, across awaits and timers, and returns its value', async () => {
    const tc = startTraceContext()
    const seen = await withTraceContext(tc, async () => {
      await sleep(1)
      const inTimer = await new Promise((r) => setTimeout(() => r(getTraceContext()), 1))
      return [getTraceContext(), inTimer]
    })
    expect(seen).toEqual([tc, tc])
    expect(getTraceContext()).toBeUndefined()
  })

  it('concurrent scopes never mix', async () => {
    const contexts = Array.from({ length: 200 }, () => startTraceContext())
    const results = await Promise.all(
      contexts.map((tc, i) =>
        withTraceContext(tc, async () => {
          await sleep(i % 7)
          await Promise.resolve()
          return getTraceContext()?.spanId
        }),
      ),
    )
    expect(results).toEqual(contexts.map((c) => c.spanId))
  })

  it('injectTraceHeaders writes a child traceparent only inside a trace and never overwrites one', () => {
    const outside: Record<string, string> = {}
    expect(injectTraceHeaders(outside)).toBe(false)
    expect(outside).toEqual({})

    const tc = startTraceContext(extractTraceContext({ traceparent: TRACEPARENT, tracestate: 'v=1' }))
    withTraceContext(tc, () => {
      const h: Record<string, string> = {}
      expect(injectTraceHeaders(h, { b3: 'multi' })).toBe(true)
      const sent = parseTraceparent(h.traceparent)
      expect(sent?.traceId).toBe(TRACE)
      expect(sent?.parentId).not.toBe(tc.spanId)
      expect(h.tracestate).toBe('v=1')
      expect(h['x-b3-traceid']).toBe(TRACE)
      expect(h['x-b3-spanid']).toBe(sent?.parentId)
      expect(h['x-b3-sampled']).toBe('1')

      const existing = { TraceParent: 'keep' }
      expect(injectTraceHeaders(existing)).toBe(false)
      expect(existing).toEqual({ TraceParent: 'keep' })
    })
  })
})
