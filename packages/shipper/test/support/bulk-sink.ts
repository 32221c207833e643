/**
 * A loopback `_bulk` server for unit tests and the benchmark: indexes `create` actions into a map
 * keyed by `_id` (so a duplicate answers 409, as Elasticsearch does) and lets a test script faults
 * per request or per item. With `store: false` it only counts, to measure the client's own cost.
 */
import { createServer } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { gunzipSync } from 'node:zlib'

/** One parsed `_bulk` request. */
export interface SinkRequest {
  /** 1-based request number. */
  n: number
  items: Array<{ index: string; id: string; source: string }>
  bytes: number
  headers: IncomingMessage['headers']
}

/** What a scripted handler may answer instead of the default indexing behaviour. */
export type SinkAction =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'destroy' }
  /** Index normally but answer after `ms` (the client may have timed out by then). */
  | { kind: 'delay'; ms: number }
  /** Never answer. */
  | { kind: 'hang' }
  /** Index normally, then answer `body` with status 200 instead of the real items. */
  | { kind: 'raw'; body: string; status?: number }
  /** Per-item statuses (index -> status); unlisted items index normally. */
  | { kind: 'items'; statuses: Map<number, number>; reason?: (status: number) => { type: string; reason: string } }

/** A running sink. */
export interface BulkSink {
  url: string
  /** Documents indexed, by `_id`. */
  docs: Map<string, { index: string; source: string }>
  /** Items received in total (including duplicates and failures). */
  received: number
  /**
   * Action lines that were not the shipper's own `{"create":{"_index":…,"_id":…}}` (an injected
   * `delete`, a document read as an action): always 0 when every body pairs one action with one document.
   */
  foreignActions: number
  /** Bodies whose line count was odd (a document without its action, or the reverse). */
  unpairedBodies: number
  requests: number
  /** Replace the script: return `undefined` for default behaviour. */
  script: (req: SinkRequest) => SinkAction | undefined
  close(): Promise<void>
}

/** Starts a sink on 127.0.0.1 and a free port. */
export async function startBulkSink(options: { store?: boolean; port?: number; tls?: { key: Buffer; cert: Buffer } } = {}): Promise<BulkSink> {
  const store = options.store ?? true
  const sockets = new Set<Socket>()
  const sink: BulkSink = {
    url: '',
    docs: new Map(),
    received: 0,
    foreignActions: 0,
    unpairedBodies: 0,
    requests: 0,
    script: () => undefined,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => void handle(req, res, Buffer.concat(chunks)))
  }
  const server: Server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createServer(onRequest)
  server.keepAliveTimeout = 60_000
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })

  async function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    // The 8.x client (inside pino-elasticsearch) refuses answers without this header (product check).
    res.setHeader('x-elastic-product', 'Elasticsearch')
    if (req.method === 'GET' && req.url === '/_tw_received') {
      // For benchmarks of clients that cannot tell when they are done: items received so far.
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ received: sink.received }))
      return
    }
    if (req.method === 'GET' && (req.url === '/' || req.url === '')) {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ version: { number: '7.10.2', build_flavor: 'oss' }, tagline: 'You Know, for Search' }))
      return
    }
    if (req.method !== 'POST' || !req.url?.includes('/_bulk')) {
      res.statusCode = 404
      res.end('{}')
      return
    }
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
    sink.requests++
    const n = sink.requests
    if (!store) {
      // Counting mode: two lines per item, answer as many 201s.
      let lines = 0
      for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) lines++
      const count = lines >> 1
      sink.received += count
      res.setHeader('content-type', 'application/json')
      res.end(`{"errors":false,"items":[${new Array(count).fill('{"create":{"status":201}}').join(',')}]}`)
      return
    }
    const text = body.toString('utf8')
    const lines = text.split('\n')
    if (lines[lines.length - 1] === '') lines.pop()
    const items: SinkRequest['items'] = []
    if (lines.length % 2 !== 0) sink.unpairedBodies++
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const action = ownAction(lines[i]!)
      if (!action) sink.foreignActions++
      items.push({ index: action?._index ?? '', id: action?._id ?? `foreign-${n}-${i}`, source: lines[i + 1]! })
    }
    sink.received += items.length
    const action = sink.script({ n, items, bytes: body.length, headers: req.headers })
    if (action?.kind === 'destroy') {
      req.socket.destroy()
      return
    }
    if (action?.kind === 'hang') return
    if (action?.kind === 'status') {
      res.statusCode = action.status
      res.setHeader('content-type', 'application/json')
      res.end(action.body ?? JSON.stringify({ error: { type: 'scripted', reason: `scripted ${action.status}` }, status: action.status }))
      return
    }
    const statuses = action?.kind === 'items' ? action.statuses : undefined
    const answers = items.map((item, i) => {
      const scripted = statuses?.get(i)
      if (scripted !== undefined) {
        const reason = action?.kind === 'items' && action.reason ? action.reason(scripted) : { type: scripted === 429 ? 'es_rejected_execution_exception' : 'mapper_parsing_exception', reason: `scripted ${scripted}` }
        return { create: { _index: item.index, _id: item.id, status: scripted, error: reason } }
      }
      if (sink.docs.has(item.id)) {
        return { create: { _index: item.index, _id: item.id, status: 409, error: { type: 'version_conflict_engine_exception', reason: 'document already exists' } } }
      }
      sink.docs.set(item.id, { index: item.index, source: item.source })
      return { create: { _index: item.index, _id: item.id, status: 201 } }
    })
    if (action?.kind === 'delay') await new Promise((r) => setTimeout(r, action.ms))
    res.statusCode = action?.kind === 'raw' ? (action.status ?? 200) : 200
    res.setHeader('content-type', 'application/json')
    if (action?.kind === 'raw') {
      res.end(action.body)
      return
    }
    res.end(JSON.stringify({ took: 1, errors: answers.some((a) => a.create.status >= 300), items: answers }))
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  sink.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`
  return sink
}

/** The `create` action the shipper writes, or `undefined` for anything else. */
function ownAction(line: string): { _index: string; _id: string } | undefined {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>
    const create = parsed.create as Record<string, unknown> | undefined
    if (Object.keys(parsed).length !== 1 || !create || typeof create._index !== 'string' || typeof create._id !== 'string') return undefined
    return Object.keys(create).length === 2 ? { _index: create._index, _id: create._id } : undefined
  } catch {
    return undefined
  }
}

/** A tracewire log line as the logger writes it (FORMAT.md), with a `seq` for oracle tests. */
export function logLine(seq: number, options: { service?: string; timeSeconds?: number; message?: string; extra?: string } = {}): string {
  const t = options.timeSeconds ?? 1764158532.123
  const iso = new Date(Math.round(t * 1000)).toISOString()
  return `{"level":"info","time":${t},"@timestamp":"${iso}","service":"${options.service ?? 'orders'}","message":${JSON.stringify(options.message ?? `line ${seq}`)},"seq":${seq}${options.extra ?? ''}}\n`
}

/** Resolves once `predicate` holds, polling; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
