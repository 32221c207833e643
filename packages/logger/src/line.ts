import pino from 'pino'
import { MARKERS } from './markers.js'
import { PROBE_OVER, PROBE_PLAIN, PROBE_WALK, probeValue } from './probe.js'
import { bindingsOf, type BindingsInfo } from './bindings.js'
import { fieldText } from './error-text.js'
import { exceedsDepth, fixLine, stringifyValue, stringText } from './line-safety.js'
import { redactionCannotChange } from './redaction-skip.js'
import { isError, normalize, serializeError, unserializable, type WalkLimits } from './value-walk.js'

const { lsCacheSym, serializersSym, stringifiersSym, wildcardFirstSym } = pino.symbols
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

type Instance = Record<symbol, unknown>
type Stringifier = (value: unknown) => string | undefined

function encodeKey(key: string): string {
  return stringText(key)
}

function messageText(message: unknown, limits: WalkLimits): string {
  if (typeof message === 'string') return stringText(message)
  if (message === undefined || message === null) return '""'
  if (typeof message === 'object') return fixLine(JSON.stringify(stringifyValue(message, limits) ?? ''))
  return fixLine(JSON.stringify(String(message)))
}

/** Returned by {@link stringifyField} for a value that cannot fit the line: only the capped path may touch it. */
const OVER = null

/**
 * JSON text of one call field, already line-safe (see fixLine); `undefined` omits the field, {@link OVER}
 * means the value alone is longer than `maxChars` (checked before anything copies or stringifies it).
 * `stringifiers` and `key` say where `stringifier` came from, so that a redaction that cannot change the
 * value is skipped (redaction-skip.ts).
 */
function stringifyField(value: unknown, stringifier: Stringifier | undefined, limits: WalkLimits, maxChars: number, stringifiers: object, key: string): string | undefined | typeof OVER {
  switch (typeof value) {
    case 'string':
      if (value.length > maxChars) return OVER
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
      if (value === null) return stringifier !== undefined ? stringifier(value) : 'null'
      const probe = probeValue(value as object, limits.maxDepth, maxChars)
      if (probe === PROBE_OVER) return OVER
      if (probe === PROBE_WALK && isError(value)) {
        // An Error under any key but `err` is written as an error object too (JSON.stringify would give `{}`).
        value = serializeError(value as Error, limits)
        if (probeValue(value as object, limits.maxDepth, maxChars) === PROBE_OVER) return OVER
      }
      if (stringifier !== undefined) {
        // pino's redaction stringifier already falls back to a safe stringify; keep its output unless it
        // is nested too deeply, in which case the redacted copy is walked with markers. When redaction
        // cannot change the value, its JSON is what the stringifier would return, without the clone; a
        // value JSON.stringify throws on still goes to pino's fallback.
        let text: string | undefined
        if (probe !== PROBE_WALK && redactionCannotChange(stringifiers, key, value as object)) {
          try {
            text = JSON.stringify(value)
          } catch {
            text = stringifier(value)
          }
        } else text = stringifier(value)
        if (text === undefined) return undefined
        if (probe === PROBE_PLAIN || text.length <= limits.maxDepth * 2 || !exceedsDepth(text, limits.maxDepth)) return fixLine(text)
        return fixLine(stringifyValue(JSON.parse(text), limits) ?? 'null')
      }
      if (probe === PROBE_WALK) return fixLine(JSON.stringify(normalize(value, limits)))
      return fieldText(value, limits, probe === PROBE_PLAIN)
    }
  }
}

/**
 * Entries the capped path keeps, across the whole line: with at least a few bytes per entry, more than this
 * can never fit 64 KiB, and it bounds what one oversized call may walk.
 */
const MAX_CAPPED_NODES = 8192
/** Entries per array and object on the capped path (halved further while the line does not fit). */
const MAX_CAPPED_ENTRIES = 1000
/** Attempts at fitting the capped line before the last resort. */
const MAX_FIT_ATTEMPTS = 24

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

  // The call's own keys, in order, as the fields loop meets them (at most MAX_CAPPED_ENTRIES): if the line
  // goes over the cap, the capped path reuses them instead of enumerating a huge object a second time
  // (enumerating 10,000 keys costs milliseconds). One array reused by every call; a call nested inside
  // another (a getter that logs) gets its own.
  const scratchKeys: string[] = []
  let depth = 0

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
    // A line's bytes are at least its characters: once they pass the cap nothing more can fit, so the rest
    // of the call only lists its keys for the capped path, copying and stringifying nothing more (bounded
    // work per call: an oversized value costs what the cap costs, not what the input costs).
    let over = typeof message === 'string' ? message.length > maxLineBytes
      : typeof message === 'object' && message !== null && probeValue(message, limits.maxDepth, maxLineBytes) === PROBE_OVER

    const serializers = instance[serializersSym] as Record<string, ((v: unknown) => unknown) | undefined>
    const stringifiers = instance[stringifiersSym] as Record<string | symbol, Stringifier | undefined>
    const wildcard = stringifiers[wildcardFirstSym]
    const bound = info.keys
    const keys = depth === 1 ? scratchKeys : []
    let count = 0
    let fitted = MAX_CAPPED_ENTRIES
    let fields = ''
    let clashes: Record<string, unknown> | null = null
    for (const key in obj) {
      if (!hasOwn.call(obj, key)) continue
      if (count < MAX_CAPPED_ENTRIES) keys[count] = key
      count++
      if (over) continue
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
      const text = stringifyField(value, stringifiers[key] ?? wildcard, limits, maxLineBytes, stringifiers, key)
      if (text === undefined) continue
      if (text === OVER) over = true
      else {
        fields += ',' + encodeKey(key) + ':' + text
        if (fields.length > maxLineBytes) {
          over = true
          // The fields written so far already fill the line: the capped path starts from that many.
          fitted = Math.max(1, count - 1)
        }
      }
    }
    if (!over && (clashes !== null || info.clashes !== null)) {
      const all = { ...info.clashes, ...clashes }
      if (probeValue(all, limits.maxDepth, maxLineBytes) === PROBE_OVER) over = true
      else fields += `,"${CLASH_KEY}":${fixLine(stringifyValue(all, limits) ?? '{}')}`
    }
    if (!over) {
      const line = head + messageText(message, limits) + afterMessage + fields + '}\n'
      // Every part was made line-safe as it was produced (fixLine), so the assembled line needs no scan.
      if (line.length <= maxLineBytes / 3 || Buffer.byteLength(line) <= maxLineBytes) return line
    }
    return capLine(head, message, afterMessage, obj, keys, count, fitted, instance, info, messageFromFields)
  }

  /**
   * Slow path for a line over `maxLineBytes`: the message and fields are walked with a budget (at most
   * 1,000 entries per array or object, 8,192 in the line, strings sliced to the line size before any copy),
   * then the longest strings are cut to a common length estimated from what must go, and entries per
   * container (the call's fields included) are reduced while strings alone cannot make it fit. The line is
   * shortened, never dropped, and every cut leaves a marker with the count of what was cut. The work depends
   * on the cap, not on the input's size (apart from listing a huge object's keys once).
   *
   * `keys` holds the call's first own keys (at most 1,000), `keyCount` how many it has, and `fitted` how
   * many of them already filled the line on the fast path (a first guess for how many fields to keep).
   */
  function capLine(head: string, message: unknown, afterMessage: string, obj: Record<string, unknown>, keys: readonly string[], keyCount: number, fitted: number, instance: Instance, info: BindingsInfo, messageFromFields: boolean): string {
    const serializers = instance[serializersSym] as Record<string, ((v: unknown) => unknown) | undefined>
    const stringifiers = instance[stringifiersSym] as Record<string | symbol, Stringifier | undefined>
    const wildcard = stringifiers[wildcardFirstSym]
    const data: Array<[string, unknown]> = []
    let clashes: Record<string, unknown> | null = null
    const listed = Math.min(keyCount, MAX_CAPPED_ENTRIES)
    const omitted = keyCount - listed
    for (let i = 0; i < listed; i++) {
      const key = keys[i] as string
      try {
        let value = obj[key]
        if (value === undefined) continue
        if (reserved.has(key) || info.keys?.has(key)) {
          if (messageFromFields && key === 'message') continue
          clashes ??= Object.create(null) as Record<string, unknown>
          clashes[key] = value
          continue
        }
        const serializer = serializers[key]
        if (serializer !== undefined) value = serializer(value)
        if (isError(value)) value = serializeError(value as Error, { ...limits, maxStringChars: maxLineBytes, maxItems: MAX_CAPPED_ENTRIES, maxKeys: MAX_CAPPED_ENTRIES })
        const stringifier = stringifiers[key] ?? wildcard
        if (stringifier !== undefined && value !== undefined && typeof value !== 'function' && typeof value !== 'symbol') {
          // Redaction must see the whole value, and pino's stringifier copies all of it: a value that cannot
          // fit anyway is replaced by a marker instead, which also cannot leak what redaction would hide.
          const over = typeof value === 'string' ? value.length > maxLineBytes
            : typeof value === 'object' && value !== null && probeValue(value, limits.maxDepth, maxLineBytes) === PROBE_OVER
          if (over) value = `${MARKERS.truncated}value over ${maxLineBytes} bytes]`
          else {
            const text = stringifier(value)
            value = text === undefined ? undefined : JSON.parse(text)
          }
        }
        if (value !== undefined && typeof value !== 'function' && typeof value !== 'symbol') data.push([key, value])
      } catch (err) {
        data.push([key, unserializable(err)])
      }
    }
    const clashField: unknown = clashes !== null || info.clashes !== null ? { ...info.clashes, ...clashes } : undefined
    const messageValue = typeof message === 'string' || (typeof message === 'object' && message !== null) ? message
      : message === undefined || message === null ? '' : String(message)

    let topKeys = Math.min(fitted, MAX_CAPPED_ENTRIES)
    // Each attempt measures its parts (made line-safe first, since escaping U+2028 lengthens them) without
    // joining them: only the attempt that fits is assembled, so a call allocates one line, not one per try.
    const fixedBytes = Buffer.byteLength(head) + Buffer.byteLength(afterMessage) + 2
    const fixedChars = head.length + afterMessage.length + 2
    const render = (step: WalkLimits): { parts: string[], bytes: number, chars: number, strings: number[] } => {
      step.budget = { nodes: MAX_CAPPED_NODES }
      const m = normalize(messageValue, step)
      const messageJson = fixLine(JSON.stringify(typeof m === 'string' ? m : JSON.stringify(m ?? '')))
      const strings: number[] = [typeof m === 'string' ? m.length : messageJson.length]
      const parts = [messageJson]
      // The call's fields are one more object: past `maxKeys` they end with the same marker key.
      const kept = Math.min(data.length, step.maxKeys, topKeys)
      for (let i = 0; i < kept; i++) {
        const [key, value] = data[i] as [string, unknown]
        const n = normalize(value, step)
        collectStringLengths(n, strings)
        parts.push(fixLine(`,${encodeKey(key)}:${JSON.stringify(n)}`))
      }
      const cut = omitted + data.length - kept
      if (cut > 0) parts.push(`,"[Truncated]":${JSON.stringify(`${MARKERS.truncated}${cut} more keys]`)}`)
      if (clashField !== undefined) parts.push(fixLine(`,"${CLASH_KEY}":${JSON.stringify(normalize(clashField, step))}`))
      let bytes = fixedBytes
      let chars = fixedChars
      for (const part of parts) {
        bytes += Buffer.byteLength(part)
        chars += part.length
      }
      return { parts, bytes, chars, strings }
    }

    let current: WalkLimits = { ...limits, maxItems: MAX_CAPPED_ENTRIES, maxKeys: MAX_CAPPED_ENTRIES, maxStringChars: maxLineBytes }
    let maxStringChars = maxLineBytes
    for (let attempt = 0; attempt < MAX_FIT_ATTEMPTS; attempt++) {
      const { parts, bytes, chars, strings } = render({ ...current, maxStringChars })
      if (bytes <= maxLineBytes) return head + parts[0] + afterMessage + parts.slice(1).join('') + '}\n'
      // In characters, scaled by this line's bytes per character.
      const excess = Math.ceil((bytes - maxLineBytes) * (chars / bytes))
      let projected = bytes
      if (maxStringChars > MIN_CUT_CHARS) {
        // Cut every long string to one length chosen so that what is cut covers the excess; escaping or
        // multi-byte text that still overflows is caught by the next attempt.
        const cut = commonCut(strings, excess, maxStringChars)
        maxStringChars = cut < maxStringChars ? cut : Math.floor(maxStringChars * 0.9)
        if (maxStringChars > MIN_CUT_CHARS) continue
        maxStringChars = MIN_CUT_CHARS
        projected = bytes - removedAt(strings, MIN_CUT_CHARS, Infinity) * (bytes / chars)
        if (projected <= maxLineBytes) continue
      }
      if (current.maxItems <= 1 && current.maxKeys <= 1 && topKeys <= 1) break
      // Strings alone cannot make it fit: fewer entries per container (the call's fields included), scaled
      // by how far over the line would still be, at least one fewer each time.
      const scale = (n: number): number => Math.max(1, Math.min(n - 1, Math.floor(n * (maxLineBytes / projected) * 0.95)))
      current = { ...current, maxItems: scale(current.maxItems), maxKeys: scale(current.maxKeys) }
      topKeys = scale(topKeys)
    }
    // Last resort (bindings alone over the cap): keep the fixed head, a cut message and a marker.
    const marker = `${MARKERS.truncated}fields over ${maxLineBytes} bytes]`
    return fixLine(head + JSON.stringify(normalize(typeof messageValue === 'string' ? messageValue : '', { ...limits, maxStringChars: 64 })) +
      layout.traceFragment() + layout.afterTraceFragment + `,"${CLASH_KEY}":${JSON.stringify(marker)}}\n`)
  }

  /** Written when building the line itself threw: the fixed head, the message if readable, and the reason. */
  function fallback(instance: Instance, msg: unknown, num: number, time: string, err: unknown): string {
    let message = '""'
    try {
      message = typeof msg === 'string' && msg.length > maxLineBytes / 2
        ? messageText(normalize(msg, { ...limits, maxStringChars: 64 }), limits)
        : messageText(typeof msg === 'string' ? msg : undefined, limits)
    } catch {
      // keep the empty message
    }
    const head = ((instance[lsCacheSym] as Record<number, string>)[num] ?? '{"level":"error"') + time + layout.serviceFragment + layout.messageFragment
    return fixLine(head + message + layout.traceFragment() + layout.afterTraceFragment + `,"${LOG_ERROR_KEY}":${JSON.stringify(unserializable(err))}}\n`)
  }

  return function asJson(this: Instance, obj: Record<string, unknown>, msg: unknown, num: number, time: string): string {
    depth++
    try {
      return build(this, obj, msg, num, time)
    } catch (err) {
      return fallback(this, msg, num, time, err)
    } finally {
      depth--
    }
  }
}

/** Lengths of the strings in normalized data (already bounded by the walk's node budget). */
function collectStringLengths(value: unknown, out: number[]): void {
  if (typeof value === 'string') out.push(value.length)
  else if (Array.isArray(value)) for (const item of value) collectStringLengths(item, out)
  else if (typeof value === 'object' && value !== null) for (const key in value) collectStringLengths((value as Record<string, unknown>)[key], out)
}

/** Characters a cut adds at most: `...[Truncated: N more chars]`. */
const CUT_MARKER_CHARS = 40
/** Strings are never cut shorter than this on the capped path. */
const MIN_CUT_CHARS = 64

/** Characters removed by cutting every string longer than `cut` to `cut` (each cut adds its marker). */
function removedAt(lengths: number[], cut: number, ceiling: number): number {
  let removed = 0
  for (const n of lengths) if (n > cut + CUT_MARKER_CHARS) removed += Math.min(n, ceiling) - cut - CUT_MARKER_CHARS
  return removed
}

/**
 * The largest length L such that cutting every string longer than L down to L removes at least `excess`
 * characters: water-filling over the string lengths, by bisection. {@link MIN_CUT_CHARS} when even that
 * is not enough.
 */
function commonCut(lengths: number[], excess: number, ceiling: number): number {
  let low = MIN_CUT_CHARS
  let high = ceiling
  if (removedAt(lengths, low, ceiling) < excess) return low
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2)
    if (removedAt(lengths, mid, ceiling) >= excess) low = mid
    else high = mid
  }
  return low
}
