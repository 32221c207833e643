/** Keeps credentials out of every message the shipper produces. */

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

/** Removes anything that looks like credentials from free text (URLs with user info, auth headers). */
export function redactText(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1')
    .replace(/((?:authorization|apikey|api_key|bearer|basic)["':=\s]+)[^\s"',}]+/gi, '$1[redacted]')
}
