/**
 * The one place that turns `node` / `auth` / `tls` into HTTP requests for everything that is not a
 * `_bulk` stream: the index template and every request of the `tracewire` command (`@tracewire/cli`).
 * undici, like the bulk transport; credentials only ever travel in the `Authorization` header
 * (`authorizationHeader`), and every error message is redacted.
 */
import { Agent, request } from 'undici'
import { ShipperError } from './errors.js'
import { authorizationHeader, resolveNodes } from './http-transport.js'
import { redactText, redactUrl } from './redact.js'
import type { ShipperAuth, ShipperTlsOptions } from './types.js'

/** Where and how to connect; the shape of the shipper's own connection options. */
export interface SearchConnectionOptions {
  /** URL, or URLs tried in order until one answers. Credentials in a URL move into `auth`. */
  node: string | string[]
  /** Basic, API key or bearer credentials (they win over credentials in the URL). */
  auth?: ShipperAuth
  /** TLS settings of the connection (CA, client certificate, `rejectUnauthorized`). */
  tls?: ShipperTlsOptions
  /** Time limit of one request, from sending to the whole answer. Default 30 000 ms. */
  requestTimeoutMs?: number
}

/** One answer: HTTP status and body text. Any status is an answer, not an error. */
export interface SearchResponse {
  readonly status: number
  readonly body: string
}

/** Options of one {@link SearchConnection.request}. */
export interface SearchRequestOptions {
  /** JSON body (serialised here). */
  json?: unknown
  /** Extra headers (e.g. Kibana's `kbn-xsrf`). */
  headers?: Record<string, string>
}

/** Requests to one cluster (or Kibana) with the credentials and TLS settings it was created with. */
export interface SearchConnection {
  /** The first node URL without credentials, for messages. */
  readonly label: string
  /**
   * Sends one request to the first node that answers. Throws a {@link ShipperError} when none
   * answers: code `TW_SHIPPER_TIMEOUT` after `requestTimeoutMs`, else `TW_SHIPPER_CONNECTION` (the
   * socket error, e.g. `ECONNREFUSED`, as `cause`); the message never holds credentials.
   */
  request(method: string, path: string, options?: SearchRequestOptions): Promise<SearchResponse>
  /** Closes the connections. Idempotent. */
  close(): Promise<void>
}

/** Default {@link SearchConnectionOptions.requestTimeoutMs}. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

/**
 * Creates a connection. Validates `node` and `auth` here, in the caller's thread: throws
 * `ShipperConfigError` for a node that is not an http(s) URL or malformed credentials.
 */
export function createSearchConnection(options: SearchConnectionOptions): SearchConnection {
  const { urls, auth } = resolveNodes(options.node, options.auth)
  const authorization = authorizationHeader(auth)
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const dispatcher = new Agent({ connect: options.tls ? { ...options.tls } : undefined })
  let closed: Promise<void> | undefined
  return {
    label: redactUrl(urls[0]?.toString() ?? '').replace(/\/+$/, ''),
    async request(method, path, requestOptions = {}) {
      const headers: Record<string, string> = { accept: 'application/json', ...requestOptions.headers }
      if (authorization) headers.authorization = authorization
      let body: string | undefined
      if (requestOptions.json !== undefined) {
        body = JSON.stringify(requestOptions.json)
        headers['content-type'] = 'application/json'
      }
      let lastError: ShipperError | undefined
      for (const url of urls) {
        const target = new URL(url.pathname.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`), url.origin)
        try {
          const res = await request(target, {
            method: method as 'GET',
            dispatcher,
            headers,
            body,
            signal: AbortSignal.timeout(timeoutMs),
          })
          return { status: res.statusCode, body: await res.body.text() }
        } catch (err) {
          lastError = requestError(method, url, pathOnly(path), err, timeoutMs)
        }
      }
      throw lastError ?? new ShipperError('TW_SHIPPER_CONNECTION', `${method} ${path}: no node`)
    },
    close() {
      closed ??= dispatcher.close().catch(() => undefined)
      return closed
    },
  }
}

function requestError(method: string, url: URL, path: string, err: unknown, timeoutMs: number): ShipperError {
  const where = `${method} ${redactUrl(url.toString()).replace(/\/+$/, '')}${path}`
  const e = err as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new ShipperError('TW_SHIPPER_TIMEOUT', `${where}: no answer within ${timeoutMs} ms`, { cause: err })
  }
  const code = typeof e?.code === 'string' ? e.code : undefined
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err)
  return new ShipperError('TW_SHIPPER_CONNECTION', `${where}: ${redactText(code && !message.includes(code) ? `${code} ${message}` : message)}`, { cause: err })
}

// A query string can carry secrets (`?api_key=`) and is noise in a message: keep the path only.
function pathOnly(path: string): string {
  const q = path.indexOf('?')
  const p = q === -1 ? path : path.slice(0, q)
  return p.startsWith('/') ? p : `/${p}`
}
