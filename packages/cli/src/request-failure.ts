/**
 * Turns a failed request (no answer at all) into the CLI's words. The errors underneath are undici's
 * (`UND_ERR_*`), Node's (`ECONNREFUSED`) and OpenSSL's (`ERR_SSL_WRONG_VERSION_NUMBER`, certificate
 * codes); their messages are the library's wording, so only their codes are read and the user gets
 * a reason and what to try instead.
 */
import { CliError } from './errors.js'

interface Reason {
  why: string
  hint?: string
}

const TRUST_HINT = 'trust its CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem'

/** Reasons by error code (Node, undici or OpenSSL), the first one found on the `cause` chain. */
const REASONS: Record<string, Reason> = {
  ECONNREFUSED: { why: 'connection refused', hint: 'is the server running, and is the port in the URL right?' },
  ENOTFOUND: { why: 'host not found', hint: 'check the host name in the URL' },
  EAI_AGAIN: { why: 'host name could not be resolved now', hint: 'check DNS, then try again' },
  EHOSTUNREACH: { why: 'host unreachable', hint: 'check the network and the host in the URL' },
  ENETUNREACH: { why: 'network unreachable', hint: 'check the network and the host in the URL' },
  ECONNRESET: { why: 'the connection was closed before an answer', hint: 'an https:// server asked over http://?' },
  UND_ERR_SOCKET: { why: 'the connection was closed before an answer', hint: 'an https:// server asked over http://?' },
  EPROTO: { why: 'TLS handshake failed', hint: 'is this an http:// port? use http:// instead of https://' },
  ERR_SSL_WRONG_VERSION_NUMBER: { why: 'TLS handshake failed', hint: 'is this an http:// port? use http:// instead of https://' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { why: "the server's TLS certificate is self-signed", hint: TRUST_HINT },
  SELF_SIGNED_CERT_IN_CHAIN: { why: "the server's TLS certificate is signed by an untrusted CA", hint: TRUST_HINT },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { why: "the server's TLS certificate is signed by an untrusted CA", hint: TRUST_HINT },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { why: "the server's TLS certificate is signed by an untrusted CA", hint: TRUST_HINT },
  CERT_HAS_EXPIRED: { why: "the server's TLS certificate has expired", hint: 'renew the certificate on the server' },
  ERR_TLS_CERT_ALTNAME_INVALID: { why: "the server's TLS certificate is for another host name", hint: 'use the host name the certificate names' },
}

/**
 * The {@link CliError} (code `TW_CLI_REQUEST`) for a request to `what` that got no answer:
 * a timeout (`@tracewire/shipper`'s `TW_SHIPPER_TIMEOUT`) or a connection failure.
 */
export function requestFailure(what: string, err: unknown, timeoutMs: number): CliError {
  const codes = codeChain(err)
  if (codes.includes('TW_SHIPPER_TIMEOUT')) {
    return new CliError('TW_CLI_REQUEST', `${what}: no answer within ${timeoutMs} ms`, {
      cause: err,
      hint: 'is the server overloaded? raise --timeout-ms',
    })
  }
  const known = codes.find((code) => REASONS[code] !== undefined)
  const reason = known === undefined ? undefined : REASONS[known]
  if (reason) return new CliError('TW_CLI_REQUEST', `${what}: ${reason.why}`, { cause: err, ...(reason.hint ? { hint: reason.hint } : {}) })
  // An unknown code is still named: it is what a search engine for the error needs.
  const code = codes.find((c) => !c.startsWith('TW_'))
  return new CliError('TW_CLI_REQUEST', `${what}: no answer${code ? ` (${code})` : ''}`, { cause: err, hint: 'check the URL and the network' })
}

// Codes from the error and its causes, outermost first; the chain is cut at 10 links (a cause can loop).
function codeChain(err: unknown): string[] {
  const codes: string[] = []
  let current: unknown = err
  for (let depth = 0; depth < 10 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
    current = (current as { cause?: unknown }).cause
  }
  return codes
}
