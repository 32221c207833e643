import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createSearchConnection, ShipperConfigError, ShipperError } from '../src/index.js'

const servers: Array<{ close(cb: () => void): void }> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
})

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

async function echoServer(): Promise<{ port: number; seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> }> {
  const seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body })
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  return { port: await listen(server), seen }
}

describe('createSearchConnection', () => {
  it('sends URL credentials (with / @ : % in the password) only as an Authorization header, and JSON bodies', async () => {
    const { port, seen } = await echoServer()
    const connection = createSearchConnection({ node: `http://elastic:${encodeURIComponent('p/a@s:s%')}@127.0.0.1:${port}/base/` })
    const res = await connection.request('PUT', '/_template/x?pretty', { json: { a: 1 }, headers: { 'kbn-xsrf': 'true' } })
    await connection.close()
    expect(res).toEqual({ status: 201, body: '{"ok":true}' })
    expect(connection.label).toBe(`http://127.0.0.1:${port}/base`)
    expect(seen).toHaveLength(1)
    expect(seen[0]?.url).toBe('/base/_template/x?pretty')
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('elastic:p/a@s:s%').toString('base64')}`)
    expect(seen[0]?.headers['kbn-xsrf']).toBe('true')
    expect(seen[0]?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ a: 1 })
  })

  it('tries the next node when one refuses, and names the path without its query in errors', async () => {
    const { port, seen } = await echoServer()
    const closed = createTcpServer()
    const deadPort = await listen(closed)
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    servers.splice(servers.indexOf(closed), 1)
    const connection = createSearchConnection({ node: [`http://127.0.0.1:${deadPort}`, `http://127.0.0.1:${port}`] })
    expect((await connection.request('GET', '/')).status).toBe(201)
    expect(seen).toHaveLength(1)
    await connection.close()

    const alone = createSearchConnection({ node: `http://u:secret@127.0.0.1:${deadPort}`, auth: { apiKey: 'k3y' } })
    const err = await alone.request('GET', '/idx/_search?api_key=zzz').catch((e: unknown) => e)
    await alone.close()
    expect(err).toBeInstanceOf(ShipperError)
    expect(err).toMatchObject({ code: 'TW_SHIPPER_CONNECTION' })
    expect((err as Error).message).toContain(`GET http://127.0.0.1:${deadPort}/idx/_search: connect ECONNREFUSED`)
    for (const secret of ['secret', 'zzz', 'k3y']) expect((err as Error).message).not.toContain(secret)
  })

  it('fails with TW_SHIPPER_TIMEOUT when no answer comes within requestTimeoutMs', async () => {
    const sockets: Socket[] = []
    const silent = createTcpServer((s) => void sockets.push(s))
    const port = await listen(silent)
    const connection = createSearchConnection({ node: `http://127.0.0.1:${port}`, requestTimeoutMs: 100 })
    const err = await connection.request('GET', '/').catch((e: unknown) => e)
    for (const s of sockets) s.destroy()
    await connection.close()
    expect(err).toMatchObject({ code: 'TW_SHIPPER_TIMEOUT', message: `GET http://127.0.0.1:${port}/: no answer within 100 ms` })
  })

  it('refuses a node that is not an http(s) URL at creation, without echoing credentials', () => {
    expect(() => createSearchConnection({ node: 'ftp://u:pw@host' })).toThrow(ShipperConfigError)
    expect(() => createSearchConnection({ node: [] })).toThrow(/node is required/)
  })
})
