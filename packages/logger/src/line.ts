import pino from 'pino'
import { MARKERS } from './markers.js'
import { exceedsDepth, fixLine, isError, normalize, objectText, serializeError, stringifyValue, stringText, unserializable, type WalkLimits } from './safe-json.js'

const { lsCacheSym, serializersSym, stringifiersSym, wildcardFirstSym, chindingsSym } = pino.symbols
const hasOwn = Object.prototype.hasOwnProperty

/** Name of the object that receives user fields whose names are reserved or already bound. */
export const CLASH_KEY = 'fields_clash'
/** Field written with a marker when a log call's arguments could not be read at all. */
export const LOG_ERROR_KEY = 'log_error'

/** The constant parts of every line of one logger, computed once at construction. */
export interface LineLayout {
  /** `,"service":"orders"` (or `,"service.name":...`). */
  serviceFragment: string
  /** `,"message":` */
  messageFragment: string
  /** Trace fields' text for the active span, '' without one. */
  traceFragment: () => string
  /** `,"host":"...","pid":123` (ECS: `,"ecs.version":...,"host.hostname":...,"process.pid":...`). */
  afterTraceFragment: string
  /** Field names a user field or binding may never write at top level. */
  reserved: ReadonlySet<string>
  limits: WalkLimits
  maxLineBytes: number
}

interface BindingsInfo {
  chindings: string
  fragment: string
  keys: ReadonlySet<string> | null
  clashes: Record<string, unknown> | null
}

type Instance = Record<symbol, unknown>
type Stringifier = (value: unknown) => string | undefined

const kBindings = Symbol('tracewire.bindings')
const EMPTY_BINDINGS: BindingsInfo = { chindings: '', fragment: '', keys: null, clashes: null }

function encodeKey(key: string): string {
  return stringText(key)
}

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
    fragment += `,${encodeKey(key)}:${fixLine(stringifyValue(value, layout.limits) ?? 'null')}`
  }
  return { chindings, fragment, keys: keys.size === 0 ? null : keys, clashes }
}

function bindingsOf(instance: Instance, layout: LineLayout): BindingsInfo {
  const chindings = instance[chindingsSym] as string
  const info = instance[kBindings] as BindingsInfo | undefined
  if (info !== undefined && info.chindings === chindings) return info
  const built = chindings === '' ? EMPTY_BINDINGS : buildBindings(chindings, info, layout)
  instance[kBindings] = built
  return built
}

function messageText(message: unknown, limits: WalkLimits): string {
  if (typeof message === 'string') return stringText(message)
  if (message === undefined || message === null) return '""'
  if (typeof message === 'object') return fixLine(JSON.stringify(stringifyValue(message, limits) ?? ''))
  return fixLine(JSON.stringify(String(message)))
}

/** JSON text of one call field, already line-safe (see fixLine); `undefined` omits the field. */
function stringifyField(value: unknown, stringifier: Stringifier | undefined, limits: WalkLimits): string | undefined {
  switch (typeof value) {
    case 'string':
      return stringifier !== undefined ? fixLine(stringifier(value) as string) : stringText(value)
    case 'number':
      // Numbers and booleans cannot carry U+2028 or surrogates, so they skip fixLine.
      return stringifier !== undefined ? stringifier(value) : Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return stringifier !== undefined ? stringifier(value) : value ? 'true' : 'false'
    case 'bigint':
      return `"${value.toString()}"`
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
    default: {
      // An Error under any key but `err` is written as an error object too (JSON.stringify would give `{}`).
      if (isError(value)) value = serializeError(value as Error, limits)
      if (stringifier !== undefined) {
        // pino's redaction stringifier already falls back to a safe stringify; keep its output unless it
        // is nested too deeply, in which case the redacted copy is walked with markers.
        const text = stringifier(value)
        if (text === undefined) return undefined
        if (text.length <= limits.maxDepth * 2 || !exceedsDepth(text, limits.maxDepth)) return fixLine(text)
        return fixLine(stringifyValue(JSON.parse(text), limits) ?? 'null')
      }
      return objectText(value, limits)
    }
  }
}

interface Parts {
  head: string
  message: unknown
  afterMessage: string
  fields: string
}

/**
 * Builds pino's `asJson` replacement for one logger: the whole line in FORMAT.md order —
 * level, time, @timestamp, service, message, trace fields, host, pid, bindings, user fields.
 *
 * Why a replacement rather than only pino's documented hooks: pino always appends the message last and the
 * bindings before the call's fields, and its string encoder leaves U+2028 and lone surrogates raw. Every
 * documented option is still honoured (`timestamp`, `formatters.level`, `serializers`, `redact`), and the
 * logger stays a real `pino.Logger`; only the assembly of the text is ours. It is installed through the
 * exported `pino.symbols.asJsonSym`.
 */
export function createLineBuilder(layout: LineLayout) {
  const { reserved, limits, maxLineBytes } = layout

  function build(instance: Instance, obj: Record<string, unknown>, msg: unknown, num: number, time: string): string {
    const info = bindingsOf(instance, layout)
    let message = msg
    let messageFromFields = false
    if (message === undefined && obj.message !== undefined) {
      // pino's convention: `logger.info({ message: 'x' })` logs 'x' as the message.
      message = obj.message
      messageFromFields = true
    }
    const head = (instance[lsCacheSym] as Record<number, string>)[num] + time + layout.serviceFragment + layout.messageFragment
    const afterMessage = layout.traceFragment() + layout.afterTraceFragment + info.fragment

    const serializers = instance[serializersSym] as Record<string, ((v: unknown) => unknown) | undefined>
    const stringifiers = instance[stringifiersSym] as Record<string | symbol, Stringifier | undefined>
    const wildcard = stringifiers[wildcardFirstSym]
    const bound = info.keys
    let fields = ''
    let clashes: Record<string, unknown> | null = null
    for (const key in obj) {
      if (!hasOwn.call(obj, key)) continue
      let value = obj[key]
      if (value === undefined) continue
      if (reserved.has(key) || (bound !== null && bound.has(key))) {
        if (messageFromFields && key === 'message') continue
        clashes ??= Object.create(null) as Record<string, unknown>
        clashes[key] = value
        continue
      }
      const serializer = serializers[key]
      if (serializer !== undefined) value = serializer(value)
      const text = stringifyField(value, stringifiers[key] ?? wildcard, limits)
      if (text === undefined) continue
      fields += ',' + encodeKey(key) + ':' + text
    }
    if (clashes !== null || info.clashes !== null) {
      fields += `,"${CLASH_KEY}":${fixLine(stringifyValue({ ...info.clashes, ...clashes }, limits) ?? '{}')}`
    }
    const line = head + messageText(message, limits) + afterMessage + fields + '}\n'
    if (line.length > maxLineBytes / 3 && Buffer.byteLength(line) > maxLineBytes) {
      return capLine({ head, message, afterMessage, fields }, obj, instance, info, clashes)
    }
    // Every part was made line-safe as it was produced (fixLine), so the assembled line needs no scan.
    return line
  }

  /**
   * Slow path for a line over `maxLineBytes`: the fields are walked again with breadth limits and the
   * longest strings are cut (the limit halves until the line fits), so the line is shortened, never dropped.
   */
  function capLine(parts: Parts, obj: Record<string, unknown>, instance: Instance, info: BindingsInfo, clashes: Record<string, unknown> | null): string {
    const serializers = instance[serializersSym] as Record<string, ((v: unknown) => unknown) | undefined>
    const stringifiers = instance[stringifiersSym] as Record<string | symbol, Stringifier | undefined>
    const wildcard = stringifiers[wildcardFirstSym]
    const wide: WalkLimits = { ...limits, maxItems: 1000, maxKeys: 1000 }
    const data: Array<[string, unknown]> = []
    for (const key in obj) {
      if (!hasOwn.call(obj, key)) continue
      if (reserved.has(key) || info.keys?.has(key)) continue
      try {
        let value = obj[key]
        const serializer = serializers[key]
        if (serializer !== undefined) value = serializer(value)
        const stringifier = stringifiers[key] ?? wildcard
        if (stringifier !== undefined && value !== undefined && typeof value !== 'function' && typeof value !== 'symbol') {
          const text = stringifier(value)
          value = text === undefined ? undefined : JSON.parse(text)
        }
        if (normalize(value, wide) !== undefined) data.push([key, value])
      } catch (err) {
        data.push([key, unserializable(err)])
      }
    }
    if (clashes !== null || info.clashes !== null) data.push([CLASH_KEY, { ...info.clashes, ...clashes }])
    const message = typeof parts.message === 'string' ? parts.message : JSON.parse(messageText(parts.message, limits)) as string

    let maxStringChars = Math.max(message.length, longestString(data.map(([, value]) => normalize(value, wide))))
    let current = wide
    for (let attempt = 0; attempt < 40; attempt++) {
      const step: WalkLimits = { ...current, maxStringChars }
      let fields = ''
      for (const [key, value] of data) fields += `,${encodeKey(key)}:${JSON.stringify(normalize(value, step))}`
      const line = parts.head + JSON.stringify(normalize(message, step)) + parts.afterMessage + fields + '}\n'
      if (Buffer.byteLength(line) <= maxLineBytes) return fixLine(line)
      if (maxStringChars > 64) maxStringChars = Math.floor(maxStringChars / 2)
      else if (current.maxItems > 1 || current.maxKeys > 1) {
        current = { ...current, maxItems: Math.floor(current.maxItems / 2), maxKeys: Math.floor(current.maxKeys / 2) }
      } else break
    }
    // Last resort (bindings alone over the cap): keep the fixed head, a cut message and a marker.
    const marker = `${MARKERS.truncated}fields over ${maxLineBytes} bytes]`
    return fixLine(parts.head + JSON.stringify(normalize(message, { ...limits, maxStringChars: 64 })) +
      layout.traceFragment() + layout.afterTraceFragment + `,"${CLASH_KEY}":${JSON.stringify(marker)}}\n`)
  }

  /** Written when building the line itself threw: the fixed head, the message if readable, and the reason. */
  function fallback(instance: Instance, msg: unknown, num: number, time: string, err: unknown): string {
    let message = '""'
    try {
      message = messageText(typeof msg === 'string' ? msg : undefined, limits)
    } catch {
      // keep the empty message
    }
    const head = ((instance[lsCacheSym] as Record<number, string>)[num] ?? '{"level":"error"') + time + layout.serviceFragment + layout.messageFragment
    return fixLine(head + message + layout.traceFragment() + layout.afterTraceFragment + `,"${LOG_ERROR_KEY}":${JSON.stringify(unserializable(err))}}\n`)
  }

  return function asJson(this: Instance, obj: Record<string, unknown>, msg: unknown, num: number, time: string): string {
    try {
      return build(this, obj, msg, num, time)
    } catch (err) {
      return fallback(this, msg, num, time, err)
    }
  }
}

function longestString(values: unknown[]): number {
  let longest = 0
  const stack: unknown[] = [...values]
  while (stack.length > 0) {
    const value = stack.pop()
    if (typeof value === 'string') longest = Math.max(longest, value.length)
    else if (Array.isArray(value)) stack.push(...value)
    else if (typeof value === 'object' && value !== null) stack.push(...Object.values(value))
  }
  return longest
}
