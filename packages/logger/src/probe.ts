/** {@link probeValue}: the value takes the native `JSON.stringify` fast path. */
export const PROBE_FAST = 0
/** {@link probeValue}: the value must be walked (an Error inside, nesting deeper than `maxDepth`, or a throw). */
export const PROBE_WALK = 1
/** {@link probeValue}: the value's JSON is certainly longer than the budget: only the capped path may touch it. */
export const PROBE_OVER = 2

let remaining = 0
let walk = false

/**
 * Looks at an object field value before anything stringifies it, so that one oversized value costs what the
 * line cap costs, not what the input costs (`JSON.stringify` of a 10 MB value takes tens of milliseconds).
 *
 * It counts a lower bound of the value's JSON length (string and key lengths, one character per number or
 * literal, a separator per entry) and stops as soon as that exceeds `budgetChars`: a line's bytes are at
 * least its characters, so such a value can never fit. A typed array counts two characters per element
 * (`JSON.stringify` writes it through its `toJSON` or as an indexed object). Other objects with `toJSON`
 * (Date, URL) count as small leaves. The walk goes at most `maxDepth` levels down and visits at most
 * `budgetChars / 2` entries, so its cost is bounded whatever the input (measured ~20 ns for a small object).
 */
export function probeValue(value: object, maxDepth: number, budgetChars: number): number {
  remaining = budgetChars
  walk = false
  try {
    visit(value, 1, maxDepth)
  } catch {
    walk = true
  }
  return remaining < 0 ? PROBE_OVER : walk ? PROBE_WALK : PROBE_FAST
}

function visitItem(item: unknown, depth: number, maxDepth: number): void {
  switch (typeof item) {
    case 'string':
      remaining -= item.length
      return
    case 'object':
      if (item === null) return
      if (item instanceof Error) {
        walk = true
        // its own enumerable fields are still counted, as serializeError writes them
      }
      if (depth >= maxDepth) {
        walk = true // normalize writes the depth marker there
        return
      }
      visit(item, depth + 1, maxDepth)
  }
}

function visit(value: object, depth: number, maxDepth: number): void {
  if (ArrayBuffer.isView(value)) {
    remaining -= 2 * ((value as unknown as { length?: number }).length ?? value.byteLength)
    return
  }
  if (Array.isArray(value)) {
    remaining -= value.length + 1
    for (let i = 0; i < value.length && remaining >= 0; i++) visitItem(value[i], depth, maxDepth)
    return
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return
  for (const key in value) {
    remaining -= key.length + 3
    if (remaining < 0) return
    visitItem((value as Record<string, unknown>)[key], depth, maxDepth)
  }
}
