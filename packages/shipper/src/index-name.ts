/**
 * `fluentd-<service>-YYYYMMDD`: the index fluent-plugin-elasticsearch writes with
 * `index_name fluentd-${service}-%Y%m%d` and its default `timekey_use_utc true` (FORMAT.md).
 */
import { ShipperConfigError } from './errors.js'

/** Builds index names; caches the date part because consecutive lines share a day. */
export type IndexNamer = (service: string, timeSeconds: number) => string

const FIXED_OFFSET_RE = /^([+-])(\d{2}):?(\d{2})$/
// ES index-name rules: lowercase, none of \ / * ? " < > | space , # :, no leading - _ +, not . or ..
const PREFIX_RE = /^[a-z0-9][a-z0-9._-]*$/

/** Validates the prefix and time zone (at construction) and returns a fast index-name function. */
export function createIndexNamer(prefix: string, timeZone: string): IndexNamer {
  if (!PREFIX_RE.test(prefix) || prefix === '.' || prefix === '..' || Buffer.byteLength(prefix) > 140) {
    throw new ShipperConfigError(
      `indexPrefix ${JSON.stringify(prefix)} is not a valid Elasticsearch index name start: use lowercase [a-z0-9][a-z0-9._-]*, at most 140 bytes`,
    )
  }
  const dateOf = createDateFormatter(timeZone)
  // One name string per (service, day), reused by every entry: no per-line allocation.
  const byService = new Map<string, { date: string; name: string }>()
  return (service, timeSeconds) => {
    const date = dateOf(timeSeconds)
    const cached = byService.get(service)
    if (cached && cached.date === date) return cached.name
    if (byService.size > 1000) byService.clear()
    const name = `${prefix}-${service}-${date}`
    byService.set(service, { date, name })
    return name
  }
}

/** Returns `YYYYMMDD` of an epoch-seconds instant in the given zone. */
export function createDateFormatter(timeZone: string): (timeSeconds: number) => string {
  let offsetSeconds: number | undefined
  if (timeZone === 'UTC' || timeZone === 'Z' || timeZone === 'utc') offsetSeconds = 0
  const fixed = FIXED_OFFSET_RE.exec(timeZone)
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
    throw new ShipperConfigError(
      `indexTimeZone ${JSON.stringify(timeZone)} is not 'UTC', a fixed offset like '+09:00', or an IANA zone name`,
    )
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

function utcDate(ms: number): string {
  const d = new Date(ms)
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth() + 1
  const day = d.getUTCDate()
  return `${String(y).padStart(4, '0')}${m < 10 ? '0' : ''}${m}${day < 10 ? '0' : ''}${day}`
}
