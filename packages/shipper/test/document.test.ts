import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { documentText, findTopLevelMember, parseLine as parseRaw } from '../src/document.js'

/** The parser's result with the document as text, as a reader would see it. */
function parseLine(line: string): { document: string; service: string; timeSeconds: number } | { reason: string } {
  const parsed = parseRaw(line)
  if ('reason' in parsed) return parsed
  return { document: documentText(parsed), service: parsed.service, timeSeconds: parsed.timeSeconds }
}

const line = '{"level":"info","time":1764158532.123,"@timestamp":"2026-11-26T12:02:12.123Z","service":"orders","message":"hi","n":{"time":1}}'

describe('parseLine', () => {
  // The ECS schema's line (`@tracewire/contract`): before the contract module, every one was dead-lettered
  // with 'line has no string "service" field' (issue 9 item 6).
  it.each([
    ['fast path, as the logger writes it', '{"log.level":"info","time":1764158532.123,"@timestamp":"2026-11-26T12:02:12.123Z","service.name":"orders","message":"hi"}', '{"log.level":"info","@timestamp":"2026-11-26T12:02:12.123Z","service.name":"orders","message":"hi"}'],
    ['slow path, nested service object', '{"service":{"name":"Orders"},"time":1764158532,"message":"hi"}', '{"service":{"name":"Orders"},"message":"hi"}'],
  ])('ECS schema, %s: reads service.name and removes "time"', (_name, input, document) => {
    expect(parseLine(input)).toMatchObject({ document, service: 'orders' })
  })

  it('fast path: removes exactly the "time" member and keeps every other byte', () => {
    const parsed = parseLine(line)
    expect(parsed).toEqual({
      document: '{"level":"info","@timestamp":"2026-11-26T12:02:12.123Z","service":"orders","message":"hi","n":{"time":1}}',
      service: 'orders',
      timeSeconds: 1764158532.123,
    })
  })

  it.each([
    // [case, line, expected document | reason fragment]
    ['time first', '{"time":1700000000,"service":"a","message":"x"}', '{"service":"a","message":"x"}'],
    ['time last', '{"service":"a","message":"x","time":1700000000.5}', '{"service":"a","message":"x"}'],
    ['time only besides service', '{"service":"a","time":1}', '{"service":"a"}'],
    ["spaces", '{ "service" : "a" , "time" : 1 , "m" : "\\"time\\":2" }', '{ "service" : "a"  , "m" : "\\"time\\":2" }'],
    ['nested time kept', '{"service":"a","x":{"time":5},"time":7,"y":[{"time":1}]}', '{"service":"a","x":{"time":5},"y":[{"time":1}]}'],
    ['time inside a string is not a key', '{"service":"a","msg":",\\"time\\":3,","time":4}', '{"service":"a","msg":",\\"time\\":3,"}'],
    ['uppercase service is lowercased (ES plugin)', '{"service":"Orders","time":1}', '{"service":"Orders"}'],
  ])('slow path: %s', (_name, input, document) => {
    const parsed = parseLine(input)
    expect(parsed).toMatchObject({ document })
    if ('document' in parsed) expect(JSON.parse(parsed.document)).not.toHaveProperty('time')
  })

  it.each([
    ['not JSON', '{"level":"info",', 'not valid JSON'],
    ['array', '[1,2]', 'not a JSON object'],
    ['bare value', '42', 'not a JSON object'],
    ['no service', '{"time":1}', 'no string "service"'],
    ['numeric service', '{"time":1,"service":7}', 'no string "service"'],
    ['service with space', '{"time":1,"service":"a b"}', 'not a valid index name part'],
    ['service leading dash', '{"time":1,"service":"-a"}', 'not a valid index name part'],
    ['service with colon', '{"time":1,"service":"a:b"}', 'not a valid index name part'],
    ['service 101 bytes', `{"time":1,"service":"${'a'.repeat(101)}"}`, 'not a valid index name part'],
    ['no time', '{"service":"a"}', 'no numeric "time"'],
    ['ISO time', '{"service":"a","time":"2026-11-26T00:00:00Z"}', 'no numeric "time"'],
    ['negative time', '{"service":"a","time":-1}', 'is not epoch seconds'],
    ['far future time', '{"service":"a","time":1e15}', 'is not epoch seconds'],
  ])('rejects %s with a clear reason', (_name, input, reason) => {
    const parsed = parseLine(input)
    expect(parsed).toHaveProperty('reason')
    expect((parsed as { reason: string }).reason).toContain(reason)
  })

  it('the fast and slow paths agree on logger-shaped lines', () => {
    for (const t of [0, 1, 1764158532.123, 1e9, 253402300799]) {
      const l = `{"level":"warn","time":${t},"@timestamp":"x","service":"svc.a-b_c","message":"m"}`
      const fast = parseLine(l)
      const slow = parseLine(` ${l}`) // leading space defeats the fast path
      expect(fast).toEqual({ ...slow, document: (slow as { document: string }).document.slice(1) })
    }
  })
})

describe('findTopLevelMember', () => {
  it('finds the last top-level member (what JSON.parse keeps)', () => {
    const text = '{"time":1,"a":{"time":2},"time":3}'
    const span = findTopLevelMember(text, 'time')!
    expect(text.slice(span.keyStart, span.valueEnd)).toBe('"time":3')
  })
})

describe('parseLine: fast path against the full parse (property)', () => {
  const leading = [
    { level: 'level', service: 'service' },
    { level: 'log.level', service: 'service.name' },
  ]
  // Mostly the logger's shape, with every field also drawn from values the fast path must refuse.
  const levelValue = fc.oneof(fc.constantFrom('info', 'warn', 'error', 'debug'), fc.string({ maxLength: 45 }))
  const timeText = fc.oneof(
    fc.integer({ min: 0, max: 253402300799 }).map(String),
    // As the logger writes it (milliseconds), and every other count of fraction digits up to 17.
    fc.tuple(fc.integer({ min: 0, max: 253402300799 }), fc.stringMatching(/^[0-9]{1,17}$/)).map(([s, f]) => `${s}.${f}`),
    fc.stringMatching(/^[0-9]{0,16}\.?[0-9]{0,16}$/),
    fc.double({ min: 0, max: 253402300799, noNaN: true }).map(String),
    fc.constantFrom('1764158532.123', '-0', '1e9', '2.5E3', '1e15', '-1', '1.', '.5', '+1', '01', '1e', '"1"', 'null'),
  )
  const stampValue = fc.oneof(fc.constant('2026-11-26T12:02:12.123Z'), fc.string({ maxLength: 70 }))
  // A small pool, so the remembered last service is hit, missed by one character, and replaced.
  const serviceValue = fc.oneof(fc.constantFrom('orders', 'orders2', 'order', 'svc.a-b_c', 'Orders', '-a', 'a b', 'a:b', '.', ''), fc.string({ maxLength: 12 }), fc.constant('a'.repeat(101)))
  const reserved = new Set(['time', 'level', 'log.level', 'service', 'service.name', '@timestamp'])
  // Tails never repeat a leading key: FORMAT.md forbids it, and there a JSON parser (last wins) and
  // the fast path (first wins) differ by design.
  const tail = fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !reserved.has(k)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })
  const shape = fc.record({
    schema: fc.constantFrom(0, 1),
    level: levelValue,
    time: timeText,
    stamp: stampValue,
    service: serviceValue,
    tail,
    spaced: fc.boolean(),
    cut: fc.nat({ max: 400 }),
    truncate: fc.boolean(),
  })

  it('whenever the fast path reads a line, the full JSON parse reads it the same (service, time, document)', () => {
    let fastAndParsed = 0
    fc.assert(
      fc.property(fc.array(shape, { minLength: 1, maxLength: 6 }), (lines) => {
        for (const l of lines) {
          const keys = leading[l.schema]!
          const members = JSON.stringify(l.tail).slice(1, -1)
          let text =
            `{${JSON.stringify(keys.level)}:${JSON.stringify(l.level)},"time":${l.time},"@timestamp":${JSON.stringify(l.stamp)},` +
            `${JSON.stringify(keys.service)}:${JSON.stringify(l.service)}${members ? `,${l.spaced ? ' ' : ''}${members}` : ''}${l.spaced ? ' ' : ''}}`
          if (l.truncate) text = text.slice(0, l.cut)
          const fast = parseRaw(text)
          if ('reason' in fast || fast.headEnd === 0) continue // not taken by the fast path
          // A leading space keeps the text valid JSON and sends it down the full parse.
          const full = parseRaw(` ${text}`)
          let valid = true
          try {
            JSON.parse(text)
          } catch {
            valid = false
          }
          if (!valid) continue // both must accept; an invalid tail is the server's to refuse, as before
          fastAndParsed++
          expect('reason' in full).toBe(false)
          if ('reason' in full) continue
          expect(fast.service).toBe(full.service)
          expect(Object.is(fast.timeSeconds, full.timeSeconds)).toBe(true)
          expect(` ${documentText(fast)}`).toBe(documentText(full))
        }
      }),
      { numRuns: 2000 },
    )
    // The property is not vacuous: many generated lines went through both parsers.
    expect(fastAndParsed).toBeGreaterThan(500)
  })
})
