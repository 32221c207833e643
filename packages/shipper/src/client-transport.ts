/**
 * Sends through a user's `@elastic/elasticsearch` client. 7.x: `transport.request(params, options)`
 * resolves `{ body, statusCode }` and rejects `ResponseError` (with `meta.statusCode`/`meta.body`) on
 * status ≥ 400. 8.x/9.x (`@elastic/transport`): resolves the body alone unless `options.meta` is
 * set, rejects `ResponseError` with `meta.statusCode` and `body`. Both accept a string `bulkBody`
 * and send it as is with an NDJSON content type.
 */
import type { BulkAnswer, BulkTransport } from './bulk-transport.js'
import { BULK_PATH } from './bulk-transport.js'
import { ShipperRequestError } from './errors.js'
import { redactText } from './redact.js'
import type { ElasticsearchClientLike } from './types.js'

interface ResponseLike {
  statusCode?: unknown
  body?: unknown
  meta?: { statusCode?: unknown; body?: unknown }
}

/** Wraps a client's transport as a {@link BulkTransport}. */
export function createClientTransport(client: ElasticsearchClientLike, requestTimeoutMs: number): BulkTransport {
  const [path, querystring] = BULK_PATH.split('?') as [string, string]
  return {
    async send(body: Buffer, signal: AbortSignal): Promise<BulkAnswer> {
      try {
        // maxRetries 0: the shipper owns retries (per item, with backoff); the client's would resend whole batches.
        const result = (await client.transport.request(
          { method: 'POST', path, querystring, bulkBody: body },
          { meta: true, maxRetries: 0, requestTimeout: requestTimeoutMs, signal },
        )) as ResponseLike
        return answerOf(result, 200)
      } catch (err) {
        const e = err as ResponseLike & { name?: string; message?: string }
        const status = numberOr(e.meta?.statusCode, e.statusCode)
        if (status !== undefined) return { status, body: bodyText(e.body ?? e.meta?.body) }
        const timedOut = signal.aborted || /timeout/i.test(String(e.name))
        throw new ShipperRequestError(
          timedOut ? 'TW_SHIPPER_TIMEOUT' : 'TW_SHIPPER_CONNECTION',
          `bulk request through the Elasticsearch client failed: ${redactText(`${String(e.name)}: ${String(e.message)}`)}`,
          null,
        )
      }
    },
    hasHealthyNode: () => false,
    async close(): Promise<void> {
      // The client belongs to the caller; leave it open.
    },
  }
}

function answerOf(result: ResponseLike, fallbackStatus: number): BulkAnswer {
  if (result && typeof result === 'object' && typeof result.statusCode === 'number' && 'body' in result) {
    return { status: result.statusCode, body: bodyText(result.body) }
  }
  // 8.x without meta: the body itself.
  return { status: fallbackStatus, body: bodyText(result) }
}

function numberOr(...values: unknown[]): number | undefined {
  for (const v of values) if (typeof v === 'number') return v
  return undefined
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body
  if (Buffer.isBuffer(body)) return body.toString('utf8')
  if (body === undefined || body === null) return ''
  return JSON.stringify(body)
}
