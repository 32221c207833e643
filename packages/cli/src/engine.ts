/**
 * Which search engine the CLI talks to and which alerting API it offers. ES 7.10.2 with OpenDistro
 * answers under `_opendistro/_alerting`; OpenSearch under `_plugins/_alerting`, and from 2.0 on its
 * monitors notify through the Notifications plugin's channels instead of alerting destinations.
 */
import { CliError } from './errors.js'
import { expectOk, requestJson } from './http.js'
import type { Endpoint } from './endpoint.js'

/** The alerting API family a cluster offers. */
export type AlertingFlavor =
  /** OpenDistro alerting on Elasticsearch 7.x: `_opendistro/_alerting`, destinations. */
  | 'opendistro'
  /** OpenSearch 2.x: `_plugins/_alerting` + `_plugins/_notifications` channels. */
  | 'opensearch-notifications'
  /** OpenSearch 1.x (or 2.x without the Notifications plugin): `_plugins/_alerting` destinations. */
  | 'opensearch-destinations'

/** What `GET /` and `GET /_cat/plugins` tell about a cluster. */
export interface EngineInfo {
  distribution: 'elasticsearch' | 'opensearch'
  version: string
  /** Plugin components installed on the cluster's nodes. */
  plugins: string[]
  /** `null` when no alerting plugin is installed. */
  alerting: AlertingFlavor | null
}

/** Reads the distribution and plugins of a cluster. */
export async function detectEngine(endpoint: Endpoint, timeoutMs: number): Promise<EngineInfo> {
  const root = await requestJson(endpoint, 'GET', '/', { timeoutMs })
  expectOk(root, `GET / on ${endpoint.label}`)
  const version = (root.body as { version?: { number?: unknown; distribution?: unknown } } | undefined)?.version
  if (!version || typeof version.number !== 'string') {
    throw new CliError('TW_CLI_RESPONSE', `GET / on ${endpoint.label}: the answer has no version.number`, {
      hint: 'is this URL Elasticsearch or OpenSearch?',
    })
  }
  const distribution = version.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch'

  const cat = await requestJson(endpoint, 'GET', '/_cat/plugins?format=json', { timeoutMs })
  expectOk(cat, `GET /_cat/plugins on ${endpoint.label}`)
  const plugins = Array.isArray(cat.body)
    ? [...new Set(cat.body.map((row: { component?: unknown }) => row.component).filter((c): c is string => typeof c === 'string'))]
    : []
  return { distribution, version: version.number, plugins, alerting: alertingFlavor(distribution, version.number, plugins) }
}

/** Picks the alerting API from the distribution, its major version and the installed plugins. */
export function alertingFlavor(
  distribution: EngineInfo['distribution'],
  version: string,
  plugins: readonly string[],
): AlertingFlavor | null {
  // ODFE 1.x names it `opendistro-alerting` (`opendistro_alerting` before 1.4); OpenSearch `opensearch-alerting`.
  const hasAlerting = plugins.some((p) => /alerting/.test(p) && !/dashboards/.test(p))
  if (!hasAlerting) return null
  if (distribution === 'elasticsearch') return 'opendistro'
  const major = Number.parseInt(version, 10)
  const hasNotifications = plugins.some((p) => p === 'opensearch-notifications')
  return major >= 2 && hasNotifications ? 'opensearch-notifications' : 'opensearch-destinations'
}
