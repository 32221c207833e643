import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../src/index.js'
import { tempDir } from './helpers.js'

const RESERVED_HEAD = ['level', 'time', '@timestamp', 'service']
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
const INDEX_PART = /^[a-z0-9][a-z0-9._-]*$/

/**
 * What Fluentd (in_tail + format json, parser defaults) and fluent-plugin-elasticsearch do with one line,
 * as FORMAT.md states it: the line must be a JSON object; `time` is read as float seconds and removed;
 * the index is fluentd-${service}-%Y%m%d in UTC (timekey_use_utc true).
 */
function fluentd(line: string): { index: string; document: Record<string, unknown>; eventTimeMs: number } {
  const record: unknown = JSON.parse(line)
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error('pattern not matched: not an object')
  const { time, ...document } = record as Record<string, unknown>
  if (typeof time !== 'number') throw new Error('time is not a number')
  const eventTimeMs = time * 1000 // time_type float: seconds
  const day = new Date(eventTimeMs).toISOString().slice(0, 10).replaceAll('-', '')
  return { index: `fluentd-${String(document.service)}-${day}`, document, eventTimeMs }
}

describe('a produced file read line by line with Fluentd\'s rules', () => {
  let lines: string[] = []
  let raw = ''
  const start = Date.now()

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    const file = path.join(tempDir(), 'orders.log')
    const logger = createLogger({ service: 'orders', file, level: 'trace', handleExit: false })
    const span = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }
    logger.trace('t')
    logger.debug({ a: 1 }, 'd')
    context.with(trace.setSpanContext(context.active(), span), () => logger.info({ user: { id: 1 } }, 'in span'))
    logger.warn({ text: 'multi\nline\r\u2028text' }, 'w')
    logger.error(new Error('bad'))
    logger.child({ reqId: 'r1' }).info({ time: 'user time', service: 'not me' }, 'clash')
    logger.fatal({ deep: JSON.parse('{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":1}}}}}}}}}}}}') as object }, 'f')
    await logger.close()
    raw = fs.readFileSync(file, 'utf8')
    lines = raw.split('\n')
    expect(lines.pop()).toBe('') // the file ends with a newline: no partial last line
  })

  afterAll(() => {
    context.disable()
    vi.useRealTimers()
  })

  it('every line is one JSON object, beginning with level, time, @timestamp, service in that order', () => {
    expect(lines).toHaveLength(7)
    for (const line of lines) {
      const keys = Object.keys(JSON.parse(line) as object)
      expect(keys.slice(0, 4)).toEqual(RESERVED_HEAD)
      expect(line.startsWith('{"level":"')).toBe(true)
      expect(line).toMatch(/^\{"level":"[a-z]+","time":\d+\.\d{3},"@timestamp":"[^"]+","service":"orders","message":/)
    }
  })

  it('time read as float seconds gives the right instant and the UTC date of the index', () => {
    const end = Date.now()
    for (const line of lines) {
      const { index, document, eventTimeMs } = fluentd(line)
      expect(eventTimeMs).toBeGreaterThanOrEqual(start - 1)
      expect(eventTimeMs).toBeLessThanOrEqual(end + 1)
      const iso = new Date(Math.round(eventTimeMs)).toISOString()
      expect(document['@timestamp']).toBe(iso)
      expect(index).toBe(`fluentd-orders-${iso.slice(0, 10).replaceAll('-', '')}`)
    }
  })

  it('the indexed document is the record minus time, with a string service and a level label', () => {
    for (const line of lines) {
      const { document } = fluentd(line)
      expect(document).not.toHaveProperty('time')
      expect(typeof document.service).toBe('string')
      expect(document.service).toMatch(INDEX_PART)
      expect(Buffer.byteLength(String(document.service))).toBeLessThanOrEqual(100)
      expect(LEVELS.has(String(document.level))).toBe(true)
      expect(typeof document.message).toBe('string')
    }
  })

  it('nothing in a value can start a second line', () => {
    expect(raw.split('\n')).toHaveLength(lines.length + 1)
    expect(raw).not.toMatch(/[\r\u2028\u2029]/)
  })

  it('trace fields are 32/16 lowercase hex and "01"/"00"', () => {
    const withTrace = lines.map((l) => JSON.parse(l) as Record<string, string>).filter((r) => r.trace_id)
    expect(withTrace).toHaveLength(1)
    for (const r of withTrace) {
      expect(r.trace_id).toMatch(/^[0-9a-f]{32}$/)
      expect(r.span_id).toMatch(/^[0-9a-f]{16}$/)
      expect(['01', '00']).toContain(r.trace_flags)
    }
  })

  it('an event one millisecond before UTC midnight goes to that day\'s index, whatever the local time zone', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-26T23:59:59.999Z'))
    const file = path.join(tempDir(), 'orders.log')
    const logger = createLogger({ service: 'orders', file, handleExit: false })
    logger.info('late')
    vi.setSystemTime(new Date('2026-11-27T00:00:00.000Z'))
    logger.info('early')
    await logger.close()
    vi.useRealTimers()
    const [late, early] = fs.readFileSync(file, 'utf8').trim().split('\n').map(fluentd)
    expect(late?.index).toBe('fluentd-orders-20261126')
    expect(early?.index).toBe('fluentd-orders-20261127')
    expect(fs.readFileSync(file, 'utf8')).toContain('"time":1795737599.999,')
    expect(fs.readFileSync(file, 'utf8')).toContain('"time":1795737600.000,')
  })
})
