/**
 * Turns one accepted log line into the document Fluentd would index and the fields that name its index.
 *
 * FORMAT.md: the logger writes `{"level":"…","time":<float seconds>,"@timestamp":"…","service":"…",…`
 * (ECS: `log.level` and `service.name`, `@tracewire/contract`), and Fluentd removes `time` from the
 * record after using it. The fast path reads those fields at fixed
 * positions and cuts the `"time":<number>,` fragment out by offsets; any other line shape falls back to
 * `JSON.parse` for validation plus a top-level scan to find the `time` member to cut. The document text
 * is never re-serialised, so what reaches Elasticsearch is byte for byte what the logger wrote.
 */

import { LINE_SCHEMAS, isValidServiceName, leadingKeys, lineFields, readField, schemaOf } from '@tracewire/contract'

/**
 * A line that can be indexed. The document (the record without `time`, exactly as written
 * otherwise) is `source[0, headEnd) + source[tailStart, end)`: kept as offsets so the bytes can be
 * encoded straight from the original line, without building (and later flattening) a new string.
 */
export interface ParsedLine {
  source: string
  headEnd: number
  tailStart: number
  end: number
  /** The service field (`service`, or ECS `service.name`), lowercased. */
  service: string
  /** `time` in epoch seconds. */
  timeSeconds: number
}

/** The document text of a parsed line. */
export function documentText(p: ParsedLine): string {
  if (p.headEnd === 0) return p.tailStart === 0 && p.end === p.source.length ? p.source : p.source.slice(p.tailStart, p.end)
  return p.source.slice(0, p.headEnd) + p.source.slice(p.tailStart, p.end)
}

/** A line that cannot be indexed, with the reason for the dead letter. */
export interface RejectedLine {
  reason: string
}

// Year 0001 … 9999: anything else cannot make a YYYYMMDD index date.
const MAX_TIME_SECONDS = 253402300799

/** The leading keys of one schema as the fragments the fast path matches. */
interface LeadingFragments {
  level: string
  time: string
  stamp: string
  service: string
}

const LEADING: readonly LeadingFragments[] = LINE_SCHEMAS.map((schema) => {
  const [level, time, stamp, service] = leadingKeys(schema)
  return { level: `{${JSON.stringify(level)}:"`, time: `,${JSON.stringify(time)}:`, stamp: `,${JSON.stringify(stamp)}:"`, service: `,${JSON.stringify(service)}:"` }
})

/** Reads `service` and `time` and removes `time`; returns a reason when the line cannot be indexed. */
export function parseLine(line: string, end: number = line.length): ParsedLine | RejectedLine {
  return fastPath(line, end) ?? slowPath(end === line.length ? line : line.slice(0, end))
}

/** `end`: where the line ends (before a trailing newline), so the caller need not slice it off. */
function fastPath(line: string, end: number): ParsedLine | undefined {
  for (const keys of LEADING) if (line.startsWith(keys.level)) return fastPathOf(line, end, keys)
  return undefined
}

function fastPathOf(line: string, end: number, { level: LEVEL_PREFIX, time: TIME_KEY, stamp: STAMP_KEY, service: SERVICE_KEY }: LeadingFragments): ParsedLine | undefined {
  const levelEnd = line.indexOf('"', LEVEL_PREFIX.length)
  // A level label is a short lowercase word; an escape or a long value means "not our shape".
  if (levelEnd < 0 || levelEnd > 40 || line.charCodeAt(levelEnd - 1) === 92 /* \ */) return undefined
  if (!line.startsWith(TIME_KEY, levelEnd + 1)) return undefined
  const timeStart = levelEnd + 1 + TIME_KEY.length
  // The logger writes `time` as digits with at most one dot (epoch seconds, millisecond fraction): those
  // are read while scanning, as an integer and a power of ten. Both are exact below 2^53 (at most 15
  // digits), and IEEE division rounds correctly, so the quotient is the double `Number(text)` returns.
  // Any other number text (exponent, sign, more digits) is left to `Number`.
  let timeEnd = timeStart
  let mantissa = 0
  let scale = 1
  let digits = 0
  let dot = false
  let plain = true
  while (timeEnd < line.length) {
    const c = line.charCodeAt(timeEnd)
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48)
      digits++
      if (dot) scale *= 10
    } else if (c === 46 /* . */ && !dot) dot = true
    else if (isNumberChar(c)) plain = false
    else break
    timeEnd++
  }
  if (timeEnd === timeStart || line.charCodeAt(timeEnd) !== 44 /* , */) return undefined
  const timeSeconds = plain && digits > 0 && digits <= 15 ? mantissa / scale : Number(line.slice(timeStart, timeEnd))
  if (!validTime(timeSeconds)) return undefined
  // `"@timestamp":"<iso>"` follows; ISO strings contain no quotes or escapes.
  if (!line.startsWith(STAMP_KEY, timeEnd)) return undefined
  const stampEnd = line.indexOf('"', timeEnd + STAMP_KEY.length)
  if (stampEnd < 0 || stampEnd - timeEnd > 64) return undefined
  if (!line.startsWith(SERVICE_KEY, stampEnd + 1)) return undefined
  const serviceStart = stampEnd + 1 + SERVICE_KEY.length
  const service = serviceAt(line, serviceStart)
  if (service === undefined) return undefined
  // A later duplicate `time`/`service` key would win in a JSON parser; the logger never writes one,
  // and Fluentd's parser (Oj/yajl) also keeps the last, so we only trust the fast path for well-formed tails.
  if (line.charCodeAt(end - 1) !== 125 /* } */) return undefined
  // Cut `,"time":<number>` (the comma before it stays with the level member).
  return { source: line, headEnd: levelEnd + 1, tailStart: timeEnd, end, service, timeSeconds }
}

/**
 * A process has one or a few services, so the last valid name is kept: a line naming it again is
 * matched in place (no slice, no validation). Same answer as the full check: the kept name holds no
 * `"` or `\`, so it matches only when the value is exactly that name, closed by its quote.
 */
let lastService = ''

/** The service value starting at `start` (after its opening quote) when it is a valid name. */
function serviceAt(line: string, start: number): string | undefined {
  const known = lastService
  if (known !== '' && line.charCodeAt(start + known.length) === 34 /* " */ && line.startsWith(known, start)) return known
  const end = line.indexOf('"', start)
  if (end < 0 || end - start > 100) return undefined
  const service = line.slice(start, end)
  if (!isValidServiceName(service)) return undefined
  lastService = service
  return service
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69
}

function validTime(t: number): boolean {
  return Number.isFinite(t) && t >= 0 && t <= MAX_TIME_SECONDS
}

function slowPath(line: string): ParsedLine | RejectedLine {
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch {
    return { reason: 'line is not valid JSON' }
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { reason: 'line is not a JSON object' }
  }
  const fields = lineFields(schemaOf(record as Record<string, unknown>) ?? 'default')
  const service = readField(record as Record<string, unknown>, fields.service)
  const { time } = record as { time?: unknown }
  if (typeof service !== 'string') return { reason: 'line has no string "service" (or ECS "service.name") field' }
  const lowered = service.toLowerCase()
  if (!isValidServiceName(lowered)) {
    return { reason: `"service" is not a valid index name part ([a-z0-9][a-z0-9._-]*, at most 100 bytes): ${JSON.stringify(service.slice(0, 120))}` }
  }
  if (typeof time !== 'number') return { reason: 'line has no numeric "time" field (epoch seconds)' }
  if (!validTime(time)) return { reason: `"time" ${String(time)} is not epoch seconds between year 1970 and 9999` }
  const span = findTopLevelMember(line, 'time')
  // JSON.parse found `time`, so the scanner finds it too; keep the line whole if it somehow does not.
  const document = span ? removeMember(line, span) : line
  return { source: document, headEnd: 0, tailStart: 0, end: document.length, service: lowered, timeSeconds: time }
}

interface MemberSpan {
  /** Index of the key's opening quote. */
  keyStart: number
  /** Index just after the value. */
  valueEnd: number
}

/**
 * Finds the last top-level member named `name` in a valid JSON object text (the one `JSON.parse` keeps).
 * A linear scan that tracks string and nesting state; no allocation per character.
 */
export function findTopLevelMember(text: string, name: string): MemberSpan | undefined {
  let depth = 0
  let found: MemberSpan | undefined
  let pendingKey: number | undefined // start of a depth-1 key matching `name`, awaiting its value
  let valueStart = -1
  const quotedName = JSON.stringify(name)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      const start = i
      i++
      while (i < text.length) {
        const d = text.charCodeAt(i)
        if (d === 92) i += 2
        else if (d === 34) break
        else i++
      }
      if (depth === 1 && valueStart < 0) {
        // A string at depth 1 outside a value is a key.
        if (text.startsWith(quotedName, start) && i === start + quotedName.length - 1) pendingKey = start
        else pendingKey = undefined
      }
      continue
    }
    if (c === 58 /* : */ && depth === 1) {
      valueStart = i + 1
      continue
    }
    if (c === 123 || c === 91) {
      depth++
      continue
    }
    if (c === 125 || c === 93 || (c === 44 && depth === 1)) {
      if ((c === 125 || c === 93) && depth > 1) {
        depth--
        continue
      }
      if (depth === 1 && valueStart >= 0) {
        if (pendingKey !== undefined) found = { keyStart: pendingKey, valueEnd: trimEnd(text, i) }
        pendingKey = undefined
        valueStart = -1
      }
      if (c !== 44) depth--
    }
  }
  return found
}

function trimEnd(text: string, end: number): number {
  let e = end
  while (e > 0 && isSpace(text.charCodeAt(e - 1))) e--
  return e
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13
}

/** Removes one member and the comma that separates it from its neighbour. */
function removeMember(text: string, span: MemberSpan): string {
  // Prefer eating the comma before the member; when it is the first member, eat the one after.
  let before = span.keyStart - 1
  while (before >= 0 && isSpace(text.charCodeAt(before))) before--
  if (text.charCodeAt(before) === 44) return text.slice(0, before) + text.slice(span.valueEnd)
  let after = span.valueEnd
  while (after < text.length && isSpace(text.charCodeAt(after))) after++
  if (text.charCodeAt(after) === 44) return text.slice(0, span.keyStart) + text.slice(after + 1).replace(/^\s+/, '')
  return text.slice(0, span.keyStart) + text.slice(span.valueEnd)
}
