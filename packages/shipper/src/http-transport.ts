/**
 * The built-in transport: plain `POST /_bulk` over undici keep-alive pools, one per node, with
 * round-robin and failover. No product check, so it works with ES 7.x-9.x (default and OSS builds)
 * and OpenSearch 1.x-3.x alike.
 */
import { gzip } from 'node:zlib'
import { promisify } from 'node:util'
import { Pool } from 'undici'
import type { BulkAnswer, BulkTransport } from './bulk-transport.js'
import { BULK_PATH } from './bulk-transport.js'
import { ShipperConfigError, ShipperRequestError } from './errors.js'
import { redactText, redactUrl } from './redact.js'
import type { ShipperAuth, ShipperTlsOptions } from './types.js'

const gzipAsync = promisify(gzip)

/**
 * Errors raised before a connection existed: the node never saw the request, so sending the same
 * body to another node cannot duplicate anything and is not a retry of the documents.
 */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])

/** Settings of the built-in transport. */
export interface HttpTransportOptions {
  nodes: string[]
  auth?: ShipperAuth
  tls?: ShipperTlsOptions
  compression: boolean
  connections: number
  requestTimeoutMs: number
  /** How long a node that refused a connection is skipped. */
  nodeCooldownMs: number
}

interface Node {
  pool: Pool
  /** Path prefix of the node URL (proxies mount ES under a path). */
  base: string
  label: string
  deadUntil: number
}

/** Parses node URLs, moves URL credentials into auth, and validates everything at construction. */
export function resolveNodes(node: string | string[] | undefined, auth: ShipperAuth | undefined): { urls: URL[]; auth: ShipperAuth | undefined } {
  const list: unknown[] = node === undefined ? [] : Array.isArray(node) ? node : [node]
  if (list.length === 0) throw new ShipperConfigError('node is required (an Elasticsearch URL such as "http://127.0.0.1:9200") unless client is given', { option: 'node' })
  let resolvedAuth = auth
  const urls = list.map((raw) => {
    if (typeof raw !== 'string') throw new ShipperConfigError(`node must be a URL string or a list of them, got a ${raw === null ? 'null' : typeof raw}`, { option: 'node' })
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw new ShipperConfigError(`node ${JSON.stringify(redactText(raw))} is not a URL; expected e.g. "http://127.0.0.1:9200"`, { option: 'node' })
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      // Not the value itself: `elastic:changeme@host:9200` parses with the scheme `elastic:`.
      throw new ShipperConfigError(`node must use http: or https:, got ${JSON.stringify(redactText(raw))}; expected e.g. "http://127.0.0.1:9200"`, { option: 'node' })
    }
    if (url.username || url.password) {
      resolvedAuth ??= { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
      url.username = ''
      url.password = ''
    }
    return url
  })
  return { urls, auth: resolvedAuth }
}

/** Builds the `Authorization` header value. */
export function authorizationHeader(auth: ShipperAuth | undefined): string | undefined {
  if (auth === undefined) return undefined
  // A string such as 'elastic:changeme' is refused without being repeated.
  if (auth === null || typeof auth !== 'object') throw new ShipperConfigError(`auth must be { username, password }, { apiKey } or { bearer }, got a ${auth === null ? 'null' : typeof auth}`, { option: 'auth' })
  if ('username' in auth) return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
  if ('apiKey' in auth) {
    const key = typeof auth.apiKey === 'string' ? auth.apiKey : Buffer.from(`${auth.apiKey.id}:${auth.apiKey.api_key}`).toString('base64')
    return `ApiKey ${key}`
  }
  if ('bearer' in auth) return `Bearer ${auth.bearer}`
  throw new ShipperConfigError('auth must be { username, password }, { apiKey } or { bearer }', { option: 'auth' })
}

/** Creates the undici transport. */
export function createHttpTransport(urls: URL[], options: Omit<HttpTransportOptions, 'nodes'>): BulkTransport {
  const authorization = authorizationHeader(options.auth)
  const nodes: Node[] = urls.map((url) => ({
    pool: new Pool(url.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: url.protocol === 'https:' && options.tls
        ? { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, rejectUnauthorized: options.tls.rejectUnauthorized ?? true }
        : undefined,
    }),
    base: url.pathname.replace(/\/+$/, ''),
    label: redactUrl(url.toString()),
    deadUntil: 0,
  }))
  let next = 0
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson', accept: 'application/json' }
  if (authorization) headers.authorization = authorization
  if (options.compression) headers['content-encoding'] = 'gzip'

  function healthy(): boolean {
    const now = Date.now()
    return nodes.some((n) => n.deadUntil <= now)
  }

  function pick(): Node {
    const now = Date.now()
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[(next + i) % nodes.length]!
      if (node.deadUntil <= now) {
        next = (next + i + 1) % nodes.length
        return node
      }
    }
    // All cooling down: try the one that recovers first rather than none.
    return nodes.reduce((a, b) => (a.deadUntil <= b.deadUntil ? a : b))
  }

  return {
    async send(body: Buffer, signal: AbortSignal): Promise<BulkAnswer> {
      const payload = options.compression ? await gzipAsync(body) : body
      // A node that refused the connection is skipped at once for the next healthy one, within this
      // call: otherwise every batch that meets a dead node would count an attempt (and be
      // dead-lettered under `maxRetries: 0`) although another node could take it. At most one try per node.
      for (let tries = 1; ; tries++) {
        const node = pick()
        try {
          const res = await node.pool.request({
            method: 'POST',
            path: node.base + BULK_PATH,
            headers,
            body: payload,
            signal,
            headersTimeout: options.requestTimeoutMs,
            bodyTimeout: options.requestTimeoutMs,
          })
          const text = await res.body.text()
          node.deadUntil = 0
          return { status: res.statusCode, body: text }
        } catch (err) {
          const code = (err as { code?: unknown }).code
          const timedOut = signal.aborted || /timeout/i.test(typeof code === 'string' ? code : '')
          const notConnected = !signal.aborted && typeof code === 'string' && NOT_CONNECTED.has(code)
          if (!timedOut || notConnected) node.deadUntil = Date.now() + options.nodeCooldownMs
          if (notConnected && tries < nodes.length && healthy()) continue
          throw new ShipperRequestError(
            timedOut ? 'TW_SHIPPER_TIMEOUT' : 'TW_SHIPPER_CONNECTION',
            `bulk request to ${node.label} failed: ${timedOut ? `no answer within ${options.requestTimeoutMs} ms` : redactText(`${typeof code === 'string' ? `${code} ` : ''}${(err as Error).message}`)}`,
            null,
          )
        }
      }
    },
    hasHealthyNode: healthy,
    async close(): Promise<void> {
      await Promise.all(nodes.map((n) => n.pool.destroy().catch(() => undefined)))
    },
  }
}
