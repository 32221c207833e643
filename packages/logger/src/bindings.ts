/**
 * The bindings cache of the line builder: each logger instance's bindings (pino's `chindings` text) as a
 * fragment ready to append, parsed once per distinct text rather than per call.
 */
import pino from 'pino'
import type { LineLayout } from './line.js'
import { fixLine, stringText, stringifyValue } from './line-safety.js'
import { unserializable } from './value-walk.js'

const { chindingsSym } = pino.symbols

/** A logger instance's bindings, read once per distinct `chindings` text. */
export interface BindingsInfo {
  /** pino's text of the bindings this was built from (the cache key). */
  chindings: string
  fragment: string
  keys: ReadonlySet<string> | null
  clashes: Record<string, unknown> | null
}

const kBindings = Symbol('tracewire.bindings')
const EMPTY_BINDINGS: BindingsInfo = { chindings: '', fragment: '', keys: null, clashes: null }

function parseChindings(text: string): Record<string, unknown> {
  if (text === '') return {}
  try {
    return JSON.parse(`{${text.slice(1)}}`) as Record<string, unknown>
  } catch (err) {
    return { bindings: unserializable(err) }
  }
}

function buildBindings(chindings: string, parent: BindingsInfo | undefined, layout: LineLayout): BindingsInfo {
  let fragment = ''
  let clashes: Record<string, unknown> | null = null
  const keys = new Set<string>()
  let source: Record<string, unknown>
  // pino appends a child's bindings to its parent's text, so usually only the new part needs reading.
  // A binding that repeats an earlier key replaces it (pino's "last wins" meaning), never duplicates it.
  const added = parent !== undefined && chindings.startsWith(parent.chindings)
    ? parseChindings(chindings.slice(parent.chindings.length))
    : undefined
  if (parent !== undefined && added !== undefined &&
    !Object.keys(added).some((key) => parent.keys?.has(key) || (parent.clashes !== null && key in parent.clashes))) {
    fragment = parent.fragment
    clashes = parent.clashes === null ? null : Object.assign(Object.create(null) as Record<string, unknown>, parent.clashes)
    for (const key of parent.keys ?? []) keys.add(key)
    source = added
  } else {
    source = parseChindings(chindings)
  }
  for (const key of Object.keys(source)) {
    const value = source[key]
    if (layout.reserved.has(key)) {
      clashes ??= Object.create(null) as Record<string, unknown>
      clashes[key] = value
      continue
    }
    keys.add(key)
    fragment += `,${stringText(key)}:${fixLine(stringifyValue(value, layout.limits) ?? 'null')}`
  }
  return { chindings, fragment, keys: keys.size === 0 ? null : keys, clashes }
}

/**
 * The bindings of a logger instance as a ready fragment, its keys, and those that clash with reserved
 * names. Cached on the instance under a symbol and rebuilt only when pino's bindings text changes
 * (`setBindings`); a child's cache starts from its parent's, so usually only the new part is parsed.
 */
export function bindingsOf(instance: Record<symbol, unknown>, layout: LineLayout): BindingsInfo {
  const chindings = instance[chindingsSym] as string
  const info = instance[kBindings] as BindingsInfo | undefined
  if (info !== undefined && info.chindings === chindings) return info
  const built = chindings === '' ? EMPTY_BINDINGS : buildBindings(chindings, info, layout)
  instance[kBindings] = built
  return built
}
