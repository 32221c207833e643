/**
 * Behaviour of createShipper against the loopback `_bulk` sink, one test per catalogue case
 * (reliability-anchors.md §4.3). Timings are shortened through options; nothing asserts on time.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createShipper } from '../src/index.js'
import type { DeadLetter, Shipper, ShipperOptions } from '../src/index.js'
import { logLine, startBulkSink, until } from './support/bulk-sink.js'
import { seqList, useTestResources } from './support/test-resources.js'

const FAST: Partial<ShipperOptions> = { flushIntervalMs: 20, retryWaitMs: 10, maxRetryIntervalMs: 50, reportDropsToStderr: false, bufferDir: false }

const { sink, track } = useTestResources()

function shipper(options: ShipperOptions): Shipper {
  return track(createShipper({ ...FAST, ...options }))
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

function expectConserved(sh: Shipper): void {
  const st = sh.stats()
  expect(st.accepted).toBe(st.delivered + st.deadLettered + st.dropped + st.bufferedDocs)
}

describe('createShipper', () => {
  it('indexes each line once as Fluentd would: fluentd-<service>-YYYYMMDD (UTC), record without time', async () => {
    const es = await sink()
    const sh = shipper({ node: es.url })
    // 2026-11-26T23:30:00Z is already the 27th in Seoul, still the 26th in UTC.
    const t = Date.UTC(2026, 10, 26, 23, 30) / 1000
    for (const i of range(1000)) sh.write(logLine(i, { timeSeconds: t + i / 1000, service: i % 2 ? 'orders' : 'billing' }))
    await sh.flush()
    expect(seqList(es)).toEqual(range(1000))
    const doc = es.docs.values().next().value!
    expect(doc.index).toMatch(/^fluentd-(orders|billing)-20261126$/)
    const source = JSON.parse(doc.source) as Record<string, unknown>
    expect(source).not.toHaveProperty('time')
    expect(Object.keys(source).slice(0, 3)).toEqual(['level', '@timestamp', 'service'])
    expect(sh.stats()).toMatchObject({ accepted: 1000, delivered: 1000, bufferedDocs: 0, deadLettered: 0, dropped: 0 })
  })

  it('indexTimeZone moves the index date (fixed offset and IANA name)', async () => {
    const es = await sink()
    const t = Date.UTC(2026, 10, 26, 23, 30) / 1000
    for (const tz of ['+09:00', 'Asia/Seoul']) {
      const sh = shipper({ node: es.url, indexTimeZone: tz, indexPrefix: `tz${tz.length}` })
      sh.write(logLine(1, { timeSeconds: t }))
      await sh.flush()
    }
    expect([...es.docs.values()].map((d) => d.index).sort()).toEqual(['tz10-orders-20261127', 'tz6-orders-20261127'])
  })

  it('assigns short, unique _ids once and uses create actions', async () => {
    const es = await sink()
    const sh = shipper({ node: es.url })
    for (const i of range(50)) sh.write(logLine(i))
    await sh.flush()
    const ids = [...es.docs.keys()]
    expect(new Set(ids).size).toBe(50)
    for (const id of ids) expect(Buffer.byteLength(id)).toBeLessThanOrEqual(512)
  })

  it('case 29: server down at start, comes up later: everything delivered exactly once', async () => {
    const probe = await startBulkSink()
    const port = Number(new URL(probe.url).port)
    await probe.close()
    const sh = shipper({ node: `http://127.0.0.1:${port}` })
    for (const i of range(2000)) sh.write(logLine(i))
    await until(() => sh.stats().lastError !== null, 5000, 'a connection error')
    expect(sh.stats().lastError?.code).toBe('TW_SHIPPER_CONNECTION')
    const es = await sink({ port })
    await sh.flush()
    expect(seqList(es)).toEqual(range(2000))
    expectConserved(sh)
  })

  it('case 30: connection resets mid-stream: reconnects by itself, nothing lost or duplicated', async () => {
    const es = await sink()
    es.script = (req) => (req.n % 3 === 0 ? { kind: 'destroy' } : undefined)
    const sh = shipper({ node: es.url, flushBytes: 4000 })
    for (const i of range(3000)) sh.write(logLine(i))
    await sh.flush()
    expect(seqList(es)).toEqual(range(3000))
    expect(sh.stats().retried).toBeGreaterThan(0)
  })

  it('case 31: indexed but answered after the client timeout: the retry gets 409s, counted delivered once', async () => {
    const es = await sink()
    es.script = (req) => (req.n === 1 ? { kind: 'delay', ms: 400 } : undefined)
    const sh = shipper({ node: es.url, requestTimeoutMs: 100 })
    for (const i of range(100)) sh.write(logLine(i))
    await sh.flush()
    expect(seqList(es)).toEqual(range(100))
    expect(sh.stats()).toMatchObject({ delivered: 100, duplicates: 100 })
    expect(sh.stats().lastError?.code).toBe('TW_SHIPPER_TIMEOUT')
  })

  it('case 32: whole request answered 429 five times, then accepted', async () => {
    const es = await sink()
    es.script = (req) => (req.n <= 5 ? { kind: 'status', status: 429 } : undefined)
    const errors: Error[] = []
    const sh = shipper({ node: es.url, onError: (e) => errors.push(e) })
    for (const i of range(10)) sh.write(logLine(i))
    await sh.flush()
    expect(seqList(es)).toEqual(range(10))
    expect(errors).toHaveLength(5)
    expect(errors[0]).toMatchObject({ code: 'TW_SHIPPER_HTTP_STATUS', status: 429 })
  })

  it('case 33: items 3 and 7 answered 429: only those two are resent', async () => {
    const es = await sink()
    es.script = (req) => (req.n === 1 ? { kind: 'items', statuses: new Map([[3, 429], [7, 429]]) } : undefined)
    const sent: number[] = []
    const inner = es.script
    es.script = (req) => {
      sent.push(req.items.length)
      return inner(req)
    }
    const sh = shipper({ node: es.url, flushIntervalMs: 60_000 })
    for (const i of range(100)) sh.write(logLine(i))
    await sh.flush()
    expect(sent).toEqual([100, 2])
    expect(seqList(es)).toEqual(range(100))
    expect(sh.stats()).toMatchObject({ delivered: 100, retried: 2, duplicates: 0 })
  })

  it('case 34: item 5 answered 400 mapper_parsing_exception: dead-lettered with the reason, not retried', async () => {
    const es = await sink()
    let requests = 0
    es.script = (req) => {
      requests++
      return req.n === 1 ? { kind: 'items', statuses: new Map([[5, 400]]), reason: () => ({ type: 'mapper_parsing_exception', reason: 'failed to parse field [status]' }) } : undefined
    }
    const dead: DeadLetter[] = []
    const sh = shipper({ node: es.url, flushIntervalMs: 60_000, onDeadLetter: (d) => dead.push(d) })
    for (const i of range(100)) sh.write(logLine(i))
    await sh.flush()
    expect(requests).toBe(1)
    expect(seqList(es)).toEqual(range(100).filter((i) => i !== 5))
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ status: 400, index: 'fluentd-orders-20251126' })
    expect(dead[0]!.reason).toContain('mapper_parsing_exception: failed to parse field [status]')
    expect(JSON.parse(dead[0]!.document)).toMatchObject({ seq: 5 })
    expect(sh.stats()).toMatchObject({ delivered: 99, deadLettered: 1 })
  })

  it('case 35: 409 items count as delivered duplicates, neither retried nor dead-lettered', async () => {
    const es = await sink()
    es.script = (req) => (req.n === 1 ? { kind: 'items', statuses: new Map([[0, 409], [1, 409]]) } : undefined)
    const sh = shipper({ node: es.url })
    for (const i of range(10)) sh.write(logLine(i))
    await sh.flush()
    expect(es.requests).toBe(1)
    expect(sh.stats()).toMatchObject({ delivered: 10, duplicates: 2, deadLettered: 0, retried: 0 })
  })

  it('case 36: 500/503 items are retried with backoff until accepted', async () => {
    const es = await sink()
    es.script = (req) => (req.n <= 3 ? { kind: 'items', statuses: new Map([[0, 503], [1, 500]]) } : undefined)
    const sh = shipper({ node: es.url })
    for (const i of range(10)) sh.write(logLine(i))
    await sh.flush()
    expect(seqList(es)).toEqual(range(10))
    expect(sh.stats()).toMatchObject({ delivered: 10, retried: 6, deadLettered: 0 })
  })

  it('case 37: 413 above a body limit: batches are halved until accepted, all delivered', async () => {
    const es = await sink()
    es.script = (req) => (req.bytes > 20_000 ? { kind: 'status', status: 413, body: '<html>413 Request Entity Too Large</html>' } : undefined)
    const sh = shipper({ node: es.url, flushBytes: 200_000, flushIntervalMs: 60_000 })
    for (const i of range(1000)) sh.write(logLine(i))
    await sh.flush()
    expect(seqList(es)).toEqual(range(1000))
    expect(sh.stats().deadLettered).toBe(0)
  })

  it('case 37/38: one line alone over the server limit is dead-lettered; the queue moves past it', async () => {
    const es = await sink()
    es.script = (req) => (req.bytes > 20_000 ? { kind: 'status', status: 413 } : undefined)
    const dead: DeadLetter[] = []
    const sh = shipper({ node: es.url, onDeadLetter: (d) => dead.push(d) })
    sh.write(logLine(0))
    sh.write(logLine(1, { message: 'x'.repeat(30_000) }))
    sh.write(logLine(2))
    await sh.flush()
    expect(seqList(es)).toEqual([0, 2])
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ status: 413 })
  })

  it('issue 9 case 13: an endpoint answering 400 to every request is reported through onError/lastError and backed off', async () => {
    const es = await sink()
    es.script = () => ({ kind: 'status', status: 400, body: '<html>400 Bad Request</html>' })
    const errors: Array<Error & { code?: string; status?: number | null }> = []
    const sh = shipper({ node: es.url, retryWaitMs: 60_000, maxRetryIntervalMs: 60_000, shutdownTimeoutMs: 100, onError: (e) => errors.push(e) })
    for (const i of range(64)) sh.write(logLine(i))
    await until(() => errors.length > 0, 5000, 'the 400 reported')
    // Without a backoff the halves went out at once: 127 requests and 64 dead letters within milliseconds.
    await new Promise((r) => setTimeout(r, 300))
    expect(es.requests).toBe(1)
    expect(errors[0]).toMatchObject({ code: 'TW_SHIPPER_HTTP_STATUS', status: 400 })
    expect(sh.stats()).toMatchObject({ deadLettered: 0, bufferedDocs: 64, lastError: { code: 'TW_SHIPPER_HTTP_STATUS' } })
    expect(sh.stats().lastError!.message).toMatch(/400/)
  })

  it('case 38: a line over maxLineBytes is dead-lettered at accept with a clear reason', async () => {
    const es = await sink()
    const dead: DeadLetter[] = []
    const sh = shipper({ node: es.url, maxLineBytes: 10_000, onDeadLetter: (d) => dead.push(d) })
    sh.write(logLine(0, { message: 'x'.repeat(20_000) }))
    sh.write(logLine(1))
    await sh.flush()
    expect(seqList(es)).toEqual([1])
    expect(dead[0]).toMatchObject({ status: null, index: 'fluentd-orders-20251126' })
    expect(dead[0]!.reason).toMatch(/exceeds maxLineBytes \(10000\)/)
  })

  it.each([
    ['HTML page with 200', { kind: 'raw', body: '<html>proxy</html>' }],
    ['items count mismatch', { kind: 'raw', body: '{"errors":false,"items":[{"create":{"status":201}}]}' }],
    ['truncated JSON', { kind: 'raw', body: '{"errors":false,"items":[{"create":' }],
    ['errors:true without statuses', { kind: 'raw', body: '{"errors":true,"items":[{"create":{}},{"create":{}},{"create":{}}]}' }],
  ] as const)('case 39: %s: batch retried, typed error, never counted delivered', async (_name, action) => {
    const es = await sink()
    es.script = (req) => (req.n <= 2 ? action : undefined)
    const errors: Array<Error & { code?: string }> = []
    const sh = shipper({ node: es.url, onError: (e) => errors.push(e) })
    for (const i of range(3)) sh.write(logLine(i))
    await until(() => errors.length >= 1, 5000, 'a bad-response error')
    expect(sh.stats().delivered).toBe(0)
    expect(errors[0]!.code).toBe('TW_SHIPPER_BAD_RESPONSE')
    await sh.flush()
    expect(seqList(es)).toEqual([0, 1, 2])
    expect(sh.stats()).toMatchObject({ delivered: 3 })
  })

  it('case 40: 401 gives a typed auth error without credentials and is retried with backoff', async () => {
    const es = await sink()
    let authorization: string | undefined
    es.script = (req) => {
      authorization = req.headers.authorization
      return req.n <= 2 ? { kind: 'status', status: 401, body: '{"error":"unauthorized"}' } : undefined
    }
    const errors: Array<Error & { code?: string }> = []
    const url = es.url.replace('http://', 'http://elastic:s3cr3t-pw@')
    const sh = shipper({ node: url, onError: (e) => errors.push(e) })
    sh.write(logLine(0))
    await sh.flush()
    expect(authorization).toBe(`Basic ${Buffer.from('elastic:s3cr3t-pw').toString('base64')}`)
    expect(errors[0]).toMatchObject({ code: 'TW_SHIPPER_AUTH', status: 401 })
    const everything = JSON.stringify([errors.map((e) => e.message), sh.stats()])
    expect(everything).not.toContain('s3cr3t')
  })

  it.each([
    ['apiKey string', { apiKey: 'aWQ6a2V5' }, 'ApiKey aWQ6a2V5'],
    ['apiKey pair', { apiKey: { id: 'id', api_key: 'key' } }, 'ApiKey aWQ6a2V5'],
    ['bearer', { bearer: 'tok' }, 'Bearer tok'],
  ] as const)('sends %s credentials', async (_name, auth, header) => {
    const es = await sink()
    let seen: string | undefined
    es.script = (req) => {
      seen = req.headers.authorization
      return undefined
    }
    const sh = shipper({ node: es.url, auth })
    sh.write(logLine(0))
    await sh.flush()
    expect(seen).toBe(header)
  })

  it('case 41: invalid config is rejected at construction with TW_SHIPPER_CONFIG; bad record parts are dead-lettered', async () => {
    for (const bad of ['Fluentd', '-x', '_x', 'a b', 'a:b', 'a*', '.', '..', 'x'.repeat(200)]) {
      expect(() => createShipper({ node: 'http://127.0.0.1:1', indexPrefix: bad })).toThrow(expect.objectContaining({ code: 'TW_SHIPPER_CONFIG' }))
    }
    expect(() => createShipper({ node: 'http://127.0.0.1:1', indexTimeZone: 'Mars/Base' })).toThrow(/indexTimeZone/)
    expect(() => createShipper({})).toThrow(/node is required/)
    expect(() => createShipper({ node: 'ftp://x' })).toThrow(/http: or https:/)
    // The password in the URL stays out of the message of an error about another option.
    expect(() => createShipper({ node: 'http://u:topsecret@127.0.0.1:1', flushBytes: -1 })).toThrow(/flushBytes/)
    expect(() => createShipper({ node: 'http://u:topsecret@127.0.0.1:1', flushBytes: -1 })).not.toThrow(/topsecret/)
    expect(() => createShipper({ node: 'http://u:top/secret@127.0.0.1:1' })).toThrow(/is not a URL/)
    expect(() => createShipper({ node: 'http://u:top/secret@127.0.0.1:1' })).not.toThrow(/top\/secret|top\//)
    expect(() => createShipper({ node: 'http://127.0.0.1:1', overflowPolicy: 'drop_all' as never })).toThrow(/overflowPolicy/)
    const es = await sink()
    const dead: DeadLetter[] = []
    const sh = shipper({ node: es.url, onDeadLetter: (d) => dead.push(d) })
    sh.write('{"level":"info","time":"NaN","service":"orders"}')
    sh.write('{"level":"info","time":-5,"service":"orders"}')
    sh.write('{"level":"info","time":1,"service":"bad name"}')
    sh.write('not json at all')
    sh.write(logLine(1))
    await sh.flush()
    expect(seqList(es)).toEqual([1])
    expect(dead.map((d) => d.index)).toEqual([null, null, null, null])
    expect(dead.every((d) => d.reason.length > 10)).toBe(true)
  })

  it('case 44: ES down, 10x overload: memory stays under maxBufferBytes, drop_oldest keeps the newest, drops reported once per interval', async () => {
    const reports: number[] = []
    const sh = shipper({
      node: 'http://127.0.0.1:9',
      maxBufferBytes: 100_000,
      dropReportIntervalMs: 60_000,
      shutdownTimeoutMs: 100,
      onDrop: (r) => reports.push(r.dropped),
    })
    let peak = 0
    const line = logLine(0)
    const n = Math.ceil((10 * 100_000) / line.length)
    for (const i of range(n)) {
      sh.write(logLine(i))
      peak = Math.max(peak, sh.stats().bufferedBytes)
    }
    expect(peak).toBeLessThanOrEqual(100_000)
    const st = sh.stats()
    expect(st.dropped).toBeGreaterThan(n / 2)
    expectConserved(sh)
    await sh.close()
    // One summary (at close, the interval being 60 s), not one per line.
    expect(reports).toEqual([st.dropped])
  })

  it('case 44: drop_newest keeps the oldest lines', async () => {
    const probe = await startBulkSink()
    const port = Number(new URL(probe.url).port)
    await probe.close()
    const sh = shipper({ node: `http://127.0.0.1:${port}`, maxBufferBytes: 50_000, overflowPolicy: 'drop_newest', shutdownTimeoutMs: 5000 })
    for (const i of range(2000)) sh.write(logLine(i))
    const kept = sh.stats().bufferedDocs
    const es = await sink({ port })
    await sh.flush()
    expect(seqList(es)).toEqual(range(kept))
  })

  it('block policy: write() returns false when full and drained() resolves once there is room', async () => {
    const es = await sink()
    es.script = (req) => (req.n <= 2 ? { kind: 'status', status: 503 } : undefined)
    const sh = shipper({ node: es.url, maxBufferBytes: 20_000, overflowPolicy: 'block' })
    let i = 0
    let refused = 0
    while (i < 500) {
      if (!sh.write(logLine(i++))) {
        refused++
        expect(sh.stats().bufferedBytes).toBeLessThanOrEqual(40_000)
        await sh.drained()
      }
    }
    await sh.flush()
    expect(refused).toBeGreaterThan(0)
    expect(seqList(es)).toEqual(range(500))
    expect(sh.stats().dropped).toBe(0)
  })

  it('case 45: permanent 503 with maxRetries: the failing documents are dead-lettered with the count, others continue', async () => {
    const es = await sink()
    es.script = (req) => (req.items.some((it) => (JSON.parse(it.source) as { seq: number }).seq < 5) ? { kind: 'items', statuses: new Map(req.items.map((it, i) => [i, (JSON.parse(it.source) as { seq: number }).seq < 5 ? 503 : 0] as [number, number]).filter(([, s]) => s !== 0)) } : undefined)
    const dead: DeadLetter[] = []
    const sh = shipper({ node: es.url, maxRetries: 3, onDeadLetter: (d) => dead.push(d) })
    for (const i of range(20)) sh.write(logLine(i))
    await sh.flush()
    expect(seqList(es)).toEqual(range(20).slice(5))
    expect(dead).toHaveLength(5)
    expect(dead[0]!.reason).toMatch(/gave up after 4 attempt\(s\)/)
    expect(dead[0]!.status).toBe(503)
  })

  it('case 45: maxRetryAgeMs gives up on a whole-request outage', async () => {
    const dead: DeadLetter[] = []
    const sh2 = createShipper({ ...FAST, node: 'http://127.0.0.1:9', maxRetryAgeMs: 200, onDeadLetter: (d) => dead.push(d) })
    track(sh2)
    sh2.write(logLine(1))
    await sh2.flush()
    expect(dead).toHaveLength(1)
    expect(dead[0]!.reason).toMatch(/gave up after \d+ attempt\(s\) over \d+ s: bulk request to http:\/\/127\.0\.0\.1:9\/ failed/)
    expect(sh2.stats()).toMatchObject({ accepted: 1, deadLettered: 1, delivered: 0, bufferedDocs: 0 })
  })

  it('case 46: close() sends a pending partial batch at once (interval bypassed) and reports the totals', async () => {
    const es = await sink()
    const sh = createShipper({ ...FAST, node: es.url, flushIntervalMs: 30_000 })
    for (const i of range(10)) sh.write(logLine(i))
    sh.write('garbage')
    const result = await sh.close()
    expect(result).toEqual({ delivered: 10, deadLettered: 1, undelivered: 0, leftOnDisk: 0 })
    expect(await sh.close()).toEqual(result) // idempotent
    expect(sh.write(logLine(99))).toBe(false) // closed: not accepted
    expect(seqList(es)).toEqual(range(10))
  })

  it('close() gives up at shutdownTimeoutMs and reports what is undelivered', async () => {
    const es = await sink()
    es.script = () => ({ kind: 'hang' })
    const sh = createShipper({ ...FAST, node: es.url, shutdownTimeoutMs: 300 })
    for (const i of range(10)) sh.write(logLine(i))
    const result = await sh.close()
    expect(result).toEqual({ delivered: 0, deadLettered: 0, undelivered: 10, leftOnDisk: 0 })
  })

  it('gzip compresses bodies', async () => {
    const es = await sink()
    let encoding: string | undefined
    es.script = (req) => {
      encoding = req.headers['content-encoding'] as string | undefined
      return undefined
    }
    const sh = shipper({ node: es.url, compression: 'gzip' })
    for (const i of range(100)) sh.write(logLine(i))
    await sh.flush()
    expect(encoding).toBe('gzip')
    expect(seqList(es)).toEqual(range(100))
  })

  it('fails over between nodes: one node down, everything delivered through the other', async () => {
    const es = await sink()
    const sh = shipper({ node: ['http://127.0.0.1:9', es.url], flushBytes: 2000 })
    for (const i of range(500)) sh.write(logLine(i))
    await sh.flush()
    expect(seqList(es)).toEqual(range(500))
  })

  it('TLS: trusts the given CA, refuses an unknown certificate (reported, retried), rejectUnauthorized: false accepts it', async () => {
    const tls = { key: readFileSync(new URL('./fixtures/tls-key.pem', import.meta.url)), cert: readFileSync(new URL('./fixtures/tls-cert.pem', import.meta.url)) }
    const es = await sink({ tls })
    const trusted = shipper({ node: es.url, tls: { ca: tls.cert } })
    trusted.write(logLine(0))
    await trusted.flush()
    expect(seqList(es)).toEqual([0])
    const errors: Error[] = []
    const untrusted = shipper({ node: es.url, onError: (e) => errors.push(e), shutdownTimeoutMs: 100 })
    untrusted.write(logLine(1))
    await until(() => errors.length > 0, 5000, 'a TLS error')
    expect(errors[0]).toMatchObject({ code: 'TW_SHIPPER_CONNECTION' })
    expect(untrusted.stats().delivered).toBe(0)
    const insecure = shipper({ node: es.url, tls: { rejectUnauthorized: false } })
    insecure.write(logLine(2))
    await insecure.flush()
    expect(seqList(es)).toEqual([0, 2])
  })

  it('accepts Buffers and CRLF endings; ignores empty lines', async () => {
    const es = await sink()
    const sh = shipper({ node: es.url })
    sh.write(Buffer.from(logLine(0)))
    sh.write(logLine(1).replace('\n', '\r\n'))
    sh.write('\n')
    await sh.flush()
    expect(seqList(es)).toEqual([0, 1])
    expect(sh.stats().accepted).toBe(2)
  })
})
