let cachedMs = -1
let cachedFragment = ''

/**
 * The `time` and `@timestamp` part of a line, e.g. `,"time":1764158532.123,"@timestamp":"2026-11-26T12:02:12.123Z"`.
 *
 * `time` is epoch *seconds* with a millisecond fraction because Fluentd's json parser reads `time` as float
 * seconds (pino's epoch milliseconds would date events in the year 57873, FORMAT.md). Fluentd removes
 * `time`, so `@timestamp` carries the same instant for Elasticsearch and Kibana. Building the ISO text costs
 * far more than a log call's budget, so the fragment is built once per millisecond and reused.
 * Passed to pino as its documented `timestamp` option.
 */
export function timeFragment(): string {
  const now = Date.now()
  if (now !== cachedMs) {
    cachedMs = now
    const ms = now % 1000
    cachedFragment = `,"time":${(now - ms) / 1000}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms},"@timestamp":"${new Date(now).toISOString()}"`
  }
  return cachedFragment
}
