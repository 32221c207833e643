/**
 * Every failure of every command is one line in one shape, `tracewire: <what failed>: <why> (<hint>)`:
 * no parseArgs text, no undici/OpenSSL text, no doubled `tracewire <command>:` prefix, and a misspelt
 * option or command names the closest valid one.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../src/run.js'
import { captureIo } from './cli-fake-server.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
// One line: `tracewire: `, a what, `: `, a why, an optional `(hint)`, one newline, nothing else.
const ONE_LINE = /^tracewire: [^\n]+: [^\n]+\n$/

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
})

async function plainHttpServer(): Promise<string> {
  const server = createServer((_req, res) => res.end('{}'))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('tracewire error lines', () => {
  it.each([
    ['trace', ['trace', TRACE, '--sise', '5'], '--sise: unknown option (did you mean --size?)'],
    ['trace', ['trace', TRACE, '--jsno'], '--jsno: unknown option (did you mean --json?)'],
    ['setup', ['setup', '--es', 'http://127.0.0.1:1', '--replica', '0'], '--replica: unknown option (did you mean --replicas?)'],
    ['setup', ['setup', '--es', 'http://127.0.0.1:1', '--timeout', '5'], '--timeout: unknown option (did you mean --timeout-ms?)'],
    ['ui', ['ui', '--hots', '0.0.0.0'], '--hots: unknown option (did you mean --host?)'],
    ['ui', ['ui', '-x'], '-x: unknown option (see "tracewire ui --help")'],
  ])('%s refuses an unknown option naming the closest valid one: %j', async (_command, args, expected) => {
    const io = captureIo()
    expect(await runCli(args, io)).toBe(2)
    expect(io.err).toBe(`tracewire: ${expected}\n`)
    expect(io.out).toBe('')
  })

  it('says which option needs a value and which takes none, in its own words', async () => {
    const missing = captureIo()
    expect(await runCli(['trace', TRACE, '--es'], missing)).toBe(2)
    expect(missing.err).toBe('tracewire: --es: needs a value (see "tracewire trace --help")\n')
    const extra = captureIo()
    expect(await runCli(['setup', '--json=yes', '--es', 'http://127.0.0.1:1'], extra)).toBe(2)
    expect(extra.err).toBe('tracewire: --json: takes no value (see "tracewire setup --help")\n')
    for (const io of [missing, extra]) expect(io.err).not.toMatch(/ERR_PARSE_ARGS|To specify a positional|Option '/)
  })

  it('names the closest command for a misspelt one', async () => {
    const io = captureIo()
    expect(await runCli(['trac', TRACE], io)).toBe(2)
    expect(io.err).toBe('tracewire: "trac": unknown command (did you mean trace? see "tracewire --help")\n')
  })

  it('never doubles the prefix: one "tracewire:" per line, for every usage error', async () => {
    const cases = [
      ['trace'],
      ['trace', TRACE, TRACE],
      ['trace', 'nothex'],
      ['trace', TRACE, '--size', '0'],
      ['setup'],
      ['setup', 'extra', '--es', 'http://127.0.0.1:1'],
      ['setup', '--es', 'ftp://x'],
      ['ui', 'extra'],
      ['ui', '--port', 'abc'],
    ]
    for (const args of cases) {
      const io = captureIo()
      expect(await runCli(args, io), args.join(' ')).toBe(2)
      expect(io.err, args.join(' ')).toMatch(ONE_LINE)
      expect(io.err.match(/tracewire/g)?.length, io.err).toBeLessThanOrEqual(2)
      expect(io.err).not.toMatch(/^tracewire (trace|setup|ui):/)
    }
    const io = captureIo()
    await runCli(['trace'], io)
    expect(io.err).toBe('tracewire: trace: expected exactly one trace id, received 0 arguments (usage: tracewire trace <trace_id> [options])\n')
  })

  it.each([
    ['trace', (host: string) => ['trace', TRACE, '--es', `https://${host}`], 'search in fluentd-* on https://'],
    ['setup', (host: string) => ['setup', '--es', `https://${host}`], 'index template on https://'],
  ])(
    '%s: https:// to a plain http port is "TLS handshake failed" with a hint, no OpenSSL text',
    async (_name, args, what) => {
      const host = await plainHttpServer()
      const io = captureIo()
      expect(await runCli(args(host), io)).toBe(3)
      expect(io.err).toMatch(ONE_LINE)
      expect(io.err).toContain(`tracewire: ${what}${host}: TLS handshake failed (is this an http:// port? use http:// instead of https://)\n`)
      expect(io.err).not.toMatch(/ssl|SSL|wrong version|routines|EPROTO/)
    },
  )

  it('trace and setup name a self-signed certificate and how to trust it, without OpenSSL text', async () => {
    // The shipper's TLS fixture: a self-signed certificate for 127.0.0.1.
    const fixture = (name: string) => readFileSync(new URL(`../../shipper/test/fixtures/${name}`, import.meta.url))
    const server = createHttpsServer({ key: fixture('tls-key.pem'), cert: fixture('tls-cert.pem') }, (_req, res) => res.end('{}'))
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
    const reason = ": the server's TLS certificate is self-signed (trust its CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem)\n"
    const trace = captureIo()
    const setup = captureIo()
    expect(await runCli(['trace', TRACE, '--es', url], trace)).toBe(3)
    expect(await runCli(['setup', '--es', url], setup)).toBe(3)
    expect(trace.err).toBe(`tracewire: search in fluentd-* on ${url}${reason}`)
    expect(setup.err).toBe(`tracewire: index template on ${url}${reason}`)
  })

  it('trace and setup word an unreachable server the same way', async () => {
    const host = await plainHttpServer()
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()))
    const trace = captureIo()
    const setup = captureIo()
    expect(await runCli(['trace', TRACE, '--es', `http://${host}`], trace)).toBe(3)
    expect(await runCli(['setup', '--es', `http://${host}`], setup)).toBe(3)
    const reason = ': connection refused (is the server running, and is the port in the URL right?)\n'
    expect(trace.err).toBe(`tracewire: search in fluentd-* on http://${host}${reason}`)
    expect(setup.err).toBe(`tracewire: index template on http://${host}${reason}`)
  })
})
