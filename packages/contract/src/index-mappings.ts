/**
 * The mappings of the index template (`ensureIndexTemplate`, `tracewire setup`): how Elasticsearch
 * and OpenSearch index the fields of {@link DEFAULT_FIELDS} and {@link ECS_FIELDS}, so Kibana, the
 * alert monitor and `tracewire trace` can query them exactly.
 */
import { DEFAULT_FIELDS, ECS_FIELDS } from './fields.js'

/** Options of {@link indexMappings}. */
export interface IndexMappingsOptions {
  /** Keyword values longer than this many characters are kept in `_source` but not indexed. Default 1024. */
  ignoreAbove?: number
  /** Analyse `message` with the `nori` (Korean) analyzer; needs the `analysis-nori` plugin. Default false. */
  nori?: boolean
}

/**
 * The `mappings` of the template. `@timestamp` is a date; `message` text with a `keyword` sub-field;
 * the level, service and trace fields of both schemas keywords.
 *
 * The default schema's `service` is a string and ECS's `service.name` makes `service` an object, so
 * neither can be mapped up front without making Elasticsearch reject the other schema's lines: both,
 * and the other ECS fields, are keywords through dynamic templates that apply when a line first
 * carries them. Fields named the same in both schemas are mapped explicitly.
 */
export function indexMappings(options: IndexMappingsOptions = {}): Record<string, unknown> {
  const ignoreAbove = options.ignoreAbove ?? 1024
  const keyword = { type: 'keyword', ignore_above: ignoreAbove }
  const explicit = [DEFAULT_FIELDS.level, DEFAULT_FIELDS.traceId, DEFAULT_FIELDS.spanId, DEFAULT_FIELDS.traceFlags as string]
  const dynamic = [DEFAULT_FIELDS.service, ECS_FIELDS.service, ECS_FIELDS.level, ECS_FIELDS.traceId, ECS_FIELDS.spanId]
  return {
    dynamic_templates: dynamic.map((path) => ({
      [`tracewire_${path.replace(/\./g, '_')}`]: { path_match: path, match_mapping_type: 'string', mapping: keyword },
    })),
    properties: {
      [DEFAULT_FIELDS.timestamp]: { type: 'date' },
      ...Object.fromEntries(explicit.map((name) => [name, keyword])),
      [DEFAULT_FIELDS.message]: {
        type: 'text',
        ...(options.nori ? { analyzer: 'nori' } : {}),
        fields: { keyword },
      },
    },
  }
}
