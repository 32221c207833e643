// The registry-symbol method through which @tracewire/tracing writes the access line for the request's span
// without entering its context.
import { context, trace, type SpanContext } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLines } from './helpers.js'

const NAMED: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }
const ACTIVE: SpanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 }
const LOG_FOR_SPAN_CONTEXT = Symbol.for('tracewire.logForSpanContext')
type LogFor = (this: object, sc: SpanContext, level: string, obj: object, msg: string) => void

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
})
afterAll(() => {
  context.disable()
})

function logFor(logger: object): LogFor {
  const fn = (logger as unknown as Record<symbol, unknown>)[LOG_FOR_SPAN_CONTEXT]
  expect(typeof fn).toBe('function')
  return fn as LogFor
}

const parse = (lines: string[]): Record<string, unknown>[] => lines.map((l) => JSON.parse(l) as Record<string, unknown>)

describe('logForSpanContext (Symbol.for("tracewire.logForSpanContext"))', () => {
  it('writes the named span\'s ids at the given level, even with no span active, and only for that call', async () => {
    const lines = parse(await captureLines({}, (logger) => {
      logFor(logger).call(logger, NAMED, 'warn', { status: 499 }, 'request aborted')
      logger.info('after')
    }))
    expect(lines[0]).toMatchObject({ level: 'warn', message: 'request aborted', status: 499, trace_id: NAMED.traceId, span_id: NAMED.spanId, trace_flags: '01' })
    expect(lines[1]).toMatchObject({ message: 'after' })
    expect(lines[1]).not.toHaveProperty('trace_id')
  })

  it('wins over the active span for its call; the next call reads the active span again', async () => {
    const lines = parse(await captureLines({}, (logger) => {
      context.with(trace.setSpanContext(context.active(), ACTIVE), () => {
        logFor(logger).call(logger, NAMED, 'info', {}, 'named')
        logger.info('active')
      })
    }))
    expect(lines.map((l) => [l.message, l.trace_id, l.trace_flags])).toEqual([
      ['named', NAMED.traceId, '01'],
      ['active', ACTIVE.traceId, '00'],
    ])
  })

  it('is inherited by children (with their bindings) and honours the trace field names', async () => {
    const lines = parse(await captureLines({ schema: 'ecs' }, (logger) => {
      const child = logger.child({ tenant: 'a' })
      logFor(child).call(child, NAMED, 'info', { status: 200 }, 'request completed')
    }))
    expect(lines[0]).toMatchObject({ 'trace.id': NAMED.traceId, 'span.id': NAMED.spanId, tenant: 'a', status: 200 })
    expect(lines[0]).not.toHaveProperty('trace_id')
  })

  it('writes no trace fields for an invalid span context (all-zero ids), like the active path', async () => {
    const lines = parse(await captureLines({}, (logger) => {
      logFor(logger).call(logger, { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 }, 'info', {}, 'invalid')
    }))
    expect(lines[0]).toMatchObject({ message: 'invalid' })
    expect(lines[0]).not.toHaveProperty('trace_id')
  })

  it('writes nothing, and does not throw, for a level the logger does not have or one below its level', async () => {
    const lines = parse(await captureLines({ level: 'warn' }, (logger) => {
      logFor(logger).call(logger, NAMED, 'nope', {}, 'x')
      logFor(logger).call(logger, NAMED, 'info', {}, 'below level')
      logger.warn('kept')
    }))
    expect(lines.map((l) => l.message)).toEqual(['kept'])
    expect(lines[0]).not.toHaveProperty('trace_id')
  })
})
