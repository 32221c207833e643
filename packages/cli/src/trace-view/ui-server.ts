/**
 * The HTTP server of `tracewire ui` on Node's `http` (three routes need no framework). It reads through the
 * functions it is given, so it knows nothing about Elasticsearch and is tested with plain data.
 *
 * Safety: it binds 127.0.0.1 unless told otherwise, and on a loopback address answers only requests whose
 * `Host` is a loopback name, so a web page cannot reach it through DNS rebinding and read the traces the
 * server's credentials can see. Every page carries the same Content-Security-Policy as the `--html` file.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { contentSecurityPolicy } from './html.js'
import type { RecentErrorTrace } from './recent-errors.js'
import type { TraceView } from './spans.js'
import { renderTracePage } from './trace-page.js'
import { navBar, renderHomePage, renderMessagePage } from './ui-pages.js'
import { WATERFALL_SCRIPT } from './waterfall-script.js'

/** A trace as the server shows it: its spans and how many lines matched on the search engine. */
export interface LoadedTrace {
  view: TraceView
  total: number
}

/** What the server needs. */
export interface TraceUiOptions {
  /** Address to bind. Default `127.0.0.1`. */
  host?: string
  /** Port; 0 picks a free one. */
  port: number
  /** Where the lines come from, shown in the navigation bar (no credentials), e.g. `fluentd-* on http://…`. */
  source: string
  /** Checks a trace id from the URL or the search box; throws a message for the user when it is not one. */
  parseTraceId(input: string): string
  /** Reads one trace; `null` when no line has this id. Errors are shown on the page (their messages must be credential-free). */
  loadTrace(traceId: string): Promise<LoadedTrace | null>
  /** Reads the list of the start page. */
  recentErrors(): Promise<RecentErrorTrace[]>
  /** Time source for "2 min ago" (tests pin it). Default `Date.now`. */
  now?: () => number
}

/** A running server. */
export interface TraceUi {
  /** `http://127.0.0.1:5610` */
  url: string
  /** Stops accepting requests and closes open connections; idempotent. */
  close(): Promise<void>
}

/** Default port of `tracewire ui` (Kibana's 5601, plus nine). */
export const DEFAULT_UI_PORT = 5610

/** Requests that read from the search engine at once; more get 503 so a reload storm cannot pile up searches. */
export const MAX_CONCURRENT_READS = 4

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])
const PAGE_CSP = `${contentSecurityPolicy([WATERFALL_SCRIPT], true)}; frame-ancestors 'none'`

/** Starts the server; resolves once it listens. */
export async function startTraceUi(options: TraceUiOptions): Promise<TraceUi> {
  const host = options.host ?? '127.0.0.1'
  const now = options.now ?? Date.now
  let reading = 0

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // The handlers answer their own failures; this only keeps a broken socket from crashing the CLI.
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n')
      else res.destroy()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (LOOPBACK_HOSTS.has(host) && !LOOPBACK_HOSTS.has(hostnameOf(req.headers.host))) {
      send(res, 403, 'text/plain; charset=utf-8', 'tracewire ui answers requests to localhost only\n')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n')
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname === '/') {
      await withReadSlot(res, async () => {
        let page: string
        try {
          page = renderHomePage(options.source, { traces: await options.recentErrors() }, now())
        } catch (err) {
          page = renderHomePage(options.source, { failure: messageOf(err) }, now())
        }
        sendHtml(res, 200, page)
      })
      return
    }
    if (url.pathname === '/search') {
      const query = url.searchParams.get('q') ?? ''
      const id = tryParse(query)
      if (typeof id !== 'string') {
        sendHtml(res, 400, renderMessagePage(options.source, 'Not a trace id', id.error, query))
        return
      }
      res.setHeader('location', `/trace/${id}`)
      send(res, 303, 'text/plain; charset=utf-8', '')
      return
    }
    const match = /^\/trace\/([^/]+)$/.exec(url.pathname)
    if (match) {
      const raw = safeDecode(match[1] ?? '')
      const id = tryParse(raw)
      if (typeof id !== 'string') {
        sendHtml(res, 400, renderMessagePage(options.source, 'Not a trace id', id.error, raw))
        return
      }
      await withReadSlot(res, async () => {
        let trace: LoadedTrace | null
        try {
          trace = await options.loadTrace(id)
        } catch (err) {
          sendHtml(res, 502, renderMessagePage(options.source, 'Could not read the trace', messageOf(err), id))
          return
        }
        if (trace === null) {
          sendHtml(res, 404, renderMessagePage(options.source, 'Trace not found', `No line with trace_id ${id} in ${options.source}.`, id))
          return
        }
        sendHtml(res, 200, renderTracePage(trace.view, { total: trace.total, source: options.source, nav: navBar(options.source, id), allowFormsToSelf: true }))
      })
      return
    }
    sendHtml(res, 404, renderMessagePage(options.source, 'Not found', 'This page does not exist. Search a trace id above.'))
  }

  async function withReadSlot(res: ServerResponse, read: () => Promise<void>): Promise<void> {
    if (reading >= MAX_CONCURRENT_READS) {
      res.setHeader('retry-after', '1')
      send(res, 503, 'text/plain; charset=utf-8', `busy: ${MAX_CONCURRENT_READS} searches are running, try again\n`)
      return
    }
    reading += 1
    try {
      await read()
    } finally {
      reading -= 1
    }
  }

  function tryParse(input: string): string | { error: string } {
    try {
      return options.parseTraceId(input)
    } catch (err) {
      return { error: messageOf(err) }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  let closing: Promise<void> | undefined
  return {
    url: `http://${shownHost}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.setHeader('content-security-policy', PAGE_CSP)
  res.setHeader('referrer-policy', 'no-referrer')
  send(res, status, 'text/html; charset=utf-8', html)
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.statusCode = status
  res.setHeader('content-type', type)
  res.setHeader('x-content-type-options', 'nosniff')
  res.setHeader('cache-control', 'no-store')
  res.setHeader('content-length', Buffer.byteLength(body))
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

function hostnameOf(hostHeader: string | undefined): string {
  if (hostHeader === undefined) return ''
  // `[::1]:5610`, `localhost:5610`, `127.0.0.1`
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase())
  return match?.[1] ?? ''
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

// The CLI's errors carry their hint apart from the message (see errors.ts); the page shows both.
function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const hint = (err as { hint?: unknown }).hint
  return typeof hint === 'string' ? `${err.message} (${hint})` : err.message
}
