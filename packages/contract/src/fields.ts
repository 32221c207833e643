/**
 * The field names of a tracewire line in each schema (docs/FORMAT.md, "The line"). Writers (the
 * logger) and readers (the shipper, the index template, `tracewire trace`) take every name from here,
 * so a line written with either schema is read back by every reader.
 */

/** The schemas a tracewire line can be written in. */
export type LineSchema = 'default' | 'ecs'

/** Every schema, in documentation order. */
export const LINE_SCHEMAS: readonly LineSchema[] = ['default', 'ecs']

/** Names of the fields tracewire writes, for one schema. */
export interface LineFieldNames {
  /** Level label (`info`, `error`, ...); the first key of every line. */
  readonly level: string
  /** Event time in epoch seconds; the second key. Fluentd (and the shipper) remove it from the document. */
  readonly time: string
  /** The same instant as ISO-8601 UTC; the third key, the time field of Kibana and the template. */
  readonly timestamp: string
  /** The service name; the fourth key and the middle of the index name. */
  readonly service: string
  /** The log message. */
  readonly message: string
  /** W3C trace id (32 lowercase hex) while a span is active. */
  readonly traceId: string
  /** W3C span id (16 lowercase hex) while a span is active. */
  readonly spanId: string
  /** Trace flags (`"01"` sampled / `"00"`), or `undefined` when the schema does not write them. */
  readonly traceFlags: string | undefined
  /** Host name of the writing process. */
  readonly host: string
  /** Process id of the writing process. */
  readonly pid: string
}

/** Field names of the default schema (the names OpenTelemetry's pino instrumentation uses). */
export const DEFAULT_FIELDS: LineFieldNames = Object.freeze({
  level: 'level',
  time: 'time',
  timestamp: '@timestamp',
  service: 'service',
  message: 'message',
  traceId: 'trace_id',
  spanId: 'span_id',
  traceFlags: 'trace_flags',
  host: 'host',
  pid: 'pid',
})

/**
 * Field names of `schema: 'ecs'` (Elastic Common Schema 1.6, the release matching Elasticsearch 7.10).
 * Written as dotted keys (`"service.name":"orders"`); Elasticsearch expands them into objects. ECS has
 * no trace-flags field, so none is written.
 */
export const ECS_FIELDS: LineFieldNames = Object.freeze({
  level: 'log.level',
  time: 'time',
  timestamp: '@timestamp',
  service: 'service.name',
  message: 'message',
  traceId: 'trace.id',
  spanId: 'span.id',
  traceFlags: undefined,
  host: 'host.hostname',
  pid: 'process.pid',
})

/** ECS version written as `ecs.version` by `schema: 'ecs'`. */
export const ECS_VERSION = '1.6.0'

/** Name of the field holding {@link ECS_VERSION} in ECS lines. */
export const ECS_VERSION_FIELD = 'ecs.version'

/** The field names of a schema. */
export function lineFields(schema: LineSchema): LineFieldNames {
  return schema === 'ecs' ? ECS_FIELDS : DEFAULT_FIELDS
}

/**
 * The four keys every line begins with, in order: level, time, `@timestamp`, service. They never
 * move, so a reader finds them without parsing the whole line.
 */
export function leadingKeys(schema: LineSchema): readonly [string, string, string, string] {
  const f = lineFields(schema)
  return [f.level, f.time, f.timestamp, f.service]
}

/**
 * Reads one field of a parsed line in either spelling Elasticsearch treats as the same field: the
 * dotted key the logger writes (`"service.name"`) or the nested object another writer may produce
 * (`{"service":{"name":…}}`).
 */
export function readField(record: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(record, name)) return record[name]
  const dot = name.indexOf('.')
  if (dot === -1) return undefined
  const head = record[name.slice(0, dot)]
  if (head === null || typeof head !== 'object' || Array.isArray(head)) return undefined
  return readField(head as Record<string, unknown>, name.slice(dot + 1))
}

/**
 * The schema a parsed line was written with, told by which service field is a string: `service`
 * (default) or `service.name` (ECS). `undefined` when neither is.
 */
export function schemaOf(record: Readonly<Record<string, unknown>>): LineSchema | undefined {
  if (typeof record[DEFAULT_FIELDS.service] === 'string') return 'default'
  if (typeof readField(record, ECS_FIELDS.service) === 'string') return 'ecs'
  return undefined
}

/**
 * A parsed line or document with the default schema's names: an ECS line's `log.level`,
 * `service.name`, `trace.id` and `span.id` (dotted or nested) are copied to `level`, `service`,
 * `trace_id` and `span_id`, so a reader written against the default names reads both schemas.
 * A default-schema record is returned as is.
 */
export function withDefaultNames(record: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (schemaOf(record) !== 'ecs') return record
  const copy: Record<string, unknown> = { ...record }
  for (const key of ['level', 'service', 'traceId', 'spanId'] as const) {
    const value = readField(record, ECS_FIELDS[key])
    if (value !== undefined) copy[DEFAULT_FIELDS[key]] = value
  }
  return copy
}
