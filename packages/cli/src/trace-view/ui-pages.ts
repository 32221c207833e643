/**
 * The pages of `tracewire ui` other than the waterfall: the start page (search box and recent traces with
 * errors) and short message pages (bad id, trace not found, server failed). The navigation bar is shared.
 */
import { escapeHtml, renderPage } from './html.js'
import type { RecentErrorTrace } from './recent-errors.js'
import { TRACE_VIEW_STYLE } from './style.js'

/** The navigation bar: home link and the trace id search box (a GET form to `/search`). */
export function navBar(source: string, query = ''): string {
  return (
    '<nav class="tw-nav"><a href="/">tracewire</a>' +
    `<span>${escapeHtml(source)}</span>` +
    '<form method="get" action="/search" role="search">' +
    `<input name="q" value="${escapeHtml(query)}" placeholder="trace id or traceparent" aria-label="trace id" autocomplete="off" spellcheck="false">` +
    '<button type="submit">Show trace</button></form></nav>'
  )
}

/** What the start page shows: the list, or why it could not be read. */
export type RecentErrorsResult = { traces: RecentErrorTrace[] } | { failure: string }

/** The start page. */
export function renderHomePage(source: string, result: RecentErrorsResult, nowMs: number): string {
  let content: string
  if ('failure' in result) {
    content = `<p class="tw-warning">Could not read the recent errors: ${escapeHtml(result.failure)}</p>`
  } else if (result.traces.length === 0) {
    content = '<p class="tw-empty">No line with <code>level: error</code> and a trace id in the last hour.</p>'
  } else {
    const rows = result.traces.map(
      (t) =>
        `<tr class="tw-recent" data-trace-id="${escapeHtml(t.traceId)}">` +
        `<td><a href="/trace/${escapeHtml(encodeURIComponent(t.traceId))}"><code>${escapeHtml(t.traceId)}</code></a></td>` +
        `<td>${escapeHtml(t.lastSeenMs === null ? '?' : ago(nowMs - t.lastSeenMs))}</td>` +
        `<td>${escapeHtml(t.service)}</td>` +
        `<td class="tw-message">${escapeHtml(oneLine(t.message))}</td>` +
        `<td>${t.errorLines}</td></tr>`,
    )
    content =
      '<table><thead><tr><th>trace</th><th>last error</th><th>service</th><th>first error message</th><th>error lines</th></tr></thead>' +
      `<tbody>${rows.join('')}</tbody></table>`
  }
  return renderPage({
    title: 'tracewire',
    style: TRACE_VIEW_STYLE,
    body: `${navBar(source)}<main class="tw-page"><h1>Traces with errors in the last hour</h1>${content}</main>`,
    allowFormsToSelf: true,
  })
}

/** A page that only says something (bad id, not found, failure). */
export function renderMessagePage(source: string, title: string, message: string, query = ''): string {
  return renderPage({
    title: `tracewire: ${title}`,
    style: TRACE_VIEW_STYLE,
    body: `${navBar(source, query)}<main class="tw-page"><h1>${escapeHtml(title)}</h1><p class="tw-message-text">${escapeHtml(message)}</p></main>`,
    allowFormsToSelf: true,
  })
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s ago`
  return `${Math.floor(s / 60)} min ago`
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat
}
