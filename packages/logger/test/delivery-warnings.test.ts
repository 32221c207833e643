// The main-thread side of the elasticsearch transport's delivery reports: warnings are rate-limited per kind
// and summed, onError sees every report, and nothing malformed or thrown escapes. Fake timers: the 30 s
// interval is stepped, not waited for.
import { EventEmitter } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DELIVERY_EVENT, watchDelivery } from '../src/delivery-warnings.js'
import { LoggerDeliveryError } from '../src/index.js'

const refused = { kind: 'error', code: 'TW_SHIPPER_CONNECTION', message: 'bulk request failed: ECONNREFUSED', status: null, count: 1 }

describe('watchDelivery', () => {
  let warnings: Array<{ text: string, code: unknown }>
  beforeEach(() => {
    vi.useFakeTimers()
    warnings = []
    vi.spyOn(process, 'emitWarning').mockImplementation(((text: string, options: { code?: string }) => {
      warnings.push({ text, code: options.code })
    }) as typeof process.emitWarning)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('warns at once, then sums the next reports of that kind into one warning when 30 s have passed', () => {
    const stream = new EventEmitter()
    const seen: LoggerDeliveryError[] = []
    watchDelivery(stream, (e) => seen.push(e))
    for (let i = 0; i < 5; i++) stream.emit(DELIVERY_EVENT, refused)
    expect(seen).toHaveLength(5)
    expect(seen[0]).toBeInstanceOf(LoggerDeliveryError)
    expect(seen[0]).toMatchObject({ code: 'TW_LOGGER_DELIVERY', kind: 'error', shipperCode: 'TW_SHIPPER_CONNECTION', status: null, count: 1 })
    expect(warnings).toEqual([{ code: 'TW_LOGGER_DELIVERY', text: expect.stringContaining('ECONNREFUSED (TW_SHIPPER_CONNECTION)') }])

    vi.advanceTimersByTime(29_999)
    expect(warnings).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(warnings).toHaveLength(2)
    expect(warnings[1]!.text).toContain('(4 in all since the last warning)')
    // Nothing pending: no further warning.
    vi.advanceTimersByTime(120_000)
    expect(warnings).toHaveLength(2)
  })

  it('limits each kind on its own: a dead letter is warned about while errors are being held back', () => {
    const stream = new EventEmitter()
    watchDelivery(stream, undefined)
    stream.emit(DELIVERY_EVENT, refused)
    stream.emit(DELIVERY_EVENT, refused)
    stream.emit(DELIVERY_EVENT, { kind: 'dead-letter', code: undefined, message: 'mapper_parsing_exception', status: 400, count: 12 })
    stream.emit(DELIVERY_EVENT, { kind: 'drop', code: undefined, message: 'dropped 3 line(s)', status: null, count: 3 })
    expect(warnings.map((w) => w.text)).toEqual([
      expect.stringContaining('requests to Elasticsearch fail'),
      expect.stringContaining('12 document(s) dead-lettered (not indexed): mapper_parsing_exception'),
      expect.stringContaining("the shipper's buffer is full, dropped 3 line(s)"),
    ])
  })

  it('ignores malformed reports and a throwing onError (neither reaches the application)', () => {
    const stream = new EventEmitter()
    const onError = vi.fn(() => {
      throw new Error('callback bug')
    })
    watchDelivery(stream, onError)
    for (const bad of [null, 'text', { kind: 'other', message: 'x' }, { kind: 'error' }]) stream.emit(DELIVERY_EVENT, bad)
    expect(onError).not.toHaveBeenCalled()
    expect(warnings).toEqual([])
    expect(() => stream.emit(DELIVERY_EVENT, refused)).not.toThrow()
    expect(onError).toHaveBeenCalledTimes(1)
    expect(warnings).toHaveLength(1)
  })
})
