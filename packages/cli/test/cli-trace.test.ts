import { createServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../src/run.js'
import { parseTraceId, TIMELINE_FIELDS, traceQuery } from '../src/trace-command.js'
import { captureIo, startFakeServer, type FakeServer } from './cli-fake-server.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

describe('parseTraceId', () => {
  it.each([
    [TRACE, TRACE],
    [` ${TRACE}\n`, TRACE],
    [`00-${TRACE}-00f067aa0ba902b7-01`, TRACE],
  ])('accepts %j', (input, id) => {
    expect(parseTraceId(input)).toBe(id)
  })

  it.each([
    ['', /32 lowercase hex/],
    ['abc', /32 lowercase hex/],
    [`${TRACE}0`, /32 lowercase hex/],
    [TRACE.toUpperCase(), /32 lowercase hex/],
    ['4bf92f3577b34da6a3ce929d0e0e473g', /32 lowercase hex/],
    ['00000000000000000000000000000000', /all-zero/],
  ])('rejects %j', (input, message) => {
    expect(() => parseTraceId(input)).toThrow(message)
  })

  it('hints at the lowercase form of an uppercase id', () => {
    expect(() => parseTraceId(TRACE.toUpperCase())).toThrow(expect.objectContaining({ hint: `trace ids are lowercase: ${TRACE}` }))
  })
})

describe('tracewire trace against a loopback server', () => {
  let server: FakeServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const hitsReply = {
    status: 200,
    body: {
      hits: {
        total: { value: 2, relation: 'eq' },
        hits: [
          { _index: 'fluentd-orders-20261126', _id: '1', _source: { '@timestamp': '2026-11-26T12:00:00.000Z', level: 'info', service: 'orders', span_id: '00f067aa0ba902b7', message: 'start', trace_id: TRACE } },
          { _index: 'fluentd-orders-20261126', _id: '2', _source: { '@timestamp': '2026-11-26T12:00:00.040Z', level: 'info', service: 'orders', span_id: '00f067aa0ba902b7', message: 'done', trace_id: TRACE, duration_ms: 40, status: 200 } },
        ],
      },
    },
  }

  it('sends a term query sorted by @timestamp to the index pattern and prints the timeline (exit 0)', async () => {
    server = await startFakeServer(() => hitsReply)
    const io = captureIo()
    const status = await runCli(['trace', TRACE, '--es', server.url, '--index', 'fluentd-orders-*'], io)
    expect(status).toBe(0)
    expect(server.requests).toHaveLength(1)
    const req = server.requests[0]
    expect(req?.method).toBe('POST')
    expect(req?.path).toBe('/fluentd-orders-*/_search?ignore_unavailable=true&allow_no_indices=true')
    expect(req?.body).toEqual(traceQuery(TRACE, 10_000, TIMELINE_FIELDS))
    // Both schemas' trace id fields (default `trace_id`, ECS `trace.id`), keyword or dynamic text.
    expect(req?.body).toMatchObject({
      query: {
        bool: {
          should: [
            { term: { trace_id: TRACE } },
            { term: { 'trace_id.keyword': TRACE } },
            { term: { 'trace.id': TRACE } },
            { term: { 'trace.id.keyword': TRACE } },
          ],
        },
      },
    })
    expect(io.out).toContain(`trace ${TRACE}: 2 lines from 1 service (orders) over 40.0 ms`)
    expect(io.out).toContain('+40.0 ms  orders  00f067aa0ba902b7  info  done  [200 in 40.0 ms]')
    expect(io.err).toBe('')
  })

  it('prints JSON with --json', async () => {
    server = await startFakeServer(() => hitsReply)
    const io = captureIo({ ES_URL: '' })
    const status = await runCli(['trace', TRACE, '--json', '--es', server.url], io)
    expect(status).toBe(0)
    const json = JSON.parse(io.out) as { trace_id: string; lines: unknown[] }
    expect(json.trace_id).toBe(TRACE)
    // --json returns whole documents: no _source filter.
    expect(server.requests[0]?.body).not.toHaveProperty('_source')
    expect(json.lines).toHaveLength(2)
  })

  it('exits 1 when no line has the trace id', async () => {
    server = await startFakeServer(() => ({ status: 200, body: { hits: { total: { value: 0, relation: 'eq' }, hits: [] } } }))
    const io = captureIo({ ES_URL: server.url })
    expect(await runCli(['trace', TRACE], io)).toBe(1)
    expect(io.out).toBe('')
    expect(io.err).toContain(`tracewire: trace ${TRACE}: no line in fluentd-* on ${server.url} (`)
  })

  it('exits 2 on usage errors without sending anything', async () => {
    server = await startFakeServer(() => hitsReply)
    for (const args of [[], ['trace'], ['trace', 'nope', '--es', server.url], ['trace', TRACE, '--bogus'], ['trace', TRACE, '--size', '0'], ['trace', TRACE, '--size', '10001'], ['frobnicate']]) {
      const io = captureIo()
      expect(await runCli(args, io), args.join(' ')).toBe(2)
      expect(io.err).not.toBe('')
    }
    expect(server.requests).toHaveLength(0)
  })

  it('exits 3 with the server reason when the search fails', async () => {
    server = await startFakeServer(() => ({ status: 400, body: { error: { type: 'search_phase_execution_exception', reason: 'all shards failed' }, status: 400 } }))
    const io = captureIo()
    expect(await runCli(['trace', TRACE, '--es', server.url], io)).toBe(3)
    expect(io.err).toContain('HTTP 400 search_phase_execution_exception: all shards failed')
  })

  it('exits 3 when the server cannot be reached', async () => {
    server = await startFakeServer(() => hitsReply)
    const url = server.url
    await server.close()
    server = undefined
    const io = captureIo()
    expect(await runCli(['trace', TRACE, '--es', `http://elastic:s3cret@${url.slice('http://'.length)}`], io)).toBe(3)
    expect(io.err).toMatch(/^tracewire: search in fluentd-\* on http:\/\/127\.0\.0\.1:\d+: connection refused \(is the server running, and is the port in the URL right\?\)\n$/)
    expect(io.err).not.toContain('s3cret')
  })

  it.each([
    ['trace', ['trace', TRACE]],
    ['setup', ['setup']],
  ])('--timeout-ms bounds each request of %s the same way: no answer within N ms, exit 3', async (_name, args) => {
    // A server that accepts the connection and never answers.
    const sockets: Socket[] = []
    const silent = createServer((socket) => void sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const io = captureIo()
      const url = `http://user:pa%2Fss@127.0.0.1:${(silent.address() as AddressInfo).port}`
      expect(await runCli([...args, '--es', url, '--timeout-ms', '200'], io)).toBe(3)
      expect(io.err).toContain('no answer within 200 ms')
      expect(io.err).not.toContain('pa%2Fss')
      expect(io.err).not.toContain('pa/ss')
    } finally {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })

  it('sends credentials from the URL, --user, --api-key or the environment as a header, never in output', async () => {
    server = await startFakeServer(() => hitsReply)
    const host = server.url.slice('http://'.length)
    const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
      [['--es', `http://elastic:s3cret@${host}`], {}, `Basic ${Buffer.from('elastic:s3cret').toString('base64')}`],
      [['--es', server.url, '--user', 'bob:pw:with:colons'], {}, `Basic ${Buffer.from('bob:pw:with:colons').toString('base64')}`],
      [['--es', server.url, '--user', 'bob'], { ES_PASSWORD: 'envpw' }, `Basic ${Buffer.from('bob:envpw').toString('base64')}`],
      [['--es', server.url, '--api-key', 'a2V5'], { ES_USERNAME: 'x', ES_PASSWORD: 'y' }, 'ApiKey a2V5'],
      [['--es', server.url], { ES_API_KEY: 'ZW52' }, 'ApiKey ZW52'],
      [['--es', server.url], { ES_USERNAME: 'u', ES_PASSWORD: 'p' }, `Basic ${Buffer.from('u:p').toString('base64')}`],
    ]
    for (const [args, env, header] of cases) {
      const io = captureIo(env)
      expect(await runCli(['trace', TRACE, ...args], io)).toBe(0)
      expect(server.requests.at(-1)?.headers.authorization).toBe(header)
      for (const secret of ['s3cret', 'colons', 'envpw', 'a2V5', 'ZW52']) expect(io.out + io.err).not.toContain(secret)
    }
    const io = captureIo()
    await runCli(['trace', TRACE, '--es', server.url], io)
    expect(server.requests.at(-1)?.headers.authorization).toBeUndefined()
  })
})
