/**
 * `<prefix>-<service>-YYYYMMDD`: the index fluent-plugin-elasticsearch writes with
 * `index_name fluentd-${service}-%Y%m%d` and its default `timekey_use_utc true` (docs/FORMAT.md,
 * "Index name and date"); another zone only when a deployment changed that default.
 */

/** The index prefix of the reference pipeline. */
export const DEFAULT_INDEX_PREFIX = 'fluentd'

/** The index pattern that matches every tracewire index of the reference pipeline. */
export const DEFAULT_INDEX_PATTERN = `${DEFAULT_INDEX_PREFIX}-*`

/** The zone of the index date unless a deployment changed fluent-plugin-elasticsearch's default. */
export const DEFAULT_INDEX_TIME_ZONE = 'UTC'

/** Builds an index name from a service and an epoch-seconds time. */
export type IndexNamer = (service: string, timeSeconds: number) => string

// Elasticsearch index-name rules: lowercase, none of \ / * ? " < > | space , # :, no leading - _ +, not . or ..
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9._-]*$/
const MAX_PREFIX_BYTES = 140
const FIXED_OFFSET_PATTERN = /^([+-])(\d{2}):?(\d{2})$/

/** Why `prefix` cannot start an index name, or `undefined` when it can. */
export function indexPrefixProblem(prefix: unknown): string | undefined {
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix) || prefix === '.' || prefix === '..' || prefix.length > MAX_PREFIX_BYTES) {
    return `use lowercase [a-z0-9][a-z0-9._-]*, at most ${MAX_PREFIX_BYTES} bytes`
  }
  return undefined
}

/**
 * Returns `YYYYMMDD` of an epoch-seconds instant in `timeZone` (`'UTC'`, a fixed offset such as
 * `'+09:00'`, or an IANA zone name), or `undefined` when the zone is none of those.
 */
export function createDateFormatter(timeZone: string): ((timeSeconds: number) => string) | undefined {
  let offsetSeconds: number | undefined
  if (timeZone === 'UTC' || timeZone === 'Z' || timeZone === 'utc') offsetSeconds = 0
  const fixed = FIXED_OFFSET_PATTERN.exec(timeZone)
  if (fixed) {
    const sign = fixed[1] === '-' ? -1 : 1
    offsetSeconds = sign * (Number(fixed[2]) * 3600 + Number(fixed[3]) * 60)
  }
  if (offsetSeconds !== undefined) {
    const offset = offsetSeconds
    let cachedDay = NaN
    let cached = ''
    return (t) => {
      const day = Math.floor((t + offset) / 86400)
      if (day !== cachedDay) {
        cachedDay = day
        cached = utcDate(day * 86400_000)
      }
      return cached
    }
  }
  let format: Intl.DateTimeFormat
  try {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  } catch {
    return undefined
  }
  // Zone offsets change on quarter-hour boundaries at the finest, so cache per 15 minutes.
  let cachedSlot = NaN
  let cached = ''
  return (t) => {
    const slot = Math.floor(t / 900)
    if (slot !== cachedSlot) {
      cachedSlot = slot
      const parts = format.formatToParts(new Date(slot * 900_000))
      const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? ''
      cached = `${get('year').padStart(4, '0')}${get('month')}${get('day')}`
    }
    return cached
  }
}

/**
 * Returns a fast index-name function for a prefix and zone that the caller has validated with
 * {@link indexPrefixProblem} and {@link createDateFormatter}; throws a `RangeError` otherwise.
 * One name string per (service, day) is kept and reused by every line: no per-line allocation.
 */
export function createIndexNamer(prefix: string, timeZone: string = DEFAULT_INDEX_TIME_ZONE): IndexNamer {
  const problem = indexPrefixProblem(prefix)
  if (problem) throw new RangeError(`index prefix ${JSON.stringify(prefix)}: ${problem}`)
  const dateOf = createDateFormatter(timeZone)
  if (!dateOf) throw new RangeError(`time zone ${JSON.stringify(timeZone)} is not 'UTC', a fixed offset like '+09:00', or an IANA zone name`)
  const byService = new Map<string, { date: string; name: string }>()
  return (service, timeSeconds) => {
    const date = dateOf(timeSeconds)
    const cached = byService.get(service)
    if (cached && cached.date === date) return cached.name
    // Bounded: a stream of distinct services cannot grow the cache without limit.
    if (byService.size > 1000) byService.clear()
    const name = `${prefix}-${service}-${date}`
    byService.set(service, { date, name })
    return name
  }
}

function utcDate(ms: number): string {
  const d = new Date(ms)
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth() + 1
  const day = d.getUTCDate()
  return `${String(y).padStart(4, '0')}${m < 10 ? '0' : ''}${m}${day < 10 ? '0' : ''}${day}`
}
