/**
 * Keeps credentials out of every string the shipper lets go: error messages, `lastError`, stderr
 * warnings, dead-letter reasons and the CLI's output all pass through {@link redactText}.
 */

/** Returns the URL without user info, e.g. `https://es:9200/` for `https://user:pw@es:9200/`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    u.username = ''
    u.password = ''
    return u.toString()
  } catch {
    return '[invalid url]'
  }
}

// `scheme://userinfo@`: userinfo runs to the LAST `@` of the URL (WHATWG URL does the same), so a
// password holding `/`, `:`, `@` or `%` is removed whole; it never crosses whitespace, a quote or
// the start of the next URL in a list (`http://a:b@h1,http://c:d@h2`).
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)(?:(?![a-z][a-z0-9+.-]*:\/\/)[^\s"'<>`])*@/gi
// `user:password@host` without a scheme (a node given as `elastic:changeme@127.0.0.1:9200`).
const BARE_USERINFO = /(^|[\s"'(,=[{])[^\s"'@:/,]+:[^\s"'<>`]*@(?=[a-z0-9[])/gi
// An Authorization-style value: the scheme word and a token-shaped value (8+ characters, so
// prose such as "basic auth" is left alone).
const SCHEME_VALUE = /\b(basic|bearer|apikey)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi
// Values of secret-bearing keys, in text, JSON (escaped or not) or query strings: a `:` or `=`
// after the key is required, so "Unexpected token ']'" in a parse error is kept.
const KEYED_SECRET = /((?:authorization|proxy-authorization|api[-_]?key|x-api-key|password|passwd|pwd|secret|token|access_token)(?:\\?["'])?\s*[:=]\s*(?:\\?["'])?\s*(?:(?:basic|bearer|apikey)\s+)?)[^\s"'\\,;}&)]+/gi

/**
 * Removes anything that looks like a credential from free text: user info in URLs (any characters
 * up to the host), `Authorization`-style values (`Basic …`, `Bearer …`, `ApiKey …`) and values of
 * keys such as `password`, `token`, `api_key`. Over-redacting is preferred to leaking.
 *
 * @example redactText('GET http://elastic:pa/ss@es:9200/ failed') // 'GET http://es:9200/ failed'
 */
export function redactText(text: string): string {
  return text
    .replace(URL_USERINFO, '$1')
    .replace(BARE_USERINFO, '$1')
    .replace(SCHEME_VALUE, '$1$2[redacted]')
    .replace(KEYED_SECRET, '$1[redacted]')
}
