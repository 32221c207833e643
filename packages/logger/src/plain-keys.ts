/**
 * The plain-key memo of the line builder: per logger instance, the call-field keys already found to need
 * none of the general path's per-field work, each with its ready `,"key":` text.
 *
 * Why: an access line (one per request) writes the same eight to ten keys with string and number values
 * every time. The general path asks, per field and per call, whether the key is reserved or bound, has a
 * serializer or a redaction stringifier (two property misses on pino's objects), and escapes the key again.
 * Under HTTP load that work cost several times what the micro benchmark shows (bench/http/README.md, "Second
 * pass"); one Map lookup answers all of it for a key seen before.
 *
 * A key enters the memo only when the general path has just written it, with no serializer, no stringifier
 * (neither its own nor pino's wildcard), not reserved and not bound; the memo is tied to the serializers,
 * the stringifiers and the bindings it was built under and starts empty when any of them changes (a child
 * with its own serializers or bindings, `setBindings`). The fast path takes only strings and numbers, whose
 * text is exactly what the general path writes for them (`stringText`, `String(n)` or `null`); everything
 * else still goes the general way.
 */
import type { BindingsInfo } from './bindings.js'

/** Keys remembered per instance at most: bounded memory whatever the calls' keys are. */
export const MAX_PLAIN_KEYS = 256

const kPlainKeys = Symbol('tracewire.plainKeys')

interface PlainKeys {
  readonly serializers: object
  readonly stringifiers: object
  readonly info: BindingsInfo
  /** key → `,"key":` (the key's JSON text, line-safe). */
  readonly prefixes: Map<string, string>
}

/**
 * The memo of `instance` for its current serializers, stringifiers and bindings, or `null` when pino's
 * wildcard stringifier (a `*` redaction path) applies to every key, so no key can skip redaction.
 */
export function plainKeysOf(instance: Record<symbol, unknown>, serializers: object, stringifiers: object, wildcard: unknown, info: BindingsInfo): Map<string, string> | null {
  if (wildcard !== undefined) return null
  const memo = instance[kPlainKeys] as PlainKeys | undefined
  // Read through pino's prototype chain: a child with its parent's serializers, stringifiers and bindings
  // shares the parent's memo, one with its own starts an own one.
  if (memo !== undefined && memo.serializers === serializers && memo.stringifiers === stringifiers && memo.info === info) {
    return memo.prefixes
  }
  const prefixes = new Map<string, string>()
  instance[kPlainKeys] = { serializers, stringifiers, info, prefixes }
  return prefixes
}
