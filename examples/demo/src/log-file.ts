import { readFileSync } from 'node:fs'

/** One parsed line of a tracewire log file. */
export interface LogLine {
  level: string
  time: number
  '@timestamp': string
  service: string
  message?: string
  trace_id?: string
  span_id?: string
  [field: string]: unknown
}

/** The four fields every line starts with, in this order (FORMAT.md). */
const LEADING_FIELDS = ['level', 'time', '@timestamp', 'service']

/**
 * Reads a log file the way Fluentd's `in_tail` + `format json` would, and checks the FORMAT.md contract on
 * every line: one JSON object per line, the leading fields in order, `time` in epoch seconds.
 */
export function readLogFile(path: string): LogLine[] {
  const text = readFileSync(path, 'utf8')
  if (!text.endsWith('\n')) throw new Error(`${path}: the last line is not complete`)
  return text
    .slice(0, -1)
    .split('\n')
    .map((raw, i) => {
      const line = JSON.parse(raw) as LogLine
      const keys = Object.keys(line).slice(0, LEADING_FIELDS.length)
      if (keys.join() !== LEADING_FIELDS.join()) throw new Error(`${path}:${i + 1} starts with ${keys.join(', ')}`)
      if (Math.abs(line.time * 1000 - Date.parse(line['@timestamp'])) > 1) {
        throw new Error(`${path}:${i + 1}: time ${line.time} is not the epoch seconds of ${line['@timestamp']}`)
      }
      return line
    })
}

/** The index Fluentd (and the shipper) puts a line in: `fluentd-<service>-<UTC YYYYMMDD of time>`. */
export function indexOf(line: LogLine): string {
  const date = new Date(line.time * 1000).toISOString().slice(0, 10).replaceAll('-', '')
  return `fluentd-${line.service}-${date}`
}
