/**
 * Classifies a `_bulk` answer per item (reliability-anchors §3): 2xx and `409` on `create` are
 * delivered; `429` and 5xx items are retried alone; other 4xx items are dead-lettered with the
 * server's reason. A response that cannot be trusted (not JSON, wrong item count, items without a
 * status) fails the whole batch, never counts as delivered.
 */

/** Outcome codes per item. */
export const ITEM_DELIVERED = 0
export const ITEM_DUPLICATE = 1
export const ITEM_RETRY = 2
export const ITEM_DEAD = 3

/** Per-item outcome of a parsed response. */
export interface ItemOutcomes {
  /** One of the `ITEM_*` codes per sent item, in order. */
  codes: Uint8Array
  /** Status per failed item (retry or dead), by position. */
  statuses: Map<number, number>
  /** Server reason per failed item, by position. */
  reasons: Map<number, string>
}

/** What to do with a whole response. */
export type BulkVerdict =
  | { kind: 'items'; outcomes: ItemOutcomes }
  /** Retry the whole batch with backoff. */
  | { kind: 'retry'; status: number; code: 'TW_SHIPPER_HTTP_STATUS' | 'TW_SHIPPER_AUTH' | 'TW_SHIPPER_BAD_RESPONSE'; message: string }
  /** The request itself was refused as too large or malformed: halve the batch; a single item is dead-lettered. */
  | { kind: 'split'; status: number; message: string }

interface BulkItemBody {
  status?: unknown
  error?: unknown
}

/** Reads one `_bulk` HTTP answer for a batch of `sent` items. */
export function classifyBulkResponse(status: number, body: string, sent: number): BulkVerdict {
  if (status === 413) return { kind: 'split', status, message: 'request body too large (413)' }
  if (status === 401 || status === 403) {
    return { kind: 'retry', status, code: 'TW_SHIPPER_AUTH', message: `Elasticsearch refused the credentials (${status}); check auth` }
  }
  if (status === 400) {
    // A whole-request 400 (malformed NDJSON, action_request_validation_exception) never succeeds as is;
    // halving isolates the item that causes it.
    return { kind: 'split', status, message: `request rejected (400): ${errorSummary(body)}` }
  }
  if (status < 200 || status >= 300) {
    return { kind: 'retry', status, code: 'TW_SHIPPER_HTTP_STATUS', message: `bulk request failed with HTTP ${status}: ${errorSummary(body)}` }
  }
  if (allCreated(body, sent)) return { kind: 'items', outcomes: { codes: new Uint8Array(sent), statuses: new Map(), reasons: new Map() } }
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return bad(status, `bulk response is not JSON (${body.length} bytes)`)
  }
  const items = (parsed as { items?: unknown } | null)?.items
  if (!Array.isArray(items)) return bad(status, 'bulk response has no "items" array')
  if (items.length !== sent) return bad(status, `bulk response has ${items.length} items for ${sent} sent`)
  const codes = new Uint8Array(sent)
  const statuses = new Map<number, number>()
  const reasons = new Map<number, string>()
  for (let i = 0; i < sent; i++) {
    const entry = items[i] as Record<string, BulkItemBody> | null
    const item = entry && typeof entry === 'object' ? (entry.create ?? entry.index ?? Object.values(entry)[0]) : undefined
    const itemStatus = item?.status
    if (typeof itemStatus !== 'number') return bad(status, `bulk response item ${i} has no status`)
    if ((itemStatus >= 200 && itemStatus < 300)) {
      codes[i] = ITEM_DELIVERED
    } else if (itemStatus === 409) {
      codes[i] = ITEM_DUPLICATE
    } else {
      codes[i] = itemStatus === 429 || itemStatus >= 500 ? ITEM_RETRY : ITEM_DEAD
      statuses.set(i, itemStatus)
      reasons.set(i, itemReason(item?.error))
    }
  }
  return { kind: 'items', outcomes: { codes, statuses, reasons } }
}

/**
 * Fast path for the common answer `{"errors":false,"items":[{"create":{"status":201}},…]}` (our
 * `filter_path` keeps items to their status): checks the shape and counts the items without building
 * an object per item. Measured: JSON.parse of these answers was ~10 % of the shipper's CPU.
 */
function allCreated(body: string, sent: number): boolean {
  if (!body.startsWith('{"errors":false,"items":[') || !body.endsWith(']}')) return false
  let count = 0
  let at = 25
  for (;;) {
    const next = body.indexOf('"status":', at)
    if (next < 0) break
    // Only 2xx statuses may appear in an errors:false answer; anything else takes the full parse.
    if (body.charCodeAt(next + 9) !== 50 /* 2 */) return false
    count++
    at = next + 12
  }
  // Any other key ("error", "result", …) means the answer is not the filtered shape we expect.
  return count === sent && body.indexOf('"error"', 25) < 0
}

function bad(status: number, message: string): BulkVerdict {
  return { kind: 'retry', status, code: 'TW_SHIPPER_BAD_RESPONSE', message }
}

function itemReason(error: unknown): string {
  if (typeof error === 'string') return error.slice(0, 2000)
  if (error && typeof error === 'object') {
    const e = error as { type?: unknown; reason?: unknown; caused_by?: { type?: unknown; reason?: unknown } }
    const cause = e.caused_by && typeof e.caused_by === 'object' ? `; caused by ${String(e.caused_by.type)}: ${String(e.caused_by.reason)}` : ''
    return `${String(e.type)}: ${String(e.reason)}${cause}`.slice(0, 2000)
  }
  return 'no error detail'
}

/** A short, single-line summary of an error body for messages (never the request). */
export function errorSummary(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    if (parsed && typeof parsed === 'object' && 'error' in parsed) {
      const error = parsed.error as { root_cause?: unknown; type?: unknown; reason?: unknown } | string
      if (typeof error === 'string') return error.slice(0, 300)
      return `${String(error?.type)}: ${String(error?.reason)}`.slice(0, 300)
    }
  } catch {
    // not JSON: fall through
  }
  return body.replace(/\s+/g, ' ').slice(0, 200)
}
