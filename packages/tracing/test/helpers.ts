import { trace, context } from '@opentelemetry/api'
import pino from 'pino'

/** A parsed log line. */
export type Line = Record<string, unknown>

/**
 * A pino logger writing into memory. With `mixin`, it reads the active span through @opentelemetry/api the
 * way a trace-aware logger does; without, it is plain pino (the middleware then binds the ids itself).
 */
export function memoryLogger(opts: { mixin?: boolean } = {}): { logger: pino.Logger; lines: Line[]; raw: string[] } {
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
  const logger = pino({ base: undefined, ...(mixin ? { mixin } : {}) }, stream)
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
