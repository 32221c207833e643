/** {@link probeValue}: the value takes the native `JSON.stringify` fast path. */
export const PROBE_FAST = 0
/** {@link probeValue}: the value must be walked (it is or holds an Error, nests deeper than `maxDepth`, or threw). */
export const PROBE_WALK = 1
/** {@link probeValue}: the value's JSON is certainly longer than the budget: only the capped path may touch it. */
export const PROBE_OVER = 2
/**
 * {@link probeValue}: as {@link PROBE_FAST}, and nothing in the value has a `toJSON` (nor is a Buffer or typed
 * array), so its JSON nests exactly as deep as the probe walked, within `maxDepth`: no depth check of the text
 * is needed. (A getter or proxy that returns a deeper value on its second read would be written as read.)
 */
export const PROBE_PLAIN = 3

// Module state instead of a result object: the probe runs on every object field of every call, and must
// not allocate.
let remaining = 0
let walk = false
let replaced = false

/**
 * Looks at an object field value before anything stringifies it, so that one oversized value costs what the
 * line cap costs, not what the input costs (`JSON.stringify` of a 10 MB value takes tens of milliseconds).
 *
 * It counts a lower bound of the value's JSON length (string and key lengths plus separators, at least one
 * character per array element) and stops as soon as that exceeds `budgetChars`: a line's bytes are at least
 * its characters, so such a value can never fit. A typed array or Buffer counts two characters per byte
 * (it is written as a list of numbers). The walk goes at most `maxDepth` levels down and, since every entry
 * costs budget, visits a bounded number of entries whatever the input. Measured ~20 ns for a two-key object,
 * ~100 ns for a three-level one (a tenth of their `JSON.stringify`).
 */
export function probeValue(value: object, maxDepth: number, budgetChars: number): number {
  remaining = budgetChars
  walk = false
  replaced = false
  try {
    if (value instanceof Error) walk = true
    visit(value, 1, maxDepth)
  } catch {
    walk = true // a throwing getter or a revoked proxy: the walk writes a marker for it
  }
  return remaining < 0 ? PROBE_OVER : walk ? PROBE_WALK : replaced ? PROBE_FAST : PROBE_PLAIN
}

function visit(value: object, depth: number, maxDepth: number): void {
  // JSON.stringify writes what toJSON returns, whose depth the walk below does not see.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') replaced = true
  if (Array.isArray(value)) {
    remaining -= value.length + 1
    for (let i = 0; i < value.length && remaining >= 0; i++) {
      const item: unknown = value[i]
      if (typeof item === 'string') remaining -= item.length
      else if (typeof item === 'object' && item !== null) visitObject(item, depth, maxDepth)
    }
    return
  }
  if (ArrayBuffer.isView(value)) {
    // Enumerating a 10 MB Buffer's indices would itself cost what the probe is there to avoid.
    remaining -= 2 * value.byteLength
    replaced = true // a Buffer is written as { type, data: [...] }
    return
  }
  for (const key in value) {
    remaining -= key.length + 3
    if (remaining < 0) return
    const item = (value as Record<string, unknown>)[key]
    if (typeof item === 'string') remaining -= item.length
    else if (typeof item === 'object' && item !== null) visitObject(item, depth, maxDepth)
  }
}

function visitObject(item: object, depth: number, maxDepth: number): void {
  // An Error's own enumerable fields are still counted below: serializeError writes them.
  if (item instanceof Error) walk = true
  if (depth >= maxDepth) {
    walk = true // normalize writes the depth marker there
    return
  }
  visit(item, depth + 1, maxDepth)
}
