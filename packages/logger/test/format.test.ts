import { context, trace, type SpanContext } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import os from 'node:os'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import type { Logger as PinoLogger } from 'pino'
import { CLASH_KEY, createLogger, type Logger, type LoggerOptions } from '../src/index.js'
import { captureLines, keyOrder } from './helpers.js'

const HEAD = /^\{"level":"(trace|debug|info|warn|error|fatal)","time":\d{10}\.\d{3},"@timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","service":"orders","message":/
const host = os.hostname()
const pid = process.pid
const SPAN: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }

let manager: AsyncLocalStorageContextManager
beforeAll(() => {
  manager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(manager)
})
afterAll(() => {
  context.disable()
})

function inSpan(sc: SpanContext, fn: () => void): void {
  context.with(trace.setSpanContext(context.active(), sc), fn)
}

interface Row {
  name: string
  options?: Partial<LoggerOptions>
  act: (logger: Logger) => void
  keys: string[]
  fields?: Record<string, unknown>
}

const BASE = ['level', 'time', '@timestamp', 'service', 'message']
const TRACE = ['trace_id', 'span_id', 'trace_flags']
const HOSTPID = ['host', 'pid']

const rows: Row[] = [
  { name: 'plain message', act: (l) => l.info('hello'), keys: [...BASE, ...HOSTPID], fields: { level: 'info', message: 'hello', host, pid } },
  { name: 'no message at all', act: (l) => l.info({ a: 1 }), keys: [...BASE, ...HOSTPID, 'a'], fields: { message: '', a: 1 } },
  { name: 'printf-style message', act: (l) => l.warn('%s has %d items', 'cart', 3), keys: [...BASE, ...HOSTPID], fields: { level: 'warn', message: 'cart has 3 items' } },
  { name: 'fields then message', act: (l) => l.info({ orderId: 'o-1', amount: 12.5 }, 'accepted'), keys: [...BASE, ...HOSTPID, 'orderId', 'amount'], fields: { orderId: 'o-1', amount: 12.5 } },
  { name: 'message taken from fields (pino convention)', act: (l) => l.info({ message: 'from fields', k: 1 }), keys: [...BASE, ...HOSTPID, 'k'], fields: { message: 'from fields', k: 1 } },
  { name: 'child bindings before call fields', act: (l) => l.child({ reqId: 'r1' }).info({ a: 1 }, 'x'), keys: [...BASE, ...HOSTPID, 'reqId', 'a'], fields: { reqId: 'r1' } },
  { name: 'grandchild repeating a binding replaces it', act: (l) => l.child({ reqId: 'r1', a: 1 }).child({ reqId: 'r2' }).info('x'), keys: [...BASE, ...HOSTPID, 'reqId', 'a'], fields: { reqId: 'r2', a: 1 } },
  { name: 'bindings option', options: { bindings: { region: 'eu' } }, act: (l) => l.info('x'), keys: [...BASE, ...HOSTPID, 'region'], fields: { region: 'eu' } },
  { name: 'active span adds trace fields after message', act: (l) => inSpan(SPAN, () => l.info('in span')), keys: [...BASE, ...TRACE, ...HOSTPID], fields: { trace_id: SPAN.traceId, span_id: SPAN.spanId, trace_flags: '01' } },
  { name: 'unsampled span', act: (l) => inSpan({ ...SPAN, traceFlags: 0 }, () => l.info('x')), keys: [...BASE, ...TRACE, ...HOSTPID], fields: { trace_flags: '00' } },
  { name: 'invalid (all-zero) span context writes no trace fields', act: (l) => inSpan({ ...SPAN, traceId: '0'.repeat(32) }, () => l.info('x')), keys: [...BASE, ...HOSTPID] },
  { name: 'malformed span id writes no trace fields', act: (l) => inSpan({ ...SPAN, spanId: 'XYZ' }, () => l.info('x')), keys: [...BASE, ...HOSTPID] },
  { name: 'configurable trace field names', options: { traceFields: { traceId: 'traceId', spanId: 'spanId', traceFlags: false } }, act: (l) => inSpan(SPAN, () => l.info('x')), keys: [...BASE, 'traceId', 'spanId', ...HOSTPID], fields: { traceId: SPAN.traceId } },
  { name: 'reserved call fields move under fields_clash', act: (l) => l.info({ time: 1, '@timestamp': 'x', level: 'y', service: 'z', trace_id: 't', host: 'h', pid: 0, ok: true }, 'm'), keys: [...BASE, ...HOSTPID, 'ok', CLASH_KEY], fields: { [CLASH_KEY]: { time: 1, '@timestamp': 'x', level: 'y', service: 'z', trace_id: 't', host: 'h', pid: 0 } } },
  { name: 'message field next to a message argument is a clash', act: (l) => l.info({ message: 'field' }, 'arg'), keys: [...BASE, ...HOSTPID, CLASH_KEY], fields: { message: 'arg', [CLASH_KEY]: { message: 'field' } } },
  { name: 'reserved bindings move under fields_clash', act: (l) => l.child({ service: 'other', time: 'x', a: 1 }).info('m'), keys: [...BASE, ...HOSTPID, 'a', CLASH_KEY], fields: { service: 'orders', [CLASH_KEY]: { service: 'other', time: 'x' } } },
  { name: 'call field repeating a binding is a clash, never a duplicate', act: (l) => l.child({ a: 1 }).info({ a: 2 }, 'm'), keys: [...BASE, ...HOSTPID, 'a', CLASH_KEY], fields: { a: 1, [CLASH_KEY]: { a: 2 } } },
  { name: 'a user field named fields_clash is itself a clash', act: (l) => l.child({ [CLASH_KEY]: 1 }).info({ level: 2 }, 'm'), keys: [...BASE, ...HOSTPID, CLASH_KEY], fields: { [CLASH_KEY]: { [CLASH_KEY]: 1, level: 2 } } },
  { name: 'error as first argument', act: (l) => l.error(Object.assign(new Error('boom', { cause: new Error('root') }), { code: 'E_X' })), keys: [...BASE, ...HOSTPID, 'err'] },
  {
    name: 'ecs schema',
    options: { schema: 'ecs' },
    act: (l) => inSpan(SPAN, () => l.info({ a: 1 }, 'x')),
    keys: ['log.level', 'time', '@timestamp', 'service.name', 'message', 'trace.id', 'span.id', 'ecs.version', 'host.hostname', 'process.pid', 'a'],
    fields: { 'log.level': 'info', 'service.name': 'orders', 'trace.id': SPAN.traceId, 'span.id': SPAN.spanId, 'ecs.version': '1.6.0' },
  },
  { name: 'default redaction', act: (l) => l.info({ password: 'p', token: 't', apiKey: 'k', secret: 's', req: { headers: { authorization: 'Bearer x', cookie: 'c', host: 'h' } } }, 'm'), keys: [...BASE, ...HOSTPID, 'password', 'token', 'apiKey', 'secret', 'req'], fields: { password: '[Redacted]', token: '[Redacted]', apiKey: '[Redacted]', secret: '[Redacted]', req: { headers: { authorization: '[Redacted]', cookie: '[Redacted]', host: 'h' } } } },
  { name: 'redaction extended with a deeper path', options: { redact: ['*.pin'] }, act: (l) => l.info({ card: { pin: '1234', last4: '9999' }, password: 'p' }, 'm'), keys: [...BASE, ...HOSTPID, 'card', 'password'], fields: { card: { pin: '[Redacted]', last4: '9999' }, password: '[Redacted]' } },
  { name: 'redaction off', options: { redact: false }, act: (l) => l.info({ password: 'p' }, 'm'), keys: [...BASE, ...HOSTPID, 'password'], fields: { password: 'p' } },
  { name: 'redaction in bindings', act: (l) => l.child({ token: 't' }).info('m'), keys: [...BASE, ...HOSTPID, 'token'], fields: { token: '[Redacted]' } },
]

describe('line format (FORMAT.md)', () => {
  it.each(rows)('$name', async (row) => {
    const lines = await captureLines(row.options ?? {}, row.act)
    expect(lines).toHaveLength(1)
    const line = lines[0] as string
    if (row.options?.schema !== 'ecs') expect(line).toMatch(HEAD)
    expect(keyOrder(line)).toEqual(row.keys)
    const record = JSON.parse(line) as Record<string, unknown>
    expect(Object.keys(record)).toHaveLength(row.keys.length) // no duplicate keys
    if (row.fields) expect(record).toMatchObject(row.fields)
  })

  it('time is epoch seconds with a millisecond fraction and @timestamp is the same instant', async () => {
    const before = Date.now()
    const lines = await captureLines({}, (l) => {
      for (let i = 0; i < 50; i++) l.info('x')
    })
    const after = Date.now()
    for (const line of lines) {
      const timeText = /"time":(\d+\.\d{3}),/.exec(line)?.[1] as string
      const record = JSON.parse(line) as { time: number; '@timestamp': string }
      const ms = Math.round(Number(timeText) * 1000)
      expect(ms).toBeGreaterThanOrEqual(before)
      expect(ms).toBeLessThanOrEqual(after)
      expect(new Date(ms).toISOString()).toBe(record['@timestamp'])
    }
  })

  it('writes trace fields of a real SDK span started with startActiveSpan', async () => {
    const tracer = new BasicTracerProvider().getTracer('test')
    let ids: SpanContext | undefined
    const lines = await captureLines({}, (l) => {
      tracer.startActiveSpan('op', (span) => {
        ids = span.spanContext()
        l.info('inside')
        span.end()
      })
      l.info('outside')
    })
    const [inside, outside] = lines.map((x) => JSON.parse(x) as Record<string, unknown>)
    expect(inside).toMatchObject({ trace_id: ids?.traceId, span_id: ids?.spanId, trace_flags: '01' })
    expect(outside).not.toHaveProperty('trace_id')
  })

  it('serialises errors as {type, message, stack, code, cause}', async () => {
    const [line] = await captureLines({}, (l) => l.error(Object.assign(new TypeError('boom', { cause: new Error('root') }), { code: 'E_X' })))
    const record = JSON.parse(line as string) as { message: string; err: Record<string, unknown> }
    expect(record.message).toBe('boom')
    expect(record.err).toMatchObject({ type: 'TypeError', message: 'boom', code: 'E_X', cause: { type: 'Error', message: 'root' } })
    expect(String(record.err.stack)).toContain('TypeError: boom')
  })

  it('level from the option, else LOG_LEVEL, else info', async () => {
    expect(await captureLines({ level: 'debug' }, (l) => { l.debug('d'); l.trace('t'); l.info('i') })).toHaveLength(2)
    const saved = process.env.LOG_LEVEL
    try {
      process.env.LOG_LEVEL = 'warn'
      expect(await captureLines({}, (l) => { l.info('i'); l.warn('w'); l.error('e') })).toHaveLength(2)
      delete process.env.LOG_LEVEL
      expect(await captureLines({}, (l) => { l.debug('d'); l.info('i') })).toHaveLength(1)
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL
      else process.env.LOG_LEVEL = saved
    }
  })

  it('types: service is required, schema and levels are checked', () => {
    expectTypeOf<LoggerOptions['service']>().toEqualTypeOf<string>()
    expectTypeOf<LoggerOptions['schema']>().toEqualTypeOf<'default' | 'ecs' | undefined>()
    // @ts-expect-error service is required
    const noService: LoggerOptions = { level: 'info' }
    // @ts-expect-error not a level
    const badLevel: LoggerOptions = { service: 'orders', level: 'verbose' }
    expect([noService, badLevel]).toHaveLength(2)
  })

  it('returns a real pino.Logger with close()', () => {
    const logger = createLogger({ service: 'orders', stdout: false, handleExit: false })
    expectTypeOf(logger).toMatchTypeOf<PinoLogger>()
    expectTypeOf(logger.close).toEqualTypeOf<() => Promise<void>>()
    expect(typeof logger.child).toBe('function')
    expect(logger.level).toBe('info')
    return logger.close()
  })
})
