/**
 * `client` option: the shipper sends through an `@elastic/elasticsearch` client's transport. These
 * fakes reproduce the two transport contracts (7.x: resolves `{ body, statusCode }`, rejects
 * ResponseError with `meta`; 8.x/9.x: resolves the body unless `meta: true`) and forward to the
 * loopback sink, so the real bulk logic runs. The real 7.13 client is exercised in the integration tests.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createShipper } from '../src/index.js'
import type { ElasticsearchClientLike } from '../src/index.js'
import type { BulkSink } from './support/bulk-sink.js'
import { logLine, startBulkSink } from './support/bulk-sink.js'

const sinks: BulkSink[] = []
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.close()
})

interface Seen {
  params: Record<string, unknown>
  options: Record<string, unknown> | undefined
}

async function forward(sink: BulkSink, params: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sink.url}${String(params.path)}?${String(params.querystring ?? '')}`, {
    method: String(params.method),
    headers: { 'content-type': 'application/x-ndjson' },
    body: params.bulkBody as Buffer,
  })
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // keep text
  }
  return { status: res.status, body }
}

function client7(sink: BulkSink, seen: Seen[]): ElasticsearchClientLike {
  return {
    transport: {
      async request(params, options) {
        seen.push({ params, options })
        const { status, body } = await forward(sink, params)
        if (status >= 400) throw Object.assign(new Error('Response Error'), { name: 'ResponseError', meta: { statusCode: status, body } })
        return { body, statusCode: status, headers: {} }
      },
    },
  }
}

function client8(sink: BulkSink, seen: Seen[]): ElasticsearchClientLike {
  return {
    transport: {
      async request(params, options) {
        seen.push({ params, options })
        const { status, body } = await forward(sink, params)
        if (status >= 400) throw Object.assign(new Error('Response Error'), { name: 'ResponseError', meta: { statusCode: status, body }, body })
        return options?.meta ? { body, statusCode: status, headers: {}, meta: {} } : body
      },
    },
  }
}

describe.each([
  ['7.x', client7],
  ['8.x/9.x', client8],
] as const)('client option with a %s transport', (_name, make) => {
  it('sends POST /_bulk with a bulkBody, client retries off, and handles per-item and whole-request failures', async () => {
    const sink = await startBulkSink()
    sinks.push(sink)
    sink.script = (req) =>
      req.n === 1 ? { kind: 'status', status: 429 } : req.n === 2 ? { kind: 'items', statuses: new Map([[1, 503], [2, 400]]) } : undefined
    const seen: Seen[] = []
    const shipper = createShipper({ client: make(sink, seen), bufferDir: false, retryWaitMs: 5, maxRetryIntervalMs: 20, reportDropsToStderr: false })
    for (let i = 0; i < 5; i++) shipper.write(logLine(i))
    await shipper.flush()
    const result = await shipper.close()
    expect(result).toEqual({ delivered: 4, deadLettered: 1, undelivered: 0, leftOnDisk: 0 })
    expect(sink.docs.size).toBe(4)
    expect(seen[0]!.params).toMatchObject({ method: 'POST', path: '/_bulk' })
    expect(Buffer.isBuffer(seen[0]!.params.bulkBody)).toBe(true)
    expect(seen[0]!.options).toMatchObject({ maxRetries: 0, meta: true })
  })
})

describe('client option validation', () => {
  it('rejects something that is not a client at construction', () => {
    expect(() => createShipper({ client: {} as ElasticsearchClientLike })).toThrow(expect.objectContaining({ code: 'TW_SHIPPER_CONFIG' }))
  })
})
