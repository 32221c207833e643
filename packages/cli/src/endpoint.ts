/**
 * Where the CLI sends its requests and with which credentials. Credentials come from flags or the
 * environment (`ES_USERNAME`/`ES_PASSWORD`, `ES_API_KEY`) or the URL's user info; they end up in an
 * `Authorization` header only (built by `@tracewire/shipper`'s `createSearchConnection`, the one place
 * that does so), never in a printed URL or message.
 */
import type { ShipperAuth } from '@tracewire/shipper'
import { redactText } from '@tracewire/shipper'
import { usageError } from './errors.js'

/** Credentials as given on the command line or in the environment. */
export interface CredentialInput {
  /** `--user name[:password]`; without `:password` the password comes from `ES_PASSWORD`. */
  user?: string | undefined
  /** `--api-key` (base64 `id:api_key`, as Elasticsearch returns it under `encoded`). */
  apiKey?: string | undefined
}

/** A server to talk to: its base URL without credentials and the credentials that authenticate. */
export interface Endpoint {
  /** Base URL without user info and without a trailing slash, e.g. `http://127.0.0.1:9200`. */
  readonly baseUrl: string
  /** The credentials, in the shape `createSearchConnection` and `ensureIndexTemplate` take. */
  readonly auth: ShipperAuth | undefined
  /** Printable form of the URL (credentials removed). */
  readonly label: string
}

/**
 * Builds an endpoint from a URL and credentials. Precedence: `--api-key`, then `--user`, then
 * credentials in the URL, then the environment (`ES_API_KEY`, then `ES_USERNAME`/`ES_PASSWORD`).
 */
export function resolveEndpoint(
  rawUrl: string,
  input: CredentialInput,
  env: NodeJS.ProcessEnv,
  flag: string,
): Endpoint {
  let url: URL
  try {
    url = new URL(rawUrl)
  } catch {
    throw usageError(`${flag}: must be an http(s) URL, received ${JSON.stringify(redactText(rawUrl))}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`${flag}: must be an http(s) URL, received protocol ${JSON.stringify(url.protocol)}`)
  }
  // Credentials in the URL join the precedence below instead of travelling with the URL.
  const urlUser = url.username ? decodeURIComponent(url.username) : undefined
  const urlPassword = url.password ? decodeURIComponent(url.password) : ''
  url.username = ''
  url.password = ''
  const baseUrl = url.toString().replace(/\/+$/, '')

  const auth = pickAuth(input, urlUser, urlPassword, env)
  return { baseUrl, auth, label: baseUrl }
}

function pickAuth(
  input: CredentialInput,
  urlUser: string | undefined,
  urlPassword: string,
  env: NodeJS.ProcessEnv,
): ShipperAuth | undefined {
  if (input.apiKey) return { apiKey: input.apiKey }
  if (input.user !== undefined) return splitUser(input.user, env.ES_PASSWORD ?? '')
  if (urlUser !== undefined) return { username: urlUser, password: urlPassword }
  if (env.ES_API_KEY) return { apiKey: env.ES_API_KEY }
  if (env.ES_USERNAME) return { username: env.ES_USERNAME, password: env.ES_PASSWORD ?? '' }
  return undefined
}

function splitUser(user: string, fallbackPassword: string): ShipperAuth {
  const colon = user.indexOf(':')
  if (colon === -1) return { username: user, password: fallbackPassword }
  return { username: user.slice(0, colon), password: user.slice(colon + 1) }
}
