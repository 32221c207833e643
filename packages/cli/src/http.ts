/**
 * The CLI's only network primitive: one JSON request with a time limit. Plain `fetch` is enough for
 * a handful of admin calls, and it works the same against Elasticsearch 7.10 (OSS or default),
 * OpenSearch and Kibana, where the official clients' product checks do not (see FORMAT.md research).
 */
import { redactText } from '@tracewire/shipper'
import { CliError } from './errors.js'
import type { Endpoint } from './endpoint.js'

/** A server's answer: status and parsed JSON body (`undefined` when the body was empty or not JSON). */
export interface JsonResponse {
  readonly status: number
  readonly body: unknown
}

/** Options of {@link requestJson}. */
export interface RequestOptions {
  /** JSON request body. */
  body?: unknown
  /** Extra headers (e.g. Kibana's `kbn-xsrf`). */
  headers?: Record<string, string>
  /** The request is aborted after this many milliseconds. */
  timeoutMs: number
}

/**
 * Sends one request and parses the JSON answer. Any HTTP status is returned; only a failure to get
 * an answer (connection refused, DNS, timeout) throws, with the URL's credentials removed.
 */
export async function requestJson(
  endpoint: Endpoint,
  method: string,
  path: string,
  options: RequestOptions,
): Promise<JsonResponse> {
  const url = `${endpoint.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`
  const headers: Record<string, string> = { accept: 'application/json', ...endpoint.headers, ...options.headers }
  let payload: string | undefined
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body)
    headers['content-type'] = 'application/json'
  }
  let response: Response
  try {
    response = await fetch(url, {
      method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(options.timeoutMs),
    })
  } catch (err) {
    throw new CliError('TW_CLI_REQUEST', `${method} ${endpoint.label}${pathOnly(path)} failed: ${describeFetchError(err, options.timeoutMs)}`, {
      cause: err,
    })
  }
  const text = await response.text()
  let body: unknown
  if (text.length > 0) {
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
  }
  return { status: response.status, body }
}

/**
 * Throws a {@link CliError} unless the status is 2xx, with the server's own reason
 * (Elasticsearch `error.reason`, Kibana `message`) so the user sees what to fix.
 */
export function expectOk(response: JsonResponse, what: string): void {
  if (response.status >= 200 && response.status < 300) return
  throw new CliError('TW_CLI_RESPONSE', `${what}: HTTP ${response.status}${serverReason(response.body)}`)
}

/** Extracts a short, credential-free reason from an error body of Elasticsearch, OpenSearch or Kibana. */
function serverReason(body: unknown): string {
  if (body === undefined) return ''
  if (typeof body === 'string') return ` ${redactText(body.slice(0, 300))}`
  if (typeof body !== 'object' || body === null) return ''
  const record = body as Record<string, unknown>
  const error = record.error
  if (error && typeof error === 'object') {
    const e = error as Record<string, unknown>
    const type = typeof e.type === 'string' ? e.type : undefined
    const reason = typeof e.reason === 'string' ? e.reason : undefined
    if (type || reason) return ` ${redactText([type, reason].filter(Boolean).join(': '))}`
  }
  if (typeof record.message === 'string') return ` ${redactText(record.message)}`
  if (typeof error === 'string') return ` ${redactText(error)}`
  return ''
}

function pathOnly(path: string): string {
  const q = path.indexOf('?')
  const p = q === -1 ? path : path.slice(0, q)
  return p.startsWith('/') ? p : `/${p}`
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`
  }
  // undici puts the socket error (ECONNREFUSED, ENOTFOUND…) in `cause`.
  // fetch() itself only says "fetch failed"; the reason is in `cause` (a socket code, or a message
  // such as "bad port" for ports the Fetch standard blocks).
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined
  if (cause && typeof cause.code === 'string') return cause.code
  if (cause && typeof cause.message === 'string' && cause.message) return redactText(cause.message)
  return redactText(err instanceof Error ? err.message : String(err))
}
