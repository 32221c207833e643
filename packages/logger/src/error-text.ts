/**
 * JSON text of a serialised error, reused while the same Error object is logged again unchanged.
 *
 * A logged error's JSON is mostly its stack traces, text full of newlines to escape: profiled, the native
 * `JSON.stringify` of `serializeError`'s output was a third of an `error(err, msg)` call. The same Error
 * object is often logged more than once (a failing dependency, a retry loop, a rejected promise logged at
 * each layer). `serializeError` still reads every field of the error on every call (getters and `toJSON`
 * run as before); only when its fresh output equals the previous output for that error, value for value,
 * is the previous text reused, so a changed message, code, cause or extra field is always written as it is
 * now. The comparison reads plain data that `serializeError` just built (strings compared by reference
 * first, which holds while V8 keeps the error's formatted stack), far cheaper than encoding it again.
 *
 * Bounded: the last {@link SLOTS} errors, held weakly, and only texts up to {@link MAX_CACHED_CHARS}.
 */

import { objectText } from './line-safety.js'
import type { WalkLimits } from './value-walk.js'

const SLOTS = 4
const MAX_CACHED_CHARS = 16 * 1024
/** Deeper trees are simply not reused; `serializeError`'s output is bounded by the walk limits anyway. */
const MAX_COMPARE_DEPTH = 16

interface Slot {
  error: WeakRef<Error>
  tree: unknown
  text: string
}

const slots: (Slot | undefined)[] = new Array(SLOTS).fill(undefined)
let next = 0

// The last top-level serializeError call: its Error and the fresh object it returned. Only that object is
// known to be private plain data that nothing else holds (and so cannot change after it was compared). Both
// are dropped when the text is made; a tree that never reaches it (a field over the line cap) is held until
// the next error is serialised: one error at most.
let lastError: Error | undefined
let lastTree: unknown

/** Called by `serializeError` for each top-level error it serialises. */
export function noteSerializedError(error: Error, tree: object): void {
  lastError = error
  lastTree = tree
}

/**
 * `objectText(value, limits, depthKnown)`, reusing the text of the last time the same Error serialised to
 * an equal tree when `value` is the output of the last top-level `serializeError` call (and remembering it
 * when short enough). Any other value goes straight to `objectText`.
 */
export function fieldText(value: unknown, limits: WalkLimits, depthKnown: boolean): string | undefined {
  if (value !== lastTree || lastError === undefined) return objectText(value, limits, depthKnown)
  const tree = value
  const error = lastError
  lastError = undefined
  lastTree = undefined
  for (let i = 0; i < SLOTS; i++) {
    const slot = slots[i]
    if (slot !== undefined && slot.error.deref() === error) {
      if (sameTree(slot.tree, tree, 0)) return slot.text
      const text = objectText(tree, limits, depthKnown)
      if (text === undefined || text.length > MAX_CACHED_CHARS) slots[i] = undefined
      else {
        slot.tree = tree
        slot.text = text
      }
      return text
    }
  }
  const text = objectText(tree, limits, depthKnown)
  if (text !== undefined && text.length <= MAX_CACHED_CHARS) {
    slots[next] = { error: new WeakRef(error), tree, text }
    next = (next + 1) % SLOTS
  }
  return text
}

/**
 * True when `a` and `b` have the same JSON text for certain: equal primitives, or fresh arrays/objects
 * (never the same object twice) without `toJSON`, with the same own enumerable keys in the same order
 * and equal values.
 */
function sameTree(a: unknown, b: unknown, depth: number): boolean {
  if (typeof a !== 'object' || a === null) return a === b
  if (typeof b !== 'object' || b === null || a === b || depth > MAX_COMPARE_DEPTH) return false
  if (typeof (a as { toJSON?: unknown }).toJSON === 'function' || typeof (b as { toJSON?: unknown }).toJSON === 'function') return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameTree(a[i], b[i], depth + 1)) return false
    return true
  }
  if (Array.isArray(b)) return false
  const aKeys = Object.keys(a)
  const bKeys = Object.keys(b)
  if (aKeys.length !== bKeys.length) return false
  for (let i = 0; i < aKeys.length; i++) {
    const key = aKeys[i] as string
    if (key !== bKeys[i] || !sameTree((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], depth + 1)) return false
  }
  return true
}
