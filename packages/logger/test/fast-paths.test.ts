// The line builder's shortcuts write exactly what the general path writes (issue 12 item 5: no behaviour
// change). Each property runs over seeded random inputs, so a failure reproduces; each also checks that the
// shortcut was really taken on some inputs and not on others, so it cannot pass vacuously.
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createLogger, type Logger, type LoggerOptions } from '../src/index.js'
import { fixLine, stringText } from '../src/line-safety.js'
import { redactionCannotChange } from '../src/redaction-skip.js'
import { normalize, serializeError } from '../src/value-walk.js'

/** mulberry32: a small seeded generator, so every run sees the same inputs. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T

// Every kind of character a JSON string encoder treats differently, with plain ASCII most likely.
const PIECES = ['a', 'b', 'Z', '0', ' ', '~', '"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', 'é', '日', '🚀', '\u2028', '\u2029', '\ud800', '\udfff', '\\ud83d']

function randomString(rnd: () => number, length: number, plainBias: number): string {
  let s = ''
  while (s.length < length) s += rnd() < plainBias ? 'x' : pick(rnd, PIECES)
  return s
}

/** What stringText wrote before its shortcuts: JSON.stringify of the well-formed string, separators escaped. */
function referenceStringText(value: string): string {
  return JSON.stringify((value as unknown as { toWellFormed(): string }).toWellFormed()).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

/** What fixLine wrote before its pre-check: the one regular expression decided. */
function referenceFixLine(line: string): string {
  if (!/[\u2028\u2029]|\\ud[89a-f]/.test(line)) return line
  return line.replace(/(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g, '$1\\ufffd').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

describe('string and line-safety shortcuts', () => {
  it('stringText of any string, long or short, is what JSON.stringify of the well-formed string with U+2028/U+2029 escaped gives', () => {
    const rnd = random(12)
    let plainLong = 0
    for (let i = 0; i < 3000; i++) {
      const length = pick(rnd, [0, 5, 99, 100, 101, 300, 1024, 3000])
      // Mostly plain strings (the regular-expression shortcut), some with one odd character anywhere.
      const s = randomString(rnd, length, pick(rnd, [1, 1, 0.999, 0.9, 0.5]))
      if (s.length >= 100 && /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(s)) plainLong++
      expect(stringText(s), JSON.stringify(s)).toBe(referenceStringText(s))
    }
    expect(plainLong).toBeGreaterThan(100)
  })

  it('fixLine changes exactly what the single regular expression changed, for texts with and without `\\ud` escapes', () => {
    const rnd = random(34)
    let changed = 0
    for (let i = 0; i < 3000; i++) {
      const text = JSON.stringify({ a: randomString(rnd, pick(rnd, [3, 40, 400]), pick(rnd, [1, 0.95, 0.6])), b: [randomString(rnd, 10, 0.7)] })
      const fixed = fixLine(text)
      if (fixed !== text) changed++
      expect(fixed, text).toBe(referenceFixLine(text))
    }
    expect(changed).toBeGreaterThan(100)
  })
})

/** Lines of a logger that hands them to a stream, synchronously. */
function lineLogger(options: Partial<LoggerOptions> = {}): { logger: Logger, lines: string[] } {
  const lines: string[] = []
  const logger = createLogger({ service: 'orders', handleExit: false, stream: { write: (line: string) => { lines.push(line) } }, ...options })
  return { logger, lines }
}

class Point {
  constructor(public x: number, public y: number) {}
  toJSON(): unknown {
    return { point: [this.x, this.y], deeper: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } } }
  }
}

/** A random JSON-ish value: plain objects and arrays up to `depth` levels, with the odd Date, Buffer and toJSON. */
function randomValue(rnd: () => number, depth: number): unknown {
  const r = rnd()
  if (depth <= 0 || r < 0.3) {
    return pick(rnd, [() => randomString(rnd, pick(rnd, [0, 4, 30, 120]), 0.8), () => Math.floor(rnd() * 1000) / 8, () => true, () => null, () => undefined, () => Number.NaN,
      () => new Date(1764158532123), () => Buffer.from('ab'), () => new Point(1, 2)])()
  }
  if (r < 0.45) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth - 1))
  const out: Record<string, unknown> = {}
  const keys = Math.floor(rnd() * 4)
  for (let i = 0; i < keys; i++) out[pick(rnd, ['k', 'v', 'name', 'héllo', 'a"b', 'x\u2028'])] = randomValue(rnd, depth - 1)
  return out
}

/** The deepest object/array nesting of JSON text. */
function nesting(json: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const c = json[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') max = Math.max(max, ++depth)
    else if (c === '}' || c === ']') depth--
  }
  return max
}

describe('object fields: the depth shortcut (a walked value without toJSON needs no depth scan)', () => {
  it('writes each field as JSON.stringify would, or as the depth-marking walk when it nests deeper than maxDepth', () => {
    const maxDepth = 6
    const limits = { maxDepth, maxItems: Infinity, maxKeys: Infinity, maxStringChars: Infinity }
    const { logger, lines } = lineLogger({ maxDepth, redact: false })
    const rnd = random(56)
    let deep = 0
    let shallow = 0
    for (let i = 0; i < 3000; i++) {
      const value = randomValue(rnd, 9)
      if (typeof value !== 'object' || value === null) continue
      logger.info({ v: value }, 'm')
      const line = lines.pop() as string
      const written = line.slice(line.indexOf(',"v":') + 5, -2)
      const json = JSON.stringify(value) as string
      const expected = nesting(json) > maxDepth ? JSON.stringify(normalize(value, limits)) : json
      if (nesting(json) > maxDepth) deep++
      else shallow++
      expect(written, json).toBe(referenceFixLine(expected))
    }
    expect(deep).toBeGreaterThan(50)
    expect(shallow).toBeGreaterThan(50)
  })
})

type Stringifiers = Record<string, (value: unknown) => string>

function stringifiersOf(logger: Logger): Stringifiers {
  return (logger as unknown as Record<symbol, Stringifiers>)[pino.symbols.stringifiersSym] as Stringifiers
}

/** Objects shaped like what reaches a redacted key: plain or not, with or without the paths' properties. */
function randomRequestish(rnd: () => number, depth: number): unknown {
  const kind = rnd()
  if (depth <= 0 || kind < 0.15) return pick(rnd, ['Bearer abc', 42, null, undefined, [1, 2], new Date(0)])
  let out: Record<string, unknown>
  if (kind < 0.25) out = Object.create(null) as Record<string, unknown>
  else if (kind < 0.3) out = new (class Headers {})() as unknown as Record<string, unknown>
  else if (kind < 0.33) out = { toJSON: () => ({ replaced: true }) }
  else if (kind < 0.36) out = JSON.parse('{"__proto__":{"authorization":"x"}}') as Record<string, unknown>
  else out = {}
  const keys = Math.floor(rnd() * 4)
  for (let i = 0; i < keys; i++) {
    const key = pick(rnd, ['headers', 'authorization', 'cookie', 'set-cookie', 'host', 'pin', 'secret', 'url'])
    out[key] = randomRequestish(rnd, depth - 1)
  }
  if (rnd() < 0.05) Object.defineProperty(out, 'authorization', { value: 'hidden', enumerable: false })
  return out
}

describe('redaction shortcut: skipped only when pino\'s redaction would give the same JSON', () => {
  const configurations: Array<[string, Partial<LoggerOptions>]> = [
    ['default paths', {}],
    ['extra exact paths, brackets and quotes', { redact: ['user.card.pin', 'req.headers["x-api-key"]', "res['secret']"] }],
    ['remove instead of censor', { redact: { paths: ['req.headers.host'], remove: true } }],
    ['own censor text, defaults replaced', { redact: { paths: ['req.url', 'headers.host'], censor: '***', replaceDefaults: true } }],
  ]
  for (const [name, options] of configurations) {
    it(name, () => {
      const { logger } = lineLogger(options)
      const stringifiers = stringifiersOf(logger)
      const rnd = random(78 + name.length)
      let skipped = 0
      let redacted = 0
      for (let i = 0; i < 4000; i++) {
        const key = pick(rnd, ['req', 'res', 'headers', 'user'])
        const stringify = stringifiers[key]
        if (stringify === undefined) continue
        const value = randomRequestish(rnd, 4)
        if (typeof value !== 'object' || value === null) continue
        if (redactionCannotChange(stringifiers, key, value)) {
          skipped++
          expect(JSON.stringify(value), `${key}: ${stringify(value)}`).toBe(stringify(value))
        } else redacted++
      }
      expect(skipped).toBeGreaterThan(200)
      expect(redacted).toBeGreaterThan(200)
    })
  }

  it('a leading wildcard path or a child with its own redaction never takes the shortcut', () => {
    const wild = lineLogger({ redact: ['*.pin'] })
    expect(redactionCannotChange(stringifiersOf(wild.logger), 'req', { url: '/' })).toBe(false)
    const { logger, lines } = lineLogger()
    const child = logger.child({}, { redact: ['req.url'] })
    expect(redactionCannotChange(stringifiersOf(child as Logger), 'req', { url: '/' })).toBe(false)
    child.info({ req: { url: '/orders' } }, 'm')
    expect(JSON.parse(lines.pop() as string).req).toEqual({ url: '[Redacted]' })
  })

  it('a request without the redacted headers is written whole, one with them still censored', () => {
    const { logger, lines } = lineLogger()
    const headers = { host: 'shop.example', accept: 'application/json' }
    logger.info({ req: { method: 'GET', headers } }, 'm')
    expect(lines.pop()).toContain(`,"req":{"method":"GET","headers":${JSON.stringify(headers)}}}`)
    logger.info({ req: { method: 'GET', headers: { ...headers, authorization: 'Bearer s3cret' } } }, 'm')
    const line = lines.pop() as string
    expect(line).not.toContain('s3cret')
    expect(JSON.parse(line).req.headers.authorization).toBe('[Redacted]')
  })
})

/** One random change to an error that is logged again: each one changes what its `err` field must say. */
function mutateError(rnd: () => number, err: Error & Record<string, unknown>, extra: Error & Record<string, unknown>): void {
  const nested = err.details as Record<string, unknown> | undefined
  pick(rnd, [
    () => {}, () => {}, () => {}, // unchanged: the reused text must still be right
    () => { err.message = randomString(rnd, pick(rnd, [3, 30]), 0.8) },
    () => { err.stack = randomString(rnd, pick(rnd, [20, 400]), 0.9) },
    () => { err.code = pick(rnd, ['E_A', 'E_B', 7, undefined]) },
    () => { err.cause = pick(rnd, [undefined, extra, 'text cause', { why: randomString(rnd, 5, 0.5) }]) },
    () => { extra.message = randomString(rnd, 8, 0.7) }, // the cause changes in place
    () => { err.details = randomValue(rnd, 3) },
    () => { if (nested !== undefined && typeof nested === 'object' && nested !== null) nested.k = randomValue(rnd, 2) }, // in place
    () => { delete err.details },
    () => { err[pick(rnd, ['a', 'b', 'é'])] = pick(rnd, [1, 'x', null, Number.NaN, -0, 0]) },
    () => { // the same value under another name
      const value = err.a ?? err.b ?? 1
      delete err.a
      delete err.b
      err[pick(rnd, ['a', 'b'])] = value
    },
  ])()
}

describe('error text reuse: an Error logged again is written as it is now', () => {
  it('each line\'s err field is the JSON of the error serialised at that call, whatever changed in between', () => {
    const limits = { maxDepth: 10, maxItems: Infinity, maxKeys: Infinity, maxStringChars: Infinity }
    const { logger, lines } = lineLogger()
    const rnd = random(78)
    const errors = Array.from({ length: 6 }, (_, i) => Object.assign(new Error(`failure ${i}`) as Error & Record<string, unknown>, { code: 'E_X' }))
    const extra = new Error('the cause') as Error & Record<string, unknown>
    // Lines written unchanged after the same error's previous line: where the reuse applies.
    let unchanged = 0
    const previous = new Map<Error, string>()
    for (let i = 0; i < 4000; i++) {
      // More errors than the cache keeps, so some fall out of it and come back.
      const err = pick(rnd, errors)
      if (rnd() < 0.6) mutateError(rnd, err, extra)
      logger.error(err, 'm')
      const line = lines.pop() as string
      const written = line.slice(line.indexOf(',"err":') + 7, -2)
      const expected = referenceFixLine(JSON.stringify(serializeError(err, limits)))
      if (previous.get(err) === written) unchanged++
      previous.set(err, written)
      expect(written).toBe(expected)
      // Under another key too (serialised by the line builder rather than the err serializer).
      logger.info({ failure: err }, 'm')
      const other = lines.pop() as string
      expect(other.slice(other.indexOf(',"failure":') + 11, -2)).toBe(expected)
    }
    expect(unchanged).toBeGreaterThan(500)
    expect(unchanged).toBeLessThan(3500)
  })
})
