import { MARKERS } from './markers.js'

/** Bounds applied when a value has to be walked (the slow path). */
export interface WalkLimits {
  /** Deepest object/array nesting kept inside one field value; deeper values become `MARKERS.depth`. */
  maxDepth: number
  /** Array elements kept per array; the rest are summarised by one marker element. */
  maxItems: number
  /** Keys kept per object; the rest are summarised by one marker key. */
  maxKeys: number
  /** Characters kept per string; longer strings end with a truncation marker. */
  maxStringChars: number
  /**
   * Entries (array elements, object keys) the walk may still keep, shared by everything walked with these
   * limits; once spent, containers keep nothing more and end with their truncation marker.
   */
  budget?: { nodes: number }
}

const MAX_ERROR_CAUSES = 5
/** Errors written from one `AggregateError.errors` list; the rest are counted in a marker element. */
const MAX_AGGREGATED_ERRORS = 10
const MAX_REASON_CHARS = 200

/** A short, never-throwing description of why reading a value failed. */
function describeFailure(err: unknown): string {
  try {
    const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    return text.length > MAX_REASON_CHARS ? text.slice(0, MAX_REASON_CHARS) : text
  } catch {
    return 'unknown error'
  }
}

export function unserializable(err: unknown): string {
  return `${MARKERS.unserializable}${describeFailure(err)}]`
}

/** `...[Truncated: N more chars]` is at most this long; a string only this much over the limit is kept whole. */
const CUT_MARKER_CHARS = 40

function truncateString(value: string, maxChars: number): string {
  // Cutting must shorten: a string that a marker would make longer is kept.
  if (value.length <= maxChars + CUT_MARKER_CHARS) return value
  return `${value.slice(0, maxChars)}...${MARKERS.truncated}${value.length - maxChars} more chars]`
}

/**
 * Turns any value into plain JSON data (strings, finite numbers, booleans, null, arrays, null-prototype
 * objects) following `JSON.stringify` semantics (toJSON, undefined/functions/symbols omitted, NaN -> null),
 * except that everything `JSON.stringify` would throw on becomes a marker. Never throws.
 * Objects are built with a null prototype so keys such as `__proto__` stay plain data.
 */
export function normalize(value: unknown, limits: WalkLimits, depth = 1, ancestors: object[] = []): unknown {
  switch (typeof value) {
    case 'string':
      return truncateString(value, limits.maxStringChars)
    case 'number':
      return Number.isFinite(value) ? value : null
    case 'boolean':
      return value
    case 'bigint':
      // A JSON number would lose precision in every consumer; the decimal text keeps it.
      return value.toString()
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
  }
  if (value === null) return null
  try {
    if (ArrayBuffer.isView(value) && value.byteLength > limits.maxItems) return boundedView(value, limits)
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') {
      const replaced: unknown = toJSON.call(value)
      if (typeof replaced !== 'object' || replaced === null) return normalize(replaced, limits, depth, ancestors)
      return normalizeObject(replaced, limits, depth, ancestors)
    }
    return normalizeObject(value as object, limits, depth, ancestors)
  } catch (err) {
    return unserializable(err)
  }
}

/**
 * A Buffer or typed array larger than `maxItems`, bounded without copying all of it: a Buffer's `toJSON`
 * (and the index keys of other typed arrays) would first build one entry per byte, which for an accidental
 * 10 MB body is the very cost the line cap exists to avoid. The result has the Buffer's JSON shape
 * (`{ type: 'Buffer', data: [...] }`) or, for other views, the list of their first elements, ending with a
 * marker counting the rest.
 */
function boundedView(view: ArrayBufferView, limits: WalkLimits): unknown {
  const elements = view instanceof DataView ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : view as unknown as ArrayLike<number | bigint>
  let kept = Math.min(elements.length, limits.maxItems)
  if (limits.budget !== undefined) {
    kept = Math.max(0, Math.min(kept, limits.budget.nodes))
    limits.budget.nodes -= kept
  }
  const data: unknown[] = new Array(kept)
  for (let i = 0; i < kept; i++) {
    const item = elements[i] as number | bigint
    data[i] = typeof item === 'bigint' ? item.toString() : item
  }
  data.push(`${MARKERS.truncated}${elements.length - kept} more items]`)
  return Buffer.isBuffer(view) ? { type: 'Buffer', data } : data
}

function normalizeObject(value: object, limits: WalkLimits, depth: number, ancestors: object[]): unknown {
  if (ancestors.includes(value)) return MARKERS.circular
  if (depth > limits.maxDepth) return MARKERS.depth
  if (value instanceof Error) return serializeError(value, limits, depth, ancestors)
  ancestors.push(value)
  try {
    const budget = limits.budget
    if (Array.isArray(value)) {
      const length = value.length
      let kept = Math.min(length, limits.maxItems)
      if (budget !== undefined) {
        kept = Math.max(0, Math.min(kept, budget.nodes))
        budget.nodes -= kept
      }
      const out: unknown[] = new Array(kept)
      for (let i = 0; i < kept; i++) {
        let item: unknown
        try {
          item = normalize(value[i], limits, depth + 1, ancestors)
        } catch (err) {
          item = unserializable(err)
        }
        out[i] = item === undefined ? null : item
      }
      if (length > kept) out.push(`${MARKERS.truncated}${length - kept} more items]`)
      return out
    }
    const out: Record<string, unknown> = Object.create(null)
    const keys = Object.keys(value)
    let kept = Math.min(keys.length, limits.maxKeys)
    if (budget !== undefined) {
      kept = Math.max(0, Math.min(kept, budget.nodes))
      budget.nodes -= kept
    }
    for (let i = 0; i < kept; i++) {
      const key = keys[i] as string
      let item: unknown
      try {
        item = normalize((value as Record<string, unknown>)[key], limits, depth + 1, ancestors)
      } catch (err) {
        item = unserializable(err)
      }
      if (item !== undefined) out[key] = item
    }
    if (keys.length > kept) out['[Truncated]'] = `${MARKERS.truncated}${keys.length - kept} more keys]`
    return out
  } catch (err) {
    return unserializable(err)
  } finally {
    ancestors.pop()
  }
}

/**
 * `err` as `{ type, message, stack, code?, cause?, errors? }` plus the error's other own enumerable fields.
 * The `cause` chain and nested `AggregateError`s are followed at most five levels (`causes` counts both), so
 * a self-referencing cause cannot loop, and `errors` keeps its first ten entries plus a count of the rest.
 */
export function serializeError(
  err: Error,
  limits: WalkLimits,
  depth = 1,
  ancestors: object[] = [],
  causes = 0,
): Record<string, unknown> {
  // A plain object literal, not Object.create(null) like the walk's objects: V8 keeps a null-prototype
  // object in dictionary mode, which made every later step on it (the size probe, JSON.stringify) several
  // times slower, and this runs for every logged error. Own fields named `__proto__` are defined as data.
  ancestors.push(err)
  const out: Record<string, unknown> = {
    type: readSafely(() => err.constructor?.name ?? err.name ?? 'Error'),
    message: readSafely(() => String(err.message)),
    stack: readSafely(() => String(err.stack)),
  }
  try {
    const code = readSafely(() => (err as { code?: unknown }).code)
    if (code !== undefined) out.code = normalize(code, limits, depth + 1, ancestors)
    const cause = readSafely(() => (err as { cause?: unknown }).cause)
    if (cause !== undefined) {
      if (ancestors.includes(cause as object)) out.cause = MARKERS.circular
      else if (cause instanceof Error) {
        out.cause = causes + 1 >= MAX_ERROR_CAUSES ? MARKERS.depth : serializeError(cause, limits, depth + 1, ancestors, causes + 1)
      } else out.cause = normalize(cause, limits, depth + 1, ancestors)
    }
    // AggregateError (and Promise.any's rejection) keeps its errors in a non-enumerable own property.
    let errors: unknown
    try {
      errors = (err as { errors?: unknown }).errors
    } catch {
      errors = undefined // a throwing getter: there is no list to write
    }
    if (Array.isArray(errors)) out.errors = aggregatedErrors(errors, limits, depth, ancestors, causes)
    let keys: string[] = []
    try {
      keys = Object.keys(err)
    } catch {
      keys = []
    }
    for (const key of keys.slice(0, limits.maxKeys)) {
      if (Object.prototype.hasOwnProperty.call(out, key)) continue
      let item: unknown
      try {
        item = normalize((err as unknown as Record<string, unknown>)[key], limits, depth + 1, ancestors)
      } catch (e) {
        item = unserializable(e)
      }
      if (item === undefined) continue
      if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true })
      else out[key] = item
    }
  } finally {
    ancestors.pop()
  }
  return out
}

function aggregatedErrors(errors: unknown[], limits: WalkLimits, depth: number, ancestors: object[], causes: number): unknown {
  if (causes + 1 >= MAX_ERROR_CAUSES) return MARKERS.depth
  const kept = Math.min(errors.length, MAX_AGGREGATED_ERRORS, limits.maxItems)
  const out: unknown[] = []
  for (let i = 0; i < kept; i++) {
    const item = errors[i]
    if (typeof item === 'object' && item !== null && ancestors.includes(item)) out.push(MARKERS.circular)
    else if (item instanceof Error) out.push(serializeError(item, limits, depth + 1, ancestors, causes + 1))
    else out.push(normalize(item, limits, depth + 1, ancestors) ?? null)
  }
  if (errors.length > kept) out.push(`${MARKERS.truncated}${errors.length - kept} more items]`)
  return out
}

function readSafely(read: () => unknown): unknown {
  try {
    return read()
  } catch (err) {
    return unserializable(err)
  }
}

/**
 * True when JSON text nests objects/arrays deeper than `maxDepth`. Counting the opening brackets with
 * `indexOf` is an upper bound that settles the common case for a few nanoseconds; only text with more
 * brackets than `maxDepth` is scanned exactly (skipping string contents).
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
  if (count <= maxDepth) return false
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

const ESCAPED_LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g

/**
 * One JS pass over a short JSON text: true when it nests no deeper than `maxDepth` and holds nothing
 * fixLine would change (only printable ASCII, no `\u` escape). For short texts this is cheaper than the
 * native scans of exceedsDepth and fixLine; false only means "check properly".
 */
function shortJsonIsClean(json: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i)
    if (c > 126) return false
    if (inString) {
      if (c === 92 /* \ */) {
        if (json.charCodeAt(i + 1) === 117 /* u */) return false
        i++
      } else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) return false
    } else if (c === 125 || c === 93) depth--
  }
  return true
}

const SHORT_JSON_CHARS = 64

/** True when `value` is an Error, never throwing (a revoked proxy throws on `instanceof`). */
export function isError(value: unknown): boolean {
  try {
    return value instanceof Error
  } catch {
    return false
  }
}

/**
 * Line-safe JSON text of an object field value: {@link stringifyValue} followed by {@link fixLine}, with a
 * cheaper path for the common short value.
 */
export function objectText(value: unknown, limits: WalkLimits): string | undefined {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch {
    return fixLine(JSON.stringify(normalize(value, limits)))
  }
  if (json === undefined) return undefined
  if (json.length <= SHORT_JSON_CHARS && shortJsonIsClean(json, limits.maxDepth)) return json
  if (json.length > limits.maxDepth * 2 && exceedsDepth(json, limits.maxDepth)) return fixLine(JSON.stringify(normalize(value, limits)))
  return fixLine(json)
}

const SEPARATORS = /[\u2028\u2029]/
const NEEDS_FIX = /[\u2028\u2029]|\\ud[89a-f]/

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
  }
  const json = JSON.stringify((value as unknown as WellFormed).isWellFormed() ? value : (value as unknown as WellFormed).toWellFormed())
  return SEPARATORS.test(json) ? json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') : json
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
  if (!NEEDS_FIX.test(line)) return line
  return line.replace(ESCAPED_LONE_SURROGATE, '$1\\ufffd').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}
