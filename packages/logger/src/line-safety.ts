/**
 * Line safety: JSON text that a line-oriented reader (Fluentd's in_tail, Ruby's JSON) reads as exactly one
 * valid UTF-8 line, and the depth check that sends too deeply nested values to the walker (`value-walk.ts`).
 */
import { normalize, type WalkLimits } from './value-walk.js'

/**
 * The exact depth scanner: a pass over JSON text (skipping string contents) that stops as soon as it nests
 * deeper than `maxDepth`.
 */
function nestsDeeper(json: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) return true
    } else if (c === 125 || c === 93) depth--
  }
  return false
}

/**
 * True when JSON text nests objects/arrays deeper than `maxDepth`. Counting the opening brackets with
 * `indexOf` is an upper bound that settles the common case for a few nanoseconds; only text with more
 * brackets than `maxDepth` is scanned exactly ({@link nestsDeeper}).
 */
export function exceedsDepth(json: string, maxDepth: number): boolean {
  let count = 0
  let at = json.indexOf('{')
  while (at !== -1 && count <= maxDepth) {
    count++
    at = json.indexOf('{', at + 1)
  }
  at = json.indexOf('[')
  while (at !== -1 && count <= maxDepth) {
    count++
    at = json.indexOf('[', at + 1)
  }
  return count > maxDepth && nestsDeeper(json, maxDepth)
}

/**
 * JSON text of one field value. The fast path is the native `JSON.stringify`; only a value it throws on
 * (circular, BigInt, throwing getter or toJSON, revoked proxy, stack overflow from deep nesting) or one
 * nested deeper than `limits.maxDepth` takes the walking path with markers. Never throws; `undefined`
 * means "omit the field" (JSON semantics).
 */
export function stringifyValue(value: unknown, limits: WalkLimits): string | undefined {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch {
    return JSON.stringify(normalize(value, limits))
  }
  if (json !== undefined && json.length > limits.maxDepth * 2 && exceedsDepth(json, limits.maxDepth)) {
    return JSON.stringify(normalize(value, limits))
  }
  return json
}

/**
 * Line-safe JSON text of an object field value: {@link stringifyValue} followed by {@link fixLine}.
 * `depthKnown`: the value was walked and nests within `maxDepth` (probe.ts's PROBE_PLAIN).
 */
export function objectText(value: unknown, limits: WalkLimits, depthKnown: boolean): string | undefined {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch {
    return fixLine(JSON.stringify(normalize(value, limits)))
  }
  if (json === undefined) return undefined
  // Nesting deeper than maxDepth takes at least two characters per level. (A JS scan of short texts used to
  // be tried first; two native substring searches, here and in fixLine, profiled cheaper.)
  if (!depthKnown && json.length > limits.maxDepth * 2 && exceedsDepth(json, limits.maxDepth)) return fixLine(JSON.stringify(normalize(value, limits)))
  return fixLine(json)
}

const ESCAPED_LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g

const SEPARATORS = /[\u2028\u2029]/
const NEEDS_FIX = /[\u2028\u2029]|\\ud[89a-f]/

/** Any character outside printable ASCII, or `"`, or `\\`: what JSON.stringify would escape or check. */
const NOT_PLAIN = /[^\x20\x21\x23-\x5b\x5d-\x7e]/

interface WellFormed {
  isWellFormed(): boolean
  toWellFormed(): string
}

/**
 * JSON text of a string, line-safe. `isWellFormed()` answers at once for a one-byte string; a string with
 * lone surrogates gets them replaced by U+FFFD before encoding, so only U+2028/U+2029 remain to check.
 */
export function stringText(value: string): string {
  // Short strings: one pass in JS that both proves no escaping is needed and finds nothing unsafe is
  // cheaper than the native JSON.stringify call plus a check (pino's asString does the same).
  if (value.length < 100) {
    let plain = true
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i)
      if (c < 32 || c === 34 || c === 92 || c > 126) {
        plain = false
        break
      }
    }
    if (plain) return `"${value}"`
  } else if (!NOT_PLAIN.test(value)) {
    // Longer strings: the same test as a regular expression, which scans about twice as fast as
    // JSON.stringify encodes (profiled: a 1 KiB field spent a third of its call in JSON.stringify). A
    // string that needs escaping usually shows it early, so the test then costs little.
    return `"${value}"`
  }
  const json = JSON.stringify((value as unknown as WellFormed).isWellFormed() ? value : (value as unknown as WellFormed).toWellFormed())
  // JSON.stringify leaves U+2028/U+2029 raw and toWellFormed keeps them, so the input has them exactly when
  // the JSON does; testing the input is near free for a one-byte string (V8 rejects the class at once),
  // whereas scanning the JSON cost as much as producing it (profiled: half of a 1 KiB field's cost).
  return SEPARATORS.test(value) ? json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') : json
}

/**
 * Makes a built line safe for line-oriented readers: escapes U+2028/U+2029 (JSON allows them raw, some
 * readers split lines on them) and replaces escaped lone surrogates, which `JSON.stringify` emits as
 * `\udXXX` and which decode to invalid UTF-8 in Ruby/Fluentd, with U+FFFD. Surrogate pairs are written
 * raw by `JSON.stringify`, so every `\udXXX` escape it produces is a lone one.
 *
 * Applied to each JSON text as it is produced (flat strings) rather than to the assembled line, which
 * would first have to be copied from its concatenated pieces into one flat string (measured: a fifth of
 * the per-call cost).
 */
export function fixLine(line: string): string {
  // The same test as NEEDS_FIX, split: a substring search and a class V8 rejects at once for one-byte text
  // cost half of the alternation's scan (profiled: a logged error's JSON is checked here).
  if (line.indexOf('\\ud') === -1 && !SEPARATORS.test(line)) return line
  if (!NEEDS_FIX.test(line)) return line
  return line.replace(ESCAPED_LONE_SURROGATE, '$1\\ufffd').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}
