/**
 * Kibana assets through the saved-objects API of Kibana 7.10 (also served by OpenSearch Dashboards):
 * the `fluentd-*` index pattern with `@timestamp` as time field, and two saved searches. Fixed ids
 * plus `overwrite=true` make re-runs update the same objects instead of adding copies. The searches'
 * queries and columns use the field names of one line schema (`@tracewire/contract`), `setup --schema`.
 */
import { lineFields, type LineSchema } from '@tracewire/contract'
import { expectOk, requestJson } from './http.js'
import type { Endpoint } from './endpoint.js'

/** Ids of the saved objects `tracewire setup` writes. */
export const KIBANA_IDS = {
  indexPattern: 'tracewire-fluentd',
  errorsSearch: 'tracewire-errors',
  traceSearch: 'tracewire-trace',
} as const

/** One saved object as sent to `POST /api/saved_objects/<type>/<id>?overwrite=true`. */
export interface SavedObject {
  type: 'index-pattern' | 'search'
  id: string
  attributes: Record<string, unknown>
  references?: Array<{ name: string; type: string; id: string }>
}

// Kibana 7.x stores a saved search's index pattern as a reference, not inline in searchSourceJSON.
const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index'

function savedSearch(id: string, title: string, description: string, query: string, columns: string[], sort: 'asc' | 'desc'): SavedObject {
  return {
    type: 'search',
    id,
    attributes: {
      title,
      description,
      columns,
      sort: [['@timestamp', sort]],
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({
          query: { query, language: 'kuery' },
          filter: [],
          indexRefName: INDEX_REF,
        }),
      },
    },
    references: [{ name: INDEX_REF, type: 'index-pattern', id: KIBANA_IDS.indexPattern }],
  }
}

/**
 * The saved objects for an index pattern such as `fluentd-*`, in the order they must be written, with the
 * field names of `schema` (default `'default'`). The queries are single `field:value` terms, which KQL and
 * Lucene read alike.
 */
export function kibanaObjects(indexPattern: string, schema: LineSchema = 'default'): SavedObject[] {
  const f = lineFields(schema)
  return [
    {
      type: 'index-pattern',
      id: KIBANA_IDS.indexPattern,
      // `time` is removed by Fluentd (FORMAT.md), so `@timestamp` is the only date to filter on.
      attributes: { title: indexPattern, timeFieldName: f.timestamp },
    },
    savedSearch(
      KIBANA_IDS.errorsSearch,
      'tracewire: error lines',
      `Every line logged at level error, newest first. Open a ${f.traceId} with \`tracewire trace <id>\`.`,
      `${f.level}:error`,
      [f.service, f.message, f.traceId, 'err.type'],
      'desc',
    ),
    savedSearch(
      KIBANA_IDS.traceSearch,
      'tracewire: one trace',
      `Lines of one request across services, oldest first. Replace * with a trace id: ${f.traceId}:<32 hex>.`,
      `${f.traceId}:*`,
      [f.service, f.spanId, f.level, f.message, 'duration_ms', 'status'],
      'asc',
    ),
  ]
}

/** Writes the index pattern and saved searches (field names of `schema`); returns the ids written. */
export async function installKibanaObjects(endpoint: Endpoint, indexPattern: string, timeoutMs: number, schema: LineSchema = 'default'): Promise<string[]> {
  const written: string[] = []
  for (const object of kibanaObjects(indexPattern, schema)) {
    const body: Record<string, unknown> = { attributes: object.attributes }
    if (object.references) body.references = object.references
    const response = await requestJson(
      endpoint,
      'POST',
      `/api/saved_objects/${object.type}/${encodeURIComponent(object.id)}?overwrite=true`,
      // Kibana refuses state-changing API calls without this header (CSRF protection).
      { body, headers: { 'kbn-xsrf': 'true' }, timeoutMs },
    )
    expectOk(response, `save Kibana ${object.type} ${object.id} on ${endpoint.label}`)
    written.push(`${object.type}/${object.id}`)
  }
  return written
}
