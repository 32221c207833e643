/**
 * Fault-injection HTTP proxy for integration tests: listens on 127.0.0.1 in front of a real search
 * server and can be switched at any time between pass-through and the failure modes a shipper
 * must survive (see {@link FaultMode}). It counts what it received and forwarded.
 *
 * Built on node:http only (no undici): the proxy needs raw socket control that a fetch-style client
 * hides (closing the listener, RST vs FIN, writing half a response and resetting), and staying
 * dependency-free keeps the test package free of version coupling with the shipper's own undici.
 *
 * Bodies are buffered in memory (request and response): fine for test-sized payloads and needed
 * anyway to split `_bulk` bodies and to cut responses in half.
 *
 * ```ts
 * const proxy = await startFaultProxy({ target: engine.url })
 * proxy.setMode({ kind: 'status', status: 429, times: 2 })   // next 2 requests: 429, then pass-through
 * proxy.setMode({ kind: 'bulk-item-errors', items: { 1: 429, 3: 503 } })
 * proxy.setMode('refuse')                                     // ECONNREFUSED until the next setMode
 * expect(proxy.stats.bulkItemsForwarded).toBe(998)
 * await proxy.close()
 * ```
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { gunzipSync } from 'node:zlib'

/** Which requests a fault applies to; others pass through and do not consume `times`. */
export interface FaultMatch {
  /** Only these methods (upper case), e.g. `['POST']`. */
  methods?: string[]
  /** Path (without query) test: a substring or a regular expression, e.g. `'/_bulk'`. */
  path?: string | RegExp
}

interface Counted {
  /** Apply to the next N matching requests only, then switch back to pass-through. */
  times?: number
  /** Restrict to some requests (default: all). */
  match?: FaultMatch
}

export type FaultMode =
  /** Forward everything unchanged. */
  | { kind: 'pass' }
  /**
   * Server down: the listening socket is CLOSED, so new connections fail with ECONNREFUSED, and
   * every open (keep-alive) connection is destroyed. Lasts until the next `setMode` (no `times`).
   * The proxy listens again on the SAME port when switched to another mode.
   */
  | { kind: 'refuse' }
  /** Accept the TCP connection, then reset it (RST) before any response: ECONNRESET / "socket hang up". */
  | ({ kind: 'reset-connection' } & Counted)
  /** Answer whole requests with `status` (ES-shaped JSON error body), without forwarding. */
  | ({ kind: 'status'; status: number; retryAfter?: string; body?: string } & Counted)
  /**
   * `_bulk` only: items at the given 0-based positions get the given status (429/503 with the ES
   * error shape) and are NOT forwarded; the other items are forwarded to the real server (so they
   * are really indexed) and the two responses are merged in item order (`errors: true`).
   * Non-bulk requests pass through and do not consume `times`.
   */
  | ({ kind: 'bulk-item-errors'; items: Record<number, number> | ((position: number) => number | undefined) } & Counted)
  /** Wait `ms` before forwarding. */
  | ({ kind: 'latency'; ms: number } & Counted)
  /**
   * Reset the connection mid-body. `phase: 'request'` (default `'response'`): read `afterBytes`
   * (default 1) request-body bytes, then RST; nothing is forwarded. `'response'`: forward, send the
   * status line, headers (full content-length) and the first half of the real response body, then
   * RST: the server DID process the request.
   */
  | ({ kind: 'reset-mid-body'; phase?: 'request' | 'response'; afterBytes?: number } & Counted)
  /** Read the request and never answer nor forward; the connection stays open until the client gives up. */
  | ({ kind: 'hang' } & Counted)
  /** 413 (empty body, like the server's HTTP layer) for request bodies above `maxBytes`; smaller ones pass. */
  | ({ kind: 'max-body'; maxBytes: number } & Counted)
  /**
   * Forward (the server processes the request, e.g. indexes the documents), then hold the response:
   * `delayMs` given → send it after that delay (if the client is still there); absent → never send it
   * (the client times out). The duplicate-on-retry scenario.
   */
  | ({ kind: 'forward-then-delay'; delayMs?: number } & Counted)

export type FaultModeName = FaultMode['kind']

export interface FaultProxyStats {
  /** TCP connections accepted. */
  connections: number
  /** HTTP requests received (complete or not). */
  requests: number
  /** Requests sent to the real server (a partially forwarded `_bulk` counts once). */
  forwarded: number
  /** Requests a fault applied to (`bulk-item-errors` counts requests that had at least one failed item). */
  faulted: number
  /** `_bulk` requests received. */
  bulkRequests: number
  /** Bulk items (actions) received / forwarded to the server / answered with an injected error. */
  bulkItemsReceived: number
  bulkItemsForwarded: number
  bulkItemsFailed: number
  /** Request body bytes received. */
  bytesReceived: number
}

export interface FaultProxyRequestLog {
  method: string
  path: string
  bodyBytes: number
  /** Mode kind applied (`pass` when none matched). */
  mode: FaultModeName
  /** Status sent to the client, or undefined when none was (reset, hang, dropped). */
  status: number | undefined
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`, stable for the proxy's lifetime (also across `refuse`). */
  readonly url: string
  readonly port: number
  readonly mode: FaultMode
  /** Switches mode; string shorthand for modes without options. Resolves once the listener state matches. */
  setMode(mode: FaultMode | 'pass' | 'refuse' | 'reset-connection' | 'hang'): Promise<void>
  /** Snapshot of the counters. */
  readonly stats: FaultProxyStats
  /** Last (at most 1,000) requests, oldest first. */
  readonly requests: readonly FaultProxyRequestLog[]
  resetStats(): void
  /** Closes the listener, destroys every open connection and the upstream agent. */
  close(): Promise<void>
}

export interface FaultProxyOptions {
  /** Base URL of the real server, e.g. `http://127.0.0.1:9200`. */
  target: string
  /** Port to listen on (default: a free one). */
  port?: number
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
])
const MAX_LOG = 1_000

function zeroStats(): FaultProxyStats {
  return { connections: 0, requests: 0, forwarded: 0, faulted: 0, bulkRequests: 0, bulkItemsReceived: 0, bulkItemsForwarded: 0, bulkItemsFailed: 0, bytesReceived: 0 }
}

function errorBody(status: number): string {
  // Shapes the real servers use for these statuses, so clients' error parsing is exercised too.
  const type = status === 429 ? 'es_rejected_execution_exception' : status === 503 ? 'unavailable_shards_exception' : 'fault_proxy_exception'
  const reason = `injected by fault proxy (status ${status})`
  return JSON.stringify({ error: { root_cause: [{ type, reason }], type, reason }, status })
}

function isBulkPath(path: string): boolean {
  return /(^|\/)_bulk$/.test(path)
}

interface BulkItem {
  action: string
  meta: Record<string, unknown>
  lines: string[]
}

function parseBulk(body: string): BulkItem[] {
  const lines = body.split('\n')
  const items: BulkItem[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line === undefined || line.trim() === '') continue
    const parsed = JSON.parse(line) as Record<string, Record<string, unknown>>
    const action = Object.keys(parsed)[0] ?? 'index'
    const item: BulkItem = { action, meta: parsed[action] ?? {}, lines: [line] }
    if (action !== 'delete') {
      const source = lines[++i]
      if (source !== undefined) item.lines.push(source)
    }
    items.push(item)
  }
  return items
}

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true
  if (match.methods && !match.methods.includes(method)) return false
  if (match.path !== undefined) {
    if (typeof match.path === 'string' ? !path.includes(match.path) : !match.path.test(path)) return false
  }
  return true
}

/** Starts the proxy on 127.0.0.1 in pass-through mode. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target)
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  const sockets = new Set<Socket>()
  let stats = zeroStats()
  let log: FaultProxyRequestLog[] = []
  let mode: FaultMode = { kind: 'pass' }
  let remaining: number | undefined
  let listening = false
  let closed = false
  // Learned from the first real bulk response (or GET /): ES 7.x items carry `_type: _doc`, OpenSearch 2.x do not.
  let itemsHaveType: boolean | undefined

  const server: Server = createServer()
  server.keepAliveTimeout = 30_000
  server.on('connection', (socket: Socket) => {
    stats.connections++
    if (mode.kind === 'refuse') {
      // Raced with the listener closing: behave like a closed port as far as possible.
      socket.resetAndDestroy()
      return
    }
    // Without a `match`, reset at accept time (before any byte); with one, per request in handle().
    if (mode.kind === 'reset-connection' && !mode.match && takeFault(mode, undefined)) {
      stats.faulted++
      socket.resetAndDestroy()
      return
    }
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  /** Whether the current fault applies to this request; consumes one of `times`. */
  function takeFault(m: FaultMode, req: { method: string; path: string } | undefined): boolean {
    if (m.kind === 'pass' || m.kind === 'refuse') return false
    if (req && !matches(m.match, req.method, req.path)) return false
    if (remaining !== undefined) {
      if (remaining <= 0) return false
      remaining--
      if (remaining === 0) {
        // Revert for the NEXT request; this one still gets the fault.
        mode = { kind: 'pass' }
        remaining = undefined
      }
    }
    return true
  }

  function record(entry: FaultProxyRequestLog): void {
    log.push(entry)
    if (log.length > MAX_LOG) log = log.slice(-MAX_LOG)
  }

  interface Upstream {
    status: number
    headers: IncomingHttpHeaders
    body: Buffer
  }

  function forward(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer, identity = false): Promise<Upstream> {
    const out: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(headers)) {
      if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v
    }
    if (identity) out['accept-encoding'] = 'identity'
    out['content-length'] = String(body.length)
    stats.forwarded++
    return new Promise((resolve, reject) => {
      const up = httpRequest(
        { host: target.hostname, port: target.port, method, path: url, headers: out, agent },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }))
          res.on('error', reject)
        },
      )
      up.on('error', reject)
      up.end(body)
    })
  }

  function send(res: ServerResponse, status: number, headers: IncomingHttpHeaders, body: Buffer): void {
    if (res.destroyed) return
    const out: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(headers)) {
      if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v
    }
    out['content-length'] = String(body.length)
    res.writeHead(status, out)
    res.end(body)
  }

  function sendJson(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
    send(res, status, { 'content-type': 'application/json; charset=UTF-8', ...extra }, Buffer.from(body))
  }

  async function learnItemsHaveType(): Promise<boolean> {
    if (itemsHaveType !== undefined) return itemsHaveType
    try {
      const main = await forward('GET', '/', {}, Buffer.alloc(0), true)
      stats.forwarded-- // bookkeeping probe, not a client request
      const v = (JSON.parse(main.body.toString('utf8')) as { version?: { number?: string; distribution?: string } }).version
      itemsHaveType = v?.distribution === undefined && (v?.number ?? '').startsWith('7.')
    } catch {
      itemsHaveType = false
    }
    return itemsHaveType
  }

  async function handleBulkItems(
    m: Extract<FaultMode, { kind: 'bulk-item-errors' }>,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    raw: Buffer,
    entry: FaultProxyRequestLog,
  ): Promise<boolean> {
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
    const items = parseBulk(body.toString('utf8'))
    const failAt = new Map<number, number>()
    items.forEach((_, pos) => {
      const status = typeof m.items === 'function' ? m.items(pos) : m.items[pos]
      if (status !== undefined) failAt.set(pos, status)
    })
    if (failAt.size === 0 || !takeFault(m, { method: req.method ?? 'GET', path })) {
      return false // nothing to inject into this request: plain pass-through
    }
    stats.faulted++
    stats.bulkItemsFailed += failAt.size
    const kept = items.filter((_, pos) => !failAt.has(pos))
    let serverItems: Array<Record<string, Record<string, unknown>>> = []
    let took = 0
    let serverErrors = false
    if (kept.length > 0) {
      const headers = { ...req.headers }
      delete headers['content-encoding']
      const up = await forward(req.method ?? 'POST', req.url ?? path, headers, Buffer.from(kept.flatMap((i) => i.lines).join('\n') + '\n'), true)
      stats.bulkItemsForwarded += kept.length
      if (up.status !== 200) {
        // A whole-request error from the server (e.g. malformed body): pass it on unchanged.
        entry.status = up.status
        send(res, up.status, up.headers, up.body)
        return true
      }
      const parsed = JSON.parse(up.body.toString('utf8')) as { took?: number; errors?: boolean; items?: Array<Record<string, Record<string, unknown>>> }
      serverItems = parsed.items ?? []
      took = parsed.took ?? 0
      serverErrors = parsed.errors === true
      const first = serverItems[0]
      const firstResult = first ? Object.values(first)[0] : undefined
      if (firstResult) itemsHaveType = '_type' in firstResult
    }
    const withType = await learnItemsHaveType()
    const defaultIndex = /^\/([^/_][^/]*)\/_bulk$/.exec(path)?.[1]
    let next = 0
    const merged = items.map((item, pos) => {
      const status = failAt.get(pos)
      if (status === undefined) return serverItems[next++] ?? {}
      const type = status === 429 ? 'es_rejected_execution_exception' : status === 503 ? 'unavailable_shards_exception' : 'fault_proxy_exception'
      const result: Record<string, unknown> = {
        _index: (item.meta._index as string | undefined) ?? (defaultIndex ? decodeURIComponent(defaultIndex) : undefined),
      }
      if (withType) result._type = '_doc'
      result._id = (item.meta._id as string | undefined) ?? randomBytes(15).toString('base64url')
      result.status = status
      result.error = { type, reason: `injected by fault proxy for bulk item ${pos} (status ${status})` }
      return { [item.action]: result }
    })
    entry.status = 200
    sendJson(res, 200, JSON.stringify({ took, errors: serverErrors || failAt.size > 0, items: merged }))
    return true
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++
    const method = req.method ?? 'GET'
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const bulk = isBulkPath(path)
    if (bulk) stats.bulkRequests++
    const m = mode
    const entry: FaultProxyRequestLog = { method, path, bodyBytes: 0, mode: 'pass', status: undefined }
    record(entry)

    // reset-mid-body (request phase) must act while the body streams in, before it is complete.
    if (m.kind === 'reset-mid-body' && (m.phase ?? 'response') === 'request' && takeFault(m, { method, path })) {
      stats.faulted++
      entry.mode = m.kind
      const limit = m.afterBytes ?? 1
      let seen = 0
      const cut = (): void => {
        req.socket.resetAndDestroy()
      }
      req.on('data', (c: Buffer) => {
        seen += c.length
        entry.bodyBytes = seen
        stats.bytesReceived += c.length
        if (seen >= limit) cut()
      })
      req.on('end', cut)
      return
    }

    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks)
    entry.bodyBytes = body.length
    stats.bytesReceived += body.length
    const bulkCount = bulk ? countItems(req, body) : 0
    stats.bulkItemsReceived += bulkCount

    if (m.kind === 'bulk-item-errors') {
      if (bulk && matches(m.match, method, path)) {
        entry.mode = m.kind
        if (await handleBulkItems(m, req, res, path, body, entry)) return
        entry.mode = 'pass'
      }
    } else if (m.kind === 'max-body') {
      if (body.length > m.maxBytes && takeFault(m, { method, path })) {
        stats.faulted++
        entry.mode = m.kind
        entry.status = 413
        send(res, 413, {}, Buffer.alloc(0))
        return
      }
    } else if (takeFault(m, { method, path })) {
      stats.faulted++
      entry.mode = m.kind
      switch (m.kind) {
        case 'status': {
          entry.status = m.status
          sendJson(res, m.status, m.body ?? errorBody(m.status), m.retryAfter ? { 'retry-after': m.retryAfter } : {})
          return
        }
        case 'hang':
          // Never answer; the socket is destroyed by the client's timeout or by close().
          return
        case 'reset-connection':
          req.socket.resetAndDestroy()
          return
        case 'latency':
          await new Promise((r) => setTimeout(r, m.ms))
          break // then forward normally below
        case 'reset-mid-body': {
          const up = await forward(method, req.url ?? path, req.headers, body)
          stats.bulkItemsForwarded += bulkCount
          const out: Record<string, string | string[]> = {}
          for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v
          out['content-length'] = String(up.body.length)
          res.writeHead(up.status, out)
          res.flushHeaders()
          const half = up.body.subarray(0, Math.floor(up.body.length / 2))
          // Let the half body reach the client, then RST: it sees a premature end of the body.
          res.write(half, () => {
            setTimeout(() => {
              req.socket.resetAndDestroy()
            }, 20)
          })
          return
        }
        case 'forward-then-delay': {
          const up = await forward(method, req.url ?? path, req.headers, body)
          stats.bulkItemsForwarded += bulkCount
          if (m.delayMs === undefined) return // dropped: the client waits until it times out
          await new Promise((r) => setTimeout(r, m.delayMs))
          entry.status = up.status
          send(res, up.status, up.headers, up.body)
          return
        }
      }
    }

    const up = await forward(method, req.url ?? path, req.headers, body)
    stats.bulkItemsForwarded += bulkCount
    entry.status = up.status
    send(res, up.status, up.headers, up.body)
  }

  function countItems(req: IncomingMessage, body: Buffer): number {
    try {
      return parseBulk((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8')).length
    } catch {
      return 0
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      // Upstream unreachable (server stopped) or similar: 502 with the cause, so tests see why.
      if (!res.headersSent && !res.destroyed) sendJson(res, 502, JSON.stringify({ error: { type: 'fault_proxy_upstream_error', reason: String(err) }, status: 502 }))
      else res.destroy()
    })
  })

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: '127.0.0.1', port }, () => {
        server.off('error', reject)
        listening = true
        const addr = server.address()
        resolve(typeof addr === 'object' && addr ? addr.port : port)
      })
    })
  const unlisten = (): Promise<void> =>
    new Promise((resolve) => {
      if (!listening) return resolve()
      listening = false
      server.close(() => resolve())
      for (const s of sockets) s.destroy()
      sockets.clear()
    })

  const port = await listen(options.port ?? 0)
  const url = `http://127.0.0.1:${port}`

  return {
    url,
    port,
    get mode() {
      return mode
    },
    async setMode(next) {
      if (closed) throw new Error('fault proxy is closed')
      const m: FaultMode = typeof next === 'string' ? ({ kind: next } as FaultMode) : next
      mode = m
      remaining = 'times' in m && m.times !== undefined ? m.times : undefined
      if (m.kind === 'refuse') await unlisten()
      else if (!listening) await listen(port)
    },
    get stats() {
      return { ...stats }
    },
    get requests() {
      return [...log]
    },
    resetStats() {
      stats = zeroStats()
      log = []
    },
    async close() {
      if (closed) return
      closed = true
      mode = { kind: 'pass' }
      await unlisten()
      agent.destroy()
    },
  }
}
