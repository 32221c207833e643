// The line builder (src/line.ts, its bindings cache src/bindings.ts), createLogger and level-names.ts use pino internals that pino exports
// (`pino.symbols`) but does not document. package.json pins pino to one minor line (~); this test fails
// with a message naming the symbol if a pino update changes what the logger relies on.
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/index.js'

const USED = ['asJsonSym', 'lsCacheSym', 'chindingsSym', 'serializersSym', 'stringifiersSym', 'wildcardFirstSym', 'setLevelSym'] as const
const symbols = pino.symbols as unknown as Record<string, unknown>
const changed = (what: string): string =>
  `pino ${pino.version} changed ${what}, which @tracewire/logger relies on (src/line.ts, bindings.ts, create-logger.ts, level-names.ts): adapt them before widening the pino range in package.json`

type Internals = Record<symbol, unknown>
const discard = { write() {} }

describe(`pino internals the logger relies on (pino ${pino.version})`, () => {
  it.each(USED)('pino.symbols.%s is exported', (name) => {
    expect(typeof symbols[name], changed(`pino.symbols.${name} (no longer a symbol)`)).toBe('symbol')
  })

  it('lsCacheSym: per level number, the line start built from formatters.level', () => {
    const logger = pino({ formatters: { level: (label: string) => ({ level: label }) } }, discard) as unknown as Internals
    const cache = logger[pino.symbols.lsCacheSym] as Record<number, string> | undefined
    expect(cache?.[30], changed('lsCacheSym (the cached line start per level)')).toBe('{"level":"info"')
    expect(cache?.[50], changed('lsCacheSym (the cached line start per level)')).toBe('{"level":"error"')
  })

  it('chindingsSym: the bindings text, each child appending ",key:value" to its parent', () => {
    const root = pino({ base: null }, discard)
    const child = root.child({ a: 1 }).child({ b: 'x' }) as unknown as Internals
    expect((root as unknown as Internals)[pino.symbols.chindingsSym], changed('chindingsSym (bindings text of the root)')).toBe('')
    expect(child[pino.symbols.chindingsSym], changed('chindingsSym (bindings text of a child)')).toBe(',"a":1,"b":"x"')
  })

  it('serializersSym: the serializers by field name', () => {
    const serializer = (v: unknown) => v
    const logger = pino({ serializers: { user: serializer } }, discard) as unknown as Internals
    expect((logger[pino.symbols.serializersSym] as Record<string, unknown>).user, changed('serializersSym')).toBe(serializer)
  })

  it('stringifiersSym and wildcardFirstSym: redaction stringifiers by key, the leading-wildcard one under the symbol', () => {
    const logger = pino({ redact: ['password', '*.secret'] }, discard) as unknown as Internals
    const stringifiers = logger[pino.symbols.stringifiersSym] as Record<string | symbol, unknown> | undefined
    expect(typeof stringifiers?.password, changed('stringifiersSym (per-key redaction stringifier)')).toBe('function')
    expect(typeof stringifiers?.[pino.symbols.wildcardFirstSym], changed('wildcardFirstSym (leading-wildcard stringifier)')).toBe('function')
    expect((stringifiers?.password as (v: unknown) => string)('hunter2'), changed('stringifiersSym (stringifier output)')).toBe('"[Redacted]"')
  })

  it('asJsonSym: called per line as (object, message, level number, time text), its return written', () => {
    const written: string[] = []
    const logger = pino({ timestamp: () => ',"t":1' }, { write: (line: string) => written.push(line) })
    const calls: unknown[][] = []
    ;(logger as unknown as Internals)[pino.symbols.asJsonSym] = (...args: unknown[]) => {
      calls.push(args)
      return 'LINE\n'
    }
    logger.warn({ k: 1 }, 'hello')
    expect(calls, changed('asJsonSym (arguments of the line builder)')).toEqual([[{ k: 1 }, 'hello', 40, ',"t":1']])
    expect(written, changed('asJsonSym (its return value is the line)')).toEqual(['LINE\n'])
  })

  it('setLevelSym: the level setter and child({}, { level }) both go through it', () => {
    const logger = pino({}, discard)
    const seen: unknown[] = []
    const original = (logger as unknown as Internals)[pino.symbols.setLevelSym] as (this: unknown, level: unknown) => void
    ;(logger as unknown as Internals)[pino.symbols.setLevelSym] = function (this: unknown, level: unknown) {
      seen.push(level)
      original.call(this, level)
    }
    logger.level = 'warn'
    logger.child({}, { level: 'error' })
    expect(seen, changed('setLevelSym (used by the level setter and child levels)')).toEqual(['warn', 'error'])
  })

  it('and through createLogger: a line is built by tracewire (message before host)', async () => {
    const lines: string[] = []
    const logger = createLogger({ service: 'orders', stream: { write: (l: string) => lines.push(l) }, handleExit: false })
    logger.child({ a: 1 }).info({ k: 1 }, 'm')
    await logger.close()
    expect(lines[0], changed('the line assembly')).toMatch(/^\{"level":"info","time":[\d.]+,"@timestamp":"[^"]+","service":"orders","message":"m","host":.*,"a":1,"k":1\}\n$/)
  })
})
