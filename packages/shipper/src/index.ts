/**
 * `@tracewire/shipper`: ships tracewire log lines straight to Elasticsearch / OpenSearch as the
 * documents the reference Fluentd pipeline would write.
 */
export { createShipper } from './shipper.js'
export { ensureIndexTemplate } from './index-template.js'
export { validateShipperOptions, validateTransportOptions } from './validate-options.js'
export { redactText } from './redact.js'
export { createSearchConnection, DEFAULT_REQUEST_TIMEOUT_MS } from './search-connection.js'
export type { SearchConnection, SearchConnectionOptions, SearchRequestOptions, SearchResponse } from './search-connection.js'
export { ShipperError, ShipperConfigError, ShipperRequestError } from './errors.js'
export type { ShipperErrorCode } from './errors.js'
export type {
  CloseResult,
  DeadLetter,
  DropReport,
  ElasticsearchClientLike,
  OverflowPolicy,
  Shipper,
  ShipperAuth,
  ShipperOptions,
  ShipperStats,
  ShipperTlsOptions,
  TransportOptions,
  IndexTemplateOptions,
  IndexTemplateResult,
} from './types.js'
