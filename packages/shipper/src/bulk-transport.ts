/** How a batch body reaches Elasticsearch: the built-in undici transport or a user's client. */

/** The raw answer to one `_bulk` request. */
export interface BulkAnswer {
  status: number
  body: string
}

/**
 * Sends one NDJSON body to `POST /_bulk`. Resolves with whatever the server answered (any status);
 * rejects with a `ShipperRequestError` only when no answer arrived (connection, timeout).
 */
export interface BulkTransport {
  send(body: Buffer, signal: AbortSignal): Promise<BulkAnswer>
  /** Whether another node may still answer right away (failover): lets the caller skip the global pause. */
  hasHealthyNode(): boolean
  close(): Promise<void>
}

/**
 * `filter_path` keeps responses small (a status per item instead of the whole item): measured on a
 * 16k-item batch it cuts the answer from ~2.5 MB to ~0.4 MB. Supported by ES 7.x-9.x and OpenSearch.
 */
export const BULK_PATH = '/_bulk?filter_path=errors,items.*.status,items.*.error.type,items.*.error.reason,items.*.error.caused_by.type,items.*.error.caused_by.reason'
