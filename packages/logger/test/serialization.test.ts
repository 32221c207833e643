import { describe, expect, it } from 'vitest'
import { MARKERS, type Logger } from '../src/index.js'
import { captureLines, keyOrder } from './helpers.js'

const HEAD_KEYS = ['level', 'time', '@timestamp', 'service', 'message', 'host', 'pid']

function deep(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  let at = root
  for (let i = 0; i < levels; i++) {
    const next: Record<string, unknown> = {}
    at.a = next
    at = next
  }
  return root
}

function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0
  return 1 + Math.max(0, ...Object.values(value).map(depthOf))
}

const revoked = Proxy.revocable({}, {})
revoked.revoke()
const circular: Record<string, unknown> = { name: 'loop' }
circular.self = circular

interface Case {
  name: string
  act: (logger: Logger) => void
  check: (record: Record<string, unknown>, line: string) => void
}

// Every hostile input from issue 2 point 3: none may throw, crash or produce more (or fewer) than one line.
const cases: Case[] = [
  { name: 'circular reference', act: (l) => l.info({ circular }, 'm'), check: (r) => expect(r.circular).toEqual({ name: 'loop', self: MARKERS.circular }) },
  { name: 'BigInt', act: (l) => l.info({ big: 12345678901234567890n, nested: { n: 1n } }, 'm'), check: (r) => expect(r).toMatchObject({ big: '12345678901234567890', nested: { n: '1' } }) },
  { name: 'Symbol keys and values', act: (l) => l.info({ [Symbol('k')]: 1, s: Symbol('v'), ok: 1 }, 'm'), check: (r) => expect(r).not.toHaveProperty('s') },
  { name: 'undefined, NaN, Infinity', act: (l) => l.info({ u: undefined, n: NaN, i: -Infinity, nested: { n: NaN, u: undefined } }, 'm'), check: (r) => expect(r).toMatchObject({ n: null, i: null, nested: { n: null } }) },
  { name: 'throwing getter', act: (l) => l.info({ g: { ok: 1, get bad() { throw new Error('getter exploded') } } }, 'm'), check: (r) => expect(r.g).toEqual({ ok: 1, bad: `${MARKERS.unserializable}Error: getter exploded]` }) },
  { name: 'throwing toJSON', act: (l) => l.info({ t: { toJSON() { throw new RangeError('no json') } } }, 'm'), check: (r) => expect(r.t).toBe(`${MARKERS.unserializable}RangeError: no json]`) },
  { name: 'revoked proxy as a field', act: (l) => l.info({ p: revoked.proxy }, 'm'), check: (r) => expect(String(r.p)).toMatch(/^\[Unserializable: TypeError: .*revoked/) },
  { name: 'revoked proxy as the whole argument', act: (l) => l.info(revoked.proxy as object, 'still here'), check: (r) => expect(r).toMatchObject({ message: 'still here', log_error: expect.stringMatching(/^\[Unserializable: /) as unknown }) },
  { name: '__proto__ and constructor keys stay data', act: (l) => l.info(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as object, 'm'), check: (r, line) => {
    expect(line).toContain('"__proto__":{"polluted":true}')
    expect(Object.prototype.hasOwnProperty.call(r, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  } },
  { name: '10,000 levels deep', act: (l) => l.info({ deep: deep(10_000) }, 'm'), check: (r, line) => {
    expect(line).toContain(MARKERS.depth)
    expect(depthOf(r.deep)).toBeLessThanOrEqual(10)
  } },
  { name: '50 levels deep (JSON.stringify would not throw)', act: (l) => l.info({ deep: deep(50) }, 'm'), check: (r, line) => {
    expect(line).toContain(MARKERS.depth)
    expect(depthOf(r.deep)).toBeLessThanOrEqual(10)
  } },
  { name: '100,000 keys', act: (l) => l.info({ wide: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])) }, 'm'), check: (r, line) => {
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(65536)
    expect(line).toContain('more keys]')
    expect((r.wide as Record<string, unknown>).k0).toBe(0)
  } },
  { name: '1,000,000-element array', act: (l) => l.info({ arr: new Array(1_000_000).fill(7) }, 'm'), check: (r, line) => {
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(65536)
    expect((r.arr as unknown[]).at(-1)).toMatch(/^\[Truncated: \d+ more items\]$/)
  } },
  { name: 'CR, LF, U+2028, U+2029 and control characters', act: (l) => l.info({ v: 'a\rb\nc\u2028d\u2029e\u0000f', ['k\u2028']: 1 }, 'line1\nline2\u2028'), check: (r, line) => {
    // eslint-disable-next-line no-control-regex -- the point is that no raw control character survives
    expect(line).not.toMatch(/[\r\n\u2028\u2029\u0000]/)
    expect(r.message).toBe('line1\nline2\u2028')
    expect(r.v).toBe('a\rb\nc\u2028d\u2029e\u0000f')
  } },
  { name: 'lone surrogates become U+FFFD', act: (l) => l.info({ v: 'x\ud800y', w: 'ok 😀', ['\udc00k']: 1 }, 'm\udfff'), check: (r, line) => {
    expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line)
    expect(r).toMatchObject({ v: 'x\ufffdy', w: 'ok 😀', message: 'm\ufffd', '\ufffdk': 1 })
  } },
  { name: 'U+2028 and lone surrogates nested in short and long objects', act: (l) => l.info({ o: { s: 'a\u2028b', t: 'x\ud800' }, long: { s: 'y'.repeat(100), u: '\u2029\udfff', c: '\u0001' } }, 'm'), check: (r, line) => {
    expect(line).not.toMatch(/[\u2028\u2029]/)
    expect(line).not.toMatch(/\\ud[89a-f]/)
    expect(r).toMatchObject({ o: { s: 'a\u2028b', t: 'x\ufffd' }, long: { u: '\u2029\ufffd', c: '\u0001' } })
  } },
  { name: 'a literal backslash-u text is not mistaken for a surrogate', act: (l) => l.info({ v: '\\ud800' }, 'm'), check: (r) => expect(r.v).toBe('\\ud800') },
  { name: 'line over 64 KiB: the longest strings are cut, the line is kept', act: (l) => l.info({ big: 'x'.repeat(200_000), small: 'keep me', other: 'y'.repeat(40_000) }, 'm'), check: (r, line) => {
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(65536)
    expect(r.small).toBe('keep me')
    expect(String(r.big)).toMatch(/\.\.\.\[Truncated: \d+ more chars\]$/)
    expect(String(r.big).length).toBeLessThan(40_000)
  } },
  { name: 'huge message is cut too', act: (l) => l.info('z'.repeat(300_000)), check: (r, line) => {
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(65536)
    expect(String(r.message)).toMatch(/Truncated: \d+ more chars\]$/)
  } },
  { name: 'multi-byte text is capped in bytes', act: (l) => l.info({ s: '€'.repeat(40_000) }, 'm'), check: (_r, line) => expect(Buffer.byteLength(line)).toBeLessThanOrEqual(65536) },
  { name: 'error with a self-referencing cause chain', act: (l) => {
    const e = new Error('outer') as Error & { cause?: unknown }
    e.cause = e
    l.error(e)
  }, check: (r) => expect(r.err).toMatchObject({ type: 'Error', message: 'outer', cause: MARKERS.circular }) },
  { name: 'long cause chain is bounded', act: (l) => {
    let e = new Error('e0')
    for (let i = 1; i < 50; i++) e = new Error(`e${i}`, { cause: e })
    l.error(e)
  }, check: (_r, line) => expect(line).toContain(MARKERS.depth) },
  { name: 'error with a throwing message getter', act: (l) => {
    const e = new Error('x')
    Object.defineProperty(e, 'message', { get() { throw new Error('nope') } })
    l.error({ err: e }, 'failed')
  }, check: (r) => expect(r).toMatchObject({ message: 'failed', err: { message: `${MARKERS.unserializable}Error: nope]` } }) },
  { name: 'an Error under a key other than err is an error object, not {}', act: (l) => l.warn({ failure: Object.assign(new TypeError('bad input'), { code: 'E_BAD' }) }, 'm'), check: (r) => {
    expect(r.failure).toMatchObject({ type: 'TypeError', message: 'bad input', code: 'E_BAD', stack: expect.stringContaining('bad input') as unknown })
  } },
  { name: 'an Error nested inside a field is an error object, not {}', act: (l) => l.warn({ ctx: { attempt: 2, last: new RangeError('too far') } }, 'm'), check: (r) => {
    expect(r.ctx).toMatchObject({ attempt: 2, last: { type: 'RangeError', message: 'too far' } })
  } },
  { name: 'AggregateError.errors are written', act: (l) => l.error({ err: new AggregateError([new Error('first'), new TypeError('second'), 'not an error'], 'all failed') }, 'm'), check: (r) => {
    expect(r.err).toMatchObject({ type: 'AggregateError', message: 'all failed', errors: [{ type: 'Error', message: 'first' }, { type: 'TypeError', message: 'second' }, 'not an error'] })
  } },
  { name: 'AggregateError.errors are bounded (10 kept, the rest counted)', act: (l) => l.error(new AggregateError(Array.from({ length: 1000 }, (_, i) => new Error(`e${i}`)), 'many')), check: (r) => {
    const errors = (r.err as { errors: unknown[] }).errors
    expect(errors).toHaveLength(11)
    expect(errors[9]).toMatchObject({ message: 'e9' })
    expect(errors[10]).toBe(`${MARKERS.truncated}990 more items]`)
  } },
  { name: 'AggregateError nesting is bounded', act: (l) => {
    let e: Error = new Error('leaf')
    for (let i = 0; i < 50; i++) e = new AggregateError([e, e], `level ${i}`)
    l.error(e)
  }, check: (_r, line) => {
    expect(line).toContain(MARKERS.depth)
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(65536)
  } },
  { name: 'an error with own __proto__ and toString fields keeps them as data', act: (l) => {
    const e = new Error('odd')
    Object.defineProperty(e, '__proto__', { value: { polluted: true }, enumerable: true })
    Object.defineProperty(e, 'toString', { value: 'a field', enumerable: true })
    l.error({ err: e, other: e }, 'm')
  }, check: (r, line) => {
    expect(line).toContain('"__proto__":{"polluted":true}')
    expect(Object.prototype.hasOwnProperty.call(r.err, '__proto__')).toBe(true)
    expect(r.err).toMatchObject({ type: 'Error', message: 'odd', toString: 'a field' })
    expect(r.other).toMatchObject({ type: 'Error', message: 'odd', toString: 'a field' })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  } },
  { name: 'non-string message', act: (l) => l.info(42 as unknown as string), check: (r) => expect(r.message).toBe('42') },
  { name: 'key with quotes', act: (l) => l.info({ 'a"b': 1 }, 'm'), check: (r) => expect(r['a"b']).toBe(1) },
]

describe('safe serialisation: one call, one valid JSON object line, never a throw', () => {
  it.each(cases)('$name', async ({ act, check }) => {
    const lines = await captureLines({}, (l) => {
      expect(() => act(l)).not.toThrow()
    })
    expect(lines).toHaveLength(1)
    const line = lines[0] as string
    const record = JSON.parse(line) as Record<string, unknown>
    expect(typeof record).toBe('object')
    expect(keyOrder(line).slice(0, 5)).toEqual(HEAD_KEYS.slice(0, 5))
    check(record, line)
  })

  it('an Error outside err is written the same on the fast path and on the over-the-cap path', async () => {
    const error = Object.assign(new Error('same both ways'), { code: 'E_SAME' })
    const [fast, slow] = await captureLines({}, (l) => {
      l.info({ failure: error, nested: { failure: error } }, 'small line')
      l.info({ failure: error, nested: { failure: error }, filler: 'f'.repeat(200_000) }, 'line over the cap')
    })
    const a = JSON.parse(fast as string) as Record<string, unknown>
    const b = JSON.parse(slow as string) as Record<string, unknown>
    expect(a.failure).toMatchObject({ type: 'Error', message: 'same both ways', code: 'E_SAME' })
    expect(b.failure).toEqual(a.failure)
    expect(b.nested).toEqual(a.nested)
  })

  it('maxLineBytes and maxDepth are options', async () => {
    const [line] = await captureLines({ maxLineBytes: 2048, maxDepth: 3 }, (l) => l.info({ s: 'q'.repeat(5000), d: deep(6) }, 'm'))
    expect(Buffer.byteLength(line as string)).toBeLessThanOrEqual(2048)
    expect(depthOf((JSON.parse(line as string) as { d: unknown }).d)).toBeLessThanOrEqual(3)
  })
})

/** The count in a `[Truncated: N more …]` marker at the end of `text`. */
function cutCount(text: string, unit: string): number {
  const match = new RegExp(`\\[Truncated: (\\d+) more ${unit}\\]$`).exec(text)
  expect(match, `no "[Truncated: N more ${unit}]" marker at the end of ${text.slice(-80)}`).not.toBeNull()
  return Number((match as RegExpExecArray)[1])
}

/** Kept characters of a string cut as `<kept>...[Truncated: N more chars]`. */
function keptChars(text: string): number {
  return text.indexOf('...[Truncated: ')
}

// Issue 12 item 6: an oversized value costs about what the 64 KiB cap costs. These tests pin the output
// (markers that say exactly what was cut) and that the input is not walked past the budget; the timings
// are in bench/logger.
describe('oversized calls: one capped line whose markers count exactly what was cut', () => {
  const tenMb = 's'.repeat(10 * 1024 * 1024)
  const twoMb = 'm'.repeat(2 * 1024 * 1024)

  it('an object of 10,000 keys of ~100 B as the first argument', async () => {
    const big = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`key${String(i).padStart(5, '0')}`, 'v'.repeat(90)]))
    const [line] = await captureLines({}, (l) => l.info(big, 'big object'))
    expect(Buffer.byteLength(line as string)).toBeLessThanOrEqual(65536)
    const record = JSON.parse(line as string) as Record<string, unknown>
    const kept = Object.keys(record).filter((k) => k.startsWith('key'))
    expect(kept.length).toBeGreaterThan(100)
    // the first keys, in order, values whole
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => `key${String(i).padStart(5, '0')}`))
    expect(record.key00000).toBe('v'.repeat(90))
    expect(kept.length + cutCount(String(record['[Truncated]']), 'keys')).toBe(10_000)
    expect(record.message).toBe('big object')
  })

  it('a 10 MB string field', async () => {
    const [line] = await captureLines({}, (l) => l.info({ s: tenMb, small: 'keep me' }, 'm'))
    expect(Buffer.byteLength(line as string)).toBeLessThanOrEqual(65536)
    const record = JSON.parse(line as string) as { s: string, small: string }
    expect(record.small).toBe('keep me')
    expect(keptChars(record.s) + cutCount(record.s, 'chars')).toBe(tenMb.length)
    expect(keptChars(record.s)).toBeGreaterThan(60_000)
  })

  it('a 2 MB message', async () => {
    const [line] = await captureLines({}, (l) => l.info({ k: 1 }, twoMb))
    expect(Buffer.byteLength(line as string)).toBeLessThanOrEqual(65536)
    const record = JSON.parse(line as string) as { message: string, k: number }
    expect(record.k).toBe(1)
    expect(keptChars(record.message) + cutCount(record.message, 'chars')).toBe(twoMb.length)
  })

  it('one call with a 10 MB string, a 2 MB message and a 100k-element array', async () => {
    const array = Array.from({ length: 100_000 }, (_, i) => i)
    const [line] = await captureLines({}, (l) => l.info({ s: tenMb, a: array }, twoMb))
    expect(Buffer.byteLength(line as string)).toBeLessThanOrEqual(65536)
    const record = JSON.parse(line as string) as { s: string, a: unknown[], message: string }
    expect(keptChars(record.s) + cutCount(record.s, 'chars')).toBe(tenMb.length)
    expect(keptChars(record.message) + cutCount(record.message, 'chars')).toBe(twoMb.length)
    const items = record.a.slice(0, -1)
    expect(items).toEqual(array.slice(0, items.length))
    expect(items.length + cutCount(String(record.a.at(-1)), 'items')).toBe(100_000)
  })

  it('stops reading the input once the line is full: a 100k-element array is read about 1,000 times, not 100,000', async () => {
    let reads = 0
    const array = new Proxy(Array.from({ length: 100_000 }, (_, i) => i), {
      get(target, property, receiver) {
        if (typeof property === 'string' && /^\d+$/.test(property)) reads++
        return Reflect.get(target, property, receiver) as unknown
      },
    })
    const [line] = await captureLines({}, (l) => l.info({ a: array }, 'm'))
    expect(Buffer.byteLength(line as string)).toBeLessThanOrEqual(65536)
    expect(reads).toBeGreaterThan(0)
    expect(reads).toBeLessThanOrEqual(2_000)
  })

  it('stops reading the input once the line is full: keys past the budget of a 10,000-key object are never read', async () => {
    let reads = 0
    const big: Record<string, unknown> = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`key${i}`, 'v'.repeat(90)]))
    Object.defineProperty(big, 'key9000', { enumerable: true, get: () => (reads++, 'read') })
    const [line] = await captureLines({}, (l) => l.info(big, 'm'))
    expect(Buffer.byteLength(line as string)).toBeLessThanOrEqual(65536)
    expect(reads).toBe(0)
  })

  it('an oversized value under a redacted key becomes a marker, never its text', async () => {
    const [line] = await captureLines({}, (l) => l.info({ password: 'p'.repeat(200_000), headers: { authorization: 'Bearer ' + 't'.repeat(200_000) } }, 'm'))
    expect(Buffer.byteLength(line as string)).toBeLessThanOrEqual(65536)
    expect(line).not.toContain('ppppp')
    expect(line).not.toContain('Bearer')
    const record = JSON.parse(line as string) as Record<string, unknown>
    expect(record.password).toMatch(/^\[Redacted\]$|^\[Truncated: value over 65536 bytes\]$/)
  })

  it('a 10 MB Buffer and a 1M-element typed array are bounded, not expanded byte by byte', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 7)
    const floats = new Float64Array(1_000_000).fill(1.5)
    const [line] = await captureLines({}, (l) => l.info({ body, floats }, 'm'))
    expect(Buffer.byteLength(line as string)).toBeLessThanOrEqual(65536)
    const record = JSON.parse(line as string) as { body: { type: string, data: unknown[] }, floats: unknown[] }
    expect(record.body.type).toBe('Buffer')
    expect(record.body.data[0]).toBe(7)
    expect(record.body.data.length - 1 + cutCount(String(record.body.data.at(-1)), 'items')).toBe(body.length)
    expect(record.floats[0]).toBe(1.5)
    expect(record.floats.length - 1 + cutCount(String(record.floats.at(-1)), 'items')).toBe(floats.length)
  })

  it('a string a marker would make longer is not cut', async () => {
    const fields = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, 'w'.repeat(70)]))
    const [line] = await captureLines({}, (l) => l.info(fields, 'm'))
    const record = JSON.parse(line as string) as Record<string, unknown>
    expect(record.k0).toBe('w'.repeat(70))
  })
})
