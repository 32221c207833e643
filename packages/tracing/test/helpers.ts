import { trace, context } from '@opentelemetry/api'
import pino from 'pino'

/** A parsed log line. */
export type Line = Record<string, unknown>

/**
 * A pino logger writing into memory. With `mixin`, it reads the active span through @opentelemetry/api the
 * way a trace-aware logger does; without, it is plain pino (the middleware then binds the ids itself).
 */
export function memoryLogger(opts: { mixin?: boolean; level?: string } = {}): { logger: pino.Logger; lines: Line[]; raw: string[] } {
  const lines: Line[] = []
  const raw: string[] = []
  // pino writes synchronously to any object with write(): lines are visible as soon as the call returns.
  const stream = {
    write(chunk: string) {
      for (const l of chunk.split('\n')) if (l) {
        raw.push(l)
        lines.push(JSON.parse(l) as Line)
      }
    },
  }
  const mixin = opts.mixin
    ? () => {
        const sc = trace.getSpan(context.active())?.spanContext()
        return sc ? { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: `0${sc.traceFlags.toString(16)}` } : {}
      }
    : undefined
  const logger = pino({ base: undefined, ...(opts.level !== undefined ? { level: opts.level } : {}), ...(mixin ? { mixin } : {}) }, stream)
  return { logger, lines, raw }
}

/** Waits until `pred` holds (log lines are written on `close`, a tick after the client sees the response). */
export async function until(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** How many times `"key":` occurs in a raw JSON line (duplicate keys break Elasticsearch). */
export function keyCount(raw: string, key: string): number {
  return raw.split(`"${key}":`).length - 1
}

/** A request through node:http that the client destroys after `afterMs`, to make the server see an abort. */
export async function abortedRequest(url: string, afterMs: number): Promise<void> {
  const http = await import('node:http')
  await new Promise<void>((resolve) => {
    const req = http.get(url)
    req.on('error', () => resolve())
    setTimeout(() => {
      req.destroy()
      resolve()
    }, afterMs)
  })
}

export const TRACE = '0af7651916cd43dd8448eb211c80319c'
export const PARENT = 'b7ad6b7169203331'
export const TRACEPARENT = `00-${TRACE}-${PARENT}-01`

/**
 * A GET over a raw TCP socket: no HTTP client instrumentation can add or replace headers (the SDK's http and
 * undici instrumentations would inject their own client span's traceparent). Returns the response headers.
 */
export async function rawGet(url: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const net = await import('node:net')
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname)
    let text = ''
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')))
    socket.on('error', reject)
    socket.on('end', () => {
      const head = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n').slice(1)
      resolve(Object.fromEntries(head.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()])))
    })
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')
    socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\nconnection: close\r\n${lines}\r\n`)
  })
}
