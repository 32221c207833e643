/**
 * The CLI's only network primitive: one JSON request with a time limit, through
 * `@tracewire/shipper`'s `createSearchConnection` (undici, the same stack and credential handling as
 * the shipper and the index template). Plain HTTP, no official client: it works the same against
 * Elasticsearch 7.10 (OSS or default), OpenSearch and Kibana, where the clients' product checks do not.
 */
import { createSearchConnection, redactText } from '@tracewire/shipper'
import { CliError } from './errors.js'
import { requestFailure } from './request-failure.js'
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
  /** `--timeout-ms`: the time limit of this one request, from sending to the whole answer. */
  timeoutMs: number
  /** What the request is for, as the error line names it (default: method, server and path). */
  what?: string
}

/**
 * Sends one request and parses the JSON answer. Any HTTP status is returned; only a failure to get
 * an answer (connection refused, DNS, TLS, timeout) throws a `TW_CLI_REQUEST` error in the CLI's words.
 */
export async function requestJson(
  endpoint: Endpoint,
  method: string,
  path: string,
  options: RequestOptions,
): Promise<JsonResponse> {
  // One connection per request: a command sends a handful, and nothing stays open to delay the exit.
  const connection = createSearchConnection({
    node: endpoint.baseUrl,
    ...(endpoint.auth ? { auth: endpoint.auth } : {}),
    requestTimeoutMs: options.timeoutMs,
  })
  let text: string
  let status: number
  try {
    const response = await connection.request(method, path, {
      ...(options.body !== undefined ? { json: options.body } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    })
    text = response.body
    status = response.status
  } catch (err) {
    // A query string can carry secrets and is noise in a message: the path only.
    const what = options.what ?? `${method} ${endpoint.label}${path.split('?')[0]}`
    throw requestFailure(what, err, options.timeoutMs)
  } finally {
    await connection.close()
  }
  let body: unknown
  if (text.length > 0) {
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
  }
  return { status, body }
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
