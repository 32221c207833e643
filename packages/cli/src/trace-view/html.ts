/**
 * The HTML page shell of the trace view: escaping, embedded JSON and a Content-Security-Policy that lets
 * the page run only its own inline script and fetch nothing, so a page attached to a ticket stays inert.
 */
import { createHash } from 'node:crypto'

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c)
}

/**
 * JSON for a `<script type="application/json">` element. Every `<` is escaped so no value (a log message
 * holding `</script>` or `<!--`) can end the element or open a comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c')
}

/** What a page is made of. */
export interface PageParts {
  title: string
  /** Inline CSS. */
  style: string
  /** HTML of the body (already escaped). */
  body: string
  /** Inline scripts, in order; each is allowed by its hash in the Content-Security-Policy. */
  scripts?: readonly string[]
  /** Whether forms may submit to the page's own origin (the local UI's search box). */
  allowFormsToSelf?: boolean
}

/** The Content-Security-Policy of a page with these inline scripts. */
export function contentSecurityPolicy(scripts: readonly string[], allowFormsToSelf = false): string {
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`)
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `script-src ${hashes.length > 0 ? hashes.join(' ') : "'none'"}`,
    "img-src data:",
    "base-uri 'none'",
    `form-action ${allowFormsToSelf ? "'self'" : "'none'"}`,
  ].join('; ')
}

/** A whole HTML document: inline style and scripts only, nothing loaded from anywhere. */
export function renderPage(parts: PageParts): string {
  const scripts = parts.scripts ?? []
  const csp = contentSecurityPolicy(scripts, parts.allowFormsToSelf)
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(parts.title)}</title>`,
    `<style>${parts.style}</style>`,
    '</head>',
    `<body>${parts.body}`,
    ...scripts.map((s) => `<script>${s}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
