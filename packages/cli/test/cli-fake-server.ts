/**
 * A loopback HTTP server for CLI tests: records every request and answers through a handler that
 * mimics the documented API shapes of Kibana / OpenDistro / OpenSearch (those products cannot run here).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CliIo } from '../src/io.js'

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: unknown
}

export interface FakeReply {
  status: number
  body?: unknown
}

export interface FakeServer {
  url: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

export async function startFakeServer(handler: (req: RecordedRequest) => FakeReply): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      }
      requests.push(recorded)
      let reply: FakeReply
      try {
        reply = handler(recorded)
      } catch (err) {
        reply = { status: 500, body: { error: { type: 'fake_server_error', reason: String(err) } } }
      }
      res.writeHead(reply.status, { 'content-type': 'application/json' })
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A CliIo that collects output. */
export function captureIo(env: NodeJS.ProcessEnv = {}): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    env,
    stdout(text: string) {
      io.out += text
    },
    stderr(text: string) {
      io.err += text
    },
  }
  return io
}
