/**
 * Installs the index template for `fluentd-*` that maps the tracewire fields (FORMAT.md) the way
 * Kibana and the alerting monitors query them. Detects the server with `GET /` and picks the API.
 */
import { indexMappings } from '@tracewire/contract'
import { ShipperConfigError, ShipperError } from './errors.js'
import { redactText } from './redact.js'
import { createSearchConnection } from './search-connection.js'
import type { ElasticsearchClientLike, IndexTemplateOptions, IndexTemplateResult } from './types.js'

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: string }>

/**
 * Creates or replaces the `fluentd-*` template with the line contract's mappings (`indexMappings` of
 * `@tracewire/contract`): `@timestamp` date; the level, service and trace fields of both schemas
 * (`level`/`log.level`, `service`/`service.name`, `trace_id`/`trace.id`, `span_id`/`span.id`,
 * `trace_flags`) keyword with `ignore_above`; `message` text with a `keyword` sub-field (optionally
 * analysed with `nori`). Idempotent. Throws `ShipperConfigError` for bad options and
 * `ShipperError` (code `TW_SHIPPER_TEMPLATE`) when the server refuses.
 */
export async function ensureIndexTemplate(options: IndexTemplateOptions): Promise<IndexTemplateResult> {
  const name = options.name ?? 'tracewire-fluentd'
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new ShipperConfigError(`template name ${JSON.stringify(name)} must be lowercase [a-z0-9][a-z0-9._-]*`)
  const pattern = options.indexPattern ?? 'fluentd-*'
  const api = options.api ?? 'auto'
  if (!['auto', 'legacy', 'composable'].includes(api)) throw new ShipperConfigError(`api must be 'auto', 'legacy' or 'composable', got ${JSON.stringify(api)}`)
  const ignoreAbove = options.ignoreAbove ?? 1024
  const call = options.client ? clientCall(options.client) : httpCall(options)
  try {
    const root = await call('GET', '/')
    if (root.status !== 200) throw templateError(`GET / answered ${root.status}`, root.body)
    const info = JSON.parse(root.body) as { version?: { number?: string; distribution?: string } }
    const version = info.version?.number ?? '0'
    const distribution = info.version?.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch'
    const major = Number(version.split('.')[0])
    const minor = Number(version.split('.')[1])
    const composableSupported = distribution === 'opensearch' || major > 7 || (major === 7 && minor >= 8)
    const chosen = api === 'auto' ? (distribution === 'elasticsearch' && major <= 7 ? 'legacy' : 'composable') : api
    if (chosen === 'composable' && !composableSupported) throw new ShipperConfigError(`composable templates need Elasticsearch 7.8+, server is ${version}`)
    if (chosen === 'legacy' && distribution === 'elasticsearch' && major >= 9) throw new ShipperConfigError(`legacy templates are gone in Elasticsearch ${version}`)
    let nori = false
    if (options.nori) {
      const plugins = await call('GET', '/_cat/plugins?format=json&h=component')
      const installed = plugins.status === 200 && (JSON.parse(plugins.body) as Array<{ component?: string }>).some((p) => p.component === 'analysis-nori')
      if (options.nori === true && !installed) throw new ShipperConfigError('nori: true but the analysis-nori plugin is not installed on the cluster')
      nori = installed
    }
    const template = {
      settings: {
        ...(options.numberOfShards !== undefined ? { number_of_shards: options.numberOfShards } : {}),
        ...(options.numberOfReplicas !== undefined ? { number_of_replicas: options.numberOfReplicas } : {}),
      },
      mappings: indexMappings({ ignoreAbove, nori }),
    }
    const priority = options.priority ?? 100
    const res = chosen === 'legacy'
      ? await call('PUT', `/_template/${name}`, { index_patterns: [pattern], order: priority, ...template })
      : await call('PUT', `/_index_template/${name}`, { index_patterns: [pattern], priority, template })
    if (res.status < 200 || res.status >= 300) throw templateError(`PUT ${chosen} template answered ${res.status}`, res.body)
    return { name, kind: chosen, version, distribution, nori }
  } finally {
    await call('CLOSE', '').catch(() => undefined)
  }
}

function templateError(what: string, body: string): ShipperError {
  return new ShipperError('TW_SHIPPER_TEMPLATE', `index template not installed: ${what}: ${redactText(body.slice(0, 500))}`)
}

function httpCall(options: IndexTemplateOptions): Call {
  const connection = createSearchConnection({
    // An empty list is refused with the same "node is required" error as the shipper's.
    node: options.node ?? [],
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    requestTimeoutMs: options.requestTimeoutMs ?? options.timeoutMs ?? 10_000,
  })
  return async (method, path, body) => {
    if (method === 'CLOSE') {
      await connection.close()
      return { status: 0, body: '' }
    }
    return connection.request(method, path, body === undefined ? {} : { json: body })
  }
}

function clientCall(client: ElasticsearchClientLike): Call {
  return async (method, path, body) => {
    if (method === 'CLOSE') return { status: 0, body: '' }
    const [p, querystring] = path.split('?')
    try {
      const res = (await client.transport.request({ method, path: p, querystring, body }, { meta: true })) as { statusCode?: number; body?: unknown }
      if (typeof res?.statusCode === 'number') return { status: res.statusCode, body: typeof res.body === 'string' ? res.body : JSON.stringify(res.body) }
      return { status: 200, body: typeof res === 'string' ? res : JSON.stringify(res) }
    } catch (err) {
      const e = err as { meta?: { statusCode?: number; body?: unknown }; message?: string }
      if (typeof e.meta?.statusCode === 'number') return { status: e.meta.statusCode, body: JSON.stringify(e.meta.body ?? '') }
      throw new ShipperError('TW_SHIPPER_CONNECTION', `${method} ${path}: ${redactText(String(e.message))}`)
    }
  }
}
