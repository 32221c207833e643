/**
 * Knowing, before pino's redaction runs, that it cannot change a value: then the value's JSON is the same
 * with or without it, and the line builder writes it directly.
 *
 * Why: pino redacts a key such as `req` (default path `req.headers.authorization`) by cloning the objects
 * along every path under it and re-parsing each path on every call (`@pinojs/redact`), before it stringifies
 * the clone. A logged request without those headers paid for that anyway: profiled at about half of the
 * call's time for a nested `{ req, res }` object, which made that call shape cost more than plain pino.
 *
 * The paths are read here exactly as pino 10.4 reads them (`lib/redaction.js`: the first segment names the
 * key, the rest is parsed as `@pinojs/redact` does); `test/pino-internals.test.ts` pins pino's version line.
 * Only exact paths qualify: a configuration with a leading wildcard registers nothing (every value then
 * takes pino's redaction), and so does a key that is itself redacted whole or has a wildcard below it.
 */

/** Per pino stringifiers object (one per `redact` configuration): key → the paths below it, parsed. */
const registry = new WeakMap<object, Map<string, ReadonlyArray<readonly string[]>>>()

// pino's own segment pattern (lib/redaction.js), so the key a path belongs to is the one pino picks.
const SEGMENT = /[^.[\]]+|\[([^[\]]*?)\]/g

/** `@pinojs/redact`'s path parser (not exported there), kept identical so both see the same parts. */
function parsePath(path: string): string[] {
  const parts: string[] = []
  let current = ''
  let inBrackets = false
  let inQuotes = false
  let quoteChar = ''
  for (const char of path) {
    if (!inBrackets && char === '.') {
      if (current) {
        parts.push(current)
        current = ''
      }
    } else if (char === '[') {
      if (current) {
        parts.push(current)
        current = ''
      }
      inBrackets = true
    } else if (char === ']' && inBrackets) {
      parts.push(current)
      current = ''
      inBrackets = false
      inQuotes = false
    } else if ((char === '"' || char === "'") && inBrackets) {
      if (!inQuotes) {
        inQuotes = true
        quoteChar = char
      } else if (char === quoteChar) {
        inQuotes = false
        quoteChar = ''
      } else current += char
    } else current += char
  }
  if (current) parts.push(current)
  return parts
}

/**
 * Records which paths pino's stringifiers object applies below each key, given the `redact.paths` the
 * logger was created with. Called once per logger, right after pino built the stringifiers.
 */
export function registerRedactPaths(stringifiers: object, paths: readonly string[]): void {
  const below = new Map<string, string[][]>()
  const whole = new Set<string>()
  for (const path of paths) {
    SEGMENT.lastIndex = 0
    const first = SEGMENT.exec(path)
    const next = SEGMENT.exec(path)
    if (first === null) return
    const key = first[1] !== undefined ? first[1].replace(/^(?:"|'|`)(.*)(?:"|'|`)$/, '$1') : first[0]
    // A leading wildcard applies its tail below every key: leave every value to pino.
    if (key === '*') return
    if (next === null) {
      whole.add(key)
      continue
    }
    const parts = parsePath(path.slice(next.index))
    if (parts.includes('*')) whole.add(key) // a wildcard below the key: not checked here
    else {
      const list = below.get(key) ?? []
      list.push(parts)
      below.set(key, list)
    }
  }
  for (const key of whole) below.delete(key)
  registry.set(stringifiers, below)
  lastStringifiers = undefined
}

let lastStringifiers: object | undefined
let lastKeys: Map<string, ReadonlyArray<readonly string[]>> | undefined

/**
 * A plain data object whose JSON a shallow clone with the same prototype reproduces exactly: no `toJSON`
 * (the clone would drop a non-enumerable one) and no own `__proto__` key (assigning it to the clone would
 * set its prototype instead of copying the field).
 */
function isPlainNode(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return (proto === Object.prototype || proto === null) && (value as { toJSON?: unknown }).toJSON === undefined &&
    !Object.prototype.hasOwnProperty.call(value, '__proto__')
}

/**
 * True when pino's redaction of `value` under `key` certainly leaves its JSON unchanged: `stringifiers` is a
 * registered configuration, no path below `key` reaches an existing property (the test `@pinojs/redact`
 * applies before it censors or removes anything, with `in`), and every object pino would clone on the way
 * is a plain data object without `toJSON` (so the clone's JSON is the value's). False whenever unsure,
 * including when reading the value throws.
 */
export function redactionCannotChange(stringifiers: object, key: string, value: object): boolean {
  // Nearly every call comes from the same logger configuration: remember the last one looked up.
  if (stringifiers !== lastStringifiers) {
    lastStringifiers = stringifiers
    lastKeys = registry.get(stringifiers)
  }
  const paths = lastKeys?.get(key)
  if (paths === undefined) return false
  try {
    if (!isPlainNode(value)) return false
    for (const parts of paths) {
      let current: unknown = value
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i] as string
        if (typeof current !== 'object' || current === null || !(part in current)) break
        if (i === parts.length - 1) return false // the path exists: redaction applies
        current = (current as Record<string, unknown>)[part]
        // pino clones every object above the path's last segment.
        if (typeof current === 'object' && current !== null && !isPlainNode(current)) return false
      }
    }
    return true
  } catch {
    return false
  }
}
