/**
 * The slow path of serialisation: walks any value into plain JSON data under {@link WalkLimits}, with a
 * marker for whatever `JSON.stringify` would throw on or the limits cut, and writes Errors as objects
 * (`serializeError`; the two recurse into each other, so they share this file). Never throws.
 */
import { noteSerializedError } from './error-text.js'
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
    type: readType(err),
    message: readText(err, 'message'),
    stack: readText(err, 'stack'),
  }
  try {
    const code = readField(err, 'code')
    if (code !== undefined) out.code = normalize(code, limits, depth + 1, ancestors)
    const cause = readField(err, 'cause')
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
    const keyCount = Math.min(keys.length, limits.maxKeys)
    for (let i = 0; i < keyCount; i++) {
      const key = keys[i] as string
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
  // A top-level error (not a cause or a field of something else): its text may be reused (error-text.ts).
  if (ancestors.length === 0) noteSerializedError(err, out)
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

// The readers below are plain functions rather than one taking a closure: a logged error ran five closure
// allocations through it on every call.

/** `err[key]`, or a marker when reading it throws. */
function readField(err: Error, key: 'code' | 'cause'): unknown {
  try {
    return (err as unknown as Record<string, unknown>)[key]
  } catch (e) {
    return unserializable(e)
  }
}

/** `String(err[key])`, or a marker when reading or converting it throws. */
function readText(err: Error, key: 'message' | 'stack'): unknown {
  try {
    return String(err[key])
  } catch (e) {
    return unserializable(e)
  }
}

function readType(err: Error): unknown {
  try {
    return err.constructor?.name ?? err.name ?? 'Error'
  } catch (e) {
    return unserializable(e)
  }
}

/** True when `value` is an Error, never throwing (a revoked proxy throws on `instanceof`). */
export function isError(value: unknown): boolean {
  try {
    return value instanceof Error
  } catch {
    return false
  }
}
