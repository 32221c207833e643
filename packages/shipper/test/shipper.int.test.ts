/**
 * The shipper against the real Elasticsearch 7.10.2 and OpenSearch 2.19 (test/support), with the
 * fault proxy in front. The oracle: N numbered lines, then `_count` and the set of `seq` values —
 * every line present exactly once.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import { describeEngines } from '../../../test/support/engines.js'
import { startFaultProxy } from '../../../test/support/fault-proxy.js'
import type { FaultProxy } from '../../../test/support/fault-proxy.js'
import { useIndexPrefix } from '../../../test/support/index-prefix.js'
import { createShipper, ensureIndexTemplate } from '../src/index.js'
import type { DeadLetter, ElasticsearchClientLike, Shipper, ShipperOptions } from '../src/index.js'
import { logLine, until } from './support/bulk-sink.js'

const FAST: Partial<ShipperOptions> = { flushIntervalMs: 50, retryWaitMs: 20, maxRetryIntervalMs: 200, reportDropsToStderr: false, bufferDir: false }

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } })
  return (await res.json()) as T
}

/** `_count` and every `seq` (with multiplicity) under `<prefix>*`. */
async function oracle(base: string, prefix: string): Promise<{ count: number; seqs: number[] }> {
  await fetch(`${base}/${prefix}*/_refresh`, { method: 'POST' })
  const { count } = await json<{ count: number }>(`${base}/${prefix}*/_count`)
  const seqs: number[] = []
  let after: unknown[] | undefined
  for (;;) {
    const page = await json<{ hits: { hits: Array<{ _source: { seq: number }; sort: unknown[] }> } }>(`${base}/${prefix}*/_search`, {
      method: 'POST',
      body: JSON.stringify({ size: 5000, _source: ['seq'], sort: [{ seq: 'asc' }, { _id: 'asc' }], ...(after ? { search_after: after } : {}) }),
    })
    if (page.hits.hits.length === 0) break
    for (const hit of page.hits.hits) seqs.push(hit._source.seq)
    after = page.hits.hits[page.hits.hits.length - 1]!.sort
  }
  return { count, seqs }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

describeEngines('shipper', (engine) => {
  const idx = useIndexPrefix(engine.url, 'ship')
  const cleanup: Array<{ close(): Promise<unknown> }> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c.close()
  })

  async function proxy(): Promise<FaultProxy> {
    const p = await startFaultProxy({ target: engine.url })
    cleanup.push(p)
    return p
  }

  function ship(options: ShipperOptions): Shipper {
    const s = createShipper({ ...FAST, indexPrefix: idx.prefix.replace(/-$/, ''), ...options })
    cleanup.push(s)
    return s
  }

  it('delivers documents exactly as Fluentd would (index name, record without time)', async () => {
    const sh = ship({ node: engine.url })
    const t = Date.UTC(2026, 10, 26, 23, 59, 59) / 1000
    sh.write(logLine(7, { timeSeconds: t, service: 'orders' }))
    await sh.flush()
    await fetch(`${engine.url}/${idx.prefix}*/_refresh`, { method: 'POST' })
    const res = await json<{ hits: { hits: Array<{ _index: string; _source: Record<string, unknown> }> } }>(`${engine.url}/${idx.prefix}*/_search`)
    expect(res.hits.hits).toHaveLength(1)
    expect(res.hits.hits[0]!._index).toBe(`${idx.prefix}orders-20261126`)
    expect(res.hits.hits[0]!._source).toEqual({ level: 'info', '@timestamp': '2026-11-26T23:59:59.000Z', service: 'orders', message: 'line 7', seq: 7 })
  })

  it('issue 9 case 1: a newline inside one write neither deletes nor indexes anything it should not; one response item per document', async () => {
    const victim = `${idx.prefix}victim`
    await fetch(`${engine.url}/${victim}/_doc/important?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"keep":true}' })
    const injections = [
      `{"delete":{"_index":"${victim}","_id":"important"}}`,
      `{"index":{"_index":"${victim}","_id":"injected"}}`,
      '{"injected":true}',
    ]
    const fragment = fc.constantFrom('\n', '\r\n', '"', '\\', '}', ...injections)
    const text = fc.array(fc.oneof(fc.string({ maxLength: 20 }), fragment, fc.constant(logLine(1).trimEnd())), { maxLength: 6 }).map((parts) => parts.join(''))
    const bytes = fc.tuple(text, fc.uint8Array({ maxLength: 8 })).map(([a, raw]) => Buffer.concat([Buffer.from(a), Buffer.from(raw)]))
    let sent = 0
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(text, bytes), { minLength: 1, maxLength: 10 }), async (writes) => {
        const sh = createShipper({ ...FAST, node: engine.url, indexPrefix: idx.prefix.replace(/-$/, '') })
        try {
          sh.write(`${logLine(1).trimEnd()}\n${injections[0]}\n`)
          for (const w of writes) sh.write(w)
          await sh.flush()
          const st = sh.stats()
          // An answer with more (or fewer) items than documents sent is TW_SHIPPER_BAD_RESPONSE.
          expect(st.lastError).toBeNull()
          expect(st.accepted).toBe(st.delivered + st.deadLettered)
          sent += st.delivered
        } finally {
          await sh.close()
        }
      }),
      { numRuns: 15 },
    )
    await fetch(`${engine.url}/${idx.prefix}*/_refresh`, { method: 'POST' })
    expect((await fetch(`${engine.url}/${victim}/_doc/important`)).status).toBe(200)
    expect((await fetch(`${engine.url}/${victim}/_doc/injected`)).status).toBe(404)
    const { count } = await json<{ count: number }>(`${engine.url}/${idx.prefix}*/_count`)
    expect(count).toBe(sent + 1) // the victim document and exactly what the shipper counted as delivered
  })

  it('issue 9 case 3: a short job (createShipper + close) delivers the backlog a run left while the server was unreachable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-int-backlog-'))
    try {
      const p = await proxy()
      await p.setMode('refuse')
      const down = ship({ node: p.url, bufferDir: dir, shutdownTimeoutMs: 1000 })
      for (const i of range(1000)) down.write(logLine(i))
      expect(await down.close()).toMatchObject({ delivered: 0, leftOnDisk: 1000 })
      const job = ship({ node: engine.url, bufferDir: dir })
      job.write(logLine(1000))
      expect(await job.close()).toMatchObject({ delivered: 1001, undelivered: 0, leftOnDisk: 0 })
      expect(job.stats().recovered).toBe(1000)
      const { count, seqs } = await oracle(engine.url, idx.prefix)
      expect(count).toBe(1001)
      expect(seqs).toEqual(range(1001))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('issue 9 case 13: a proxy answering 400 to every request is reported and backed off; the lines arrive once it heals', async () => {
    const p = await proxy()
    await p.setMode({ kind: 'status', status: 400, body: '<html>400 Bad Request</html>' })
    const errors: Array<Error & { code?: string; status?: number | null }> = []
    const sh = ship({ node: p.url, retryWaitMs: 300, maxRetryIntervalMs: 300, retryRandomize: false, onError: (e) => errors.push(e) })
    for (const i of range(64)) sh.write(logLine(i))
    await until(() => errors.length >= 3, 10_000, 'three reported 400s')
    // Without a backoff, halving sent all 127 requests at once and dead-lettered every line.
    expect(sh.stats().deadLettered).toBe(0)
    expect(errors[0]).toMatchObject({ code: 'TW_SHIPPER_HTTP_STATUS', status: 400 })
    await p.setMode('pass')
    await sh.flush()
    expect(sh.stats()).toMatchObject({ delivered: 64, bufferedDocs: 0 })
    const { count, seqs } = await oracle(engine.url, idx.prefix)
    expect(count).toBe(64)
    expect(seqs).toEqual(range(64))
  })

  it('oracle: outages, 429 storms, per-item 429/503, resets, lost answers and 413s: every line exactly once', async () => {
    const p = await proxy()
    const sh = ship({ node: p.url, flushBytes: 64 * 1024, requestTimeoutMs: 1500, maxConcurrentRequests: 3 })
    const N = 12_000
    const modes: Parameters<FaultProxy['setMode']>[0][] = [
      'refuse',
      { kind: 'status', status: 429, times: 5 },
      { kind: 'bulk-item-errors', items: (i) => (i % 7 === 0 ? 429 : i % 11 === 0 ? 503 : undefined), times: 4 },
      { kind: 'reset-mid-body', phase: 'response', times: 3 },
      { kind: 'reset-mid-body', phase: 'request', times: 2 },
      { kind: 'forward-then-delay', times: 2 },
      { kind: 'status', status: 503, times: 3 },
      { kind: 'max-body', maxBytes: 16 * 1024, times: 6 },
      'pass',
    ]
    let written = 0
    for (const mode of modes) {
      await p.setMode(mode)
      const target = Math.min(N, written + N / modes.length)
      while (written < target) sh.write(logLine(written++))
      await new Promise((r) => setTimeout(r, mode === 'refuse' ? 500 : 300))
      if (mode === 'refuse') await p.setMode('pass')
    }
    while (written < N) sh.write(logLine(written++))
    await p.setMode('pass')
    await sh.flush()
    const st = sh.stats()
    expect(st).toMatchObject({ accepted: N, delivered: N, deadLettered: 0, dropped: 0, bufferedDocs: 0 })
    expect(st.retried).toBeGreaterThan(0)
    const { count, seqs } = await oracle(engine.url, idx.prefix)
    expect(count).toBe(N)
    expect(seqs).toEqual(range(N))
  })

  it('case 50 (short): random faults every 100 ms while writing 20 000 lines: every line exactly once', async () => {
    const p = await proxy()
    const sh = ship({ node: p.url, flushBytes: 32 * 1024, requestTimeoutMs: 1000, maxConcurrentRequests: 4 })
    // A seeded generator: a failure can be replayed from the seed in the assertion message.
    let seed = Date.now() % 100_000
    const seedUsed = seed
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    const modes: Array<() => Parameters<FaultProxy['setMode']>[0]> = [
      () => 'pass',
      () => 'refuse',
      () => ({ kind: 'status', status: random() < 0.5 ? 429 : 503, times: 1 + Math.floor(random() * 3) }),
      () => ({ kind: 'bulk-item-errors', items: () => (random() < 0.1 ? (random() < 0.5 ? 429 : 503) : undefined), times: 2 }),
      () => ({ kind: 'reset-mid-body', phase: random() < 0.5 ? 'request' : 'response', times: 1 }),
      () => ({ kind: 'forward-then-delay', times: 1 }),
      () => ({ kind: 'latency', ms: 50 + Math.floor(random() * 200), times: 3 }),
      () => ({ kind: 'max-body', maxBytes: 8 * 1024, times: 2 }),
    ]
    const N = 20_000
    let written = 0
    while (written < N) {
      await p.setMode(modes[Math.floor(random() * modes.length)]!())
      const until = Math.min(N, written + 400)
      while (written < until) sh.write(logLine(written++))
      await new Promise((r) => setTimeout(r, 100))
      const st = sh.stats()
      expect(st.inFlight).toBeLessThanOrEqual(4)
      expect(st.accepted).toBe(st.delivered + st.deadLettered + st.dropped + st.bufferedDocs)
    }
    await p.setMode('pass')
    await sh.flush()
    expect(sh.stats(), `seed ${seedUsed}`).toMatchObject({ accepted: N, delivered: N, deadLettered: 0, dropped: 0 })
    const { count, seqs } = await oracle(engine.url, idx.prefix)
    expect(count, `seed ${seedUsed}`).toBe(N)
    expect(seqs).toEqual(range(N))
  })

  it('case 34/43: a mapping conflict is dead-lettered with the server reason; the rest is delivered', async () => {
    const dead: DeadLetter[] = []
    const sh = ship({ node: engine.url, onDeadLetter: (d) => dead.push(d) })
    sh.write(logLine(0, { extra: ',"status":"ok"' }))
    await sh.flush()
    sh.write(logLine(1, { extra: ',"status":{"code":1}' }))
    sh.write(logLine(2))
    await sh.flush()
    expect(dead).toHaveLength(1)
    expect(dead[0]!.status).toBe(400)
    expect(dead[0]!.reason).toMatch(/mapper_parsing_exception/)
    expect(JSON.parse(dead[0]!.document)).toMatchObject({ seq: 1 })
    const { seqs } = await oracle(engine.url, idx.prefix)
    expect(seqs).toEqual([0, 2])
  })

  it('case 43: a document over the 1000-field mapping limit is dead-lettered with the reason, not retried', async () => {
    const dead: DeadLetter[] = []
    const sh = ship({ node: engine.url, onDeadLetter: (d) => dead.push(d) })
    const wide = Array.from({ length: 1100 }, (_, i) => `"f${i}":${i}`).join(',')
    sh.write(logLine(0))
    sh.write(logLine(1, { extra: `,"wide":{${wide}}` }))
    await sh.flush()
    expect(dead).toHaveLength(1)
    expect(dead[0]!.status).toBe(400)
    expect(dead[0]!.reason).toMatch(/Limit of total fields \[1000\]/)
    expect(sh.stats()).toMatchObject({ delivered: 1, deadLettered: 1, retried: 0 })
  })

  it('gzip bodies are accepted', async () => {
    const sh = ship({ node: engine.url, compression: 'gzip' })
    for (const i of range(500)) sh.write(logLine(i))
    await sh.flush()
    expect((await oracle(engine.url, idx.prefix)).seqs).toEqual(range(500))
  })

  it('case 46: close() flushes pending lines within the deadline', async () => {
    const sh = createShipper({ ...FAST, indexPrefix: idx.prefix.replace(/-$/, ''), node: engine.url, flushIntervalMs: 30_000 })
    for (const i of range(300)) sh.write(logLine(i))
    expect(await sh.close()).toEqual({ delivered: 300, deadLettered: 0, undelivered: 0, leftOnDisk: 0 })
    expect((await oracle(engine.url, idx.prefix)).count).toBe(300)
  })

  it('case 44: 10x overload while the server is down: memory bounded, then the newest lines delivered', async () => {
    const p = await proxy()
    await p.setMode('refuse')
    const sh = ship({ node: p.url, maxBufferBytes: 200_000 })
    let peak = 0
    const N = Math.ceil((10 * 200_000) / logLine(0).length)
    for (const i of range(N)) {
      sh.write(logLine(i))
      peak = Math.max(peak, sh.stats().bufferedBytes)
    }
    expect(peak).toBeLessThanOrEqual(200_000)
    const kept = sh.stats().bufferedDocs
    await p.setMode('pass')
    await sh.flush()
    const { seqs } = await oracle(engine.url, idx.prefix)
    expect(seqs).toEqual(range(N).slice(N - kept))
    expect(sh.stats().dropped).toBe(N - kept)
  })

  it('ensureIndexTemplate installs the fluentd-* mappings the documents then get', async () => {
    const result = await ensureIndexTemplate({ node: engine.url, name: idx.name('tpl'), indexPattern: `${idx.prefix}*`, numberOfReplicas: 0, nori: 'auto' })
    expect(result.kind).toBe(engine.name === 'elasticsearch' ? 'legacy' : 'composable')
    const again = await ensureIndexTemplate({ node: engine.url, name: idx.name('tpl'), indexPattern: `${idx.prefix}*`, numberOfReplicas: 0 })
    expect(again.kind).toBe(result.kind)
    const sh = ship({ node: engine.url })
    sh.write(logLine(1, { extra: ',"trace_id":"0af7651916cd43dd8448eb211c80319c"' }))
    await sh.flush()
    const mapping = await json<Record<string, { mappings: { properties: Record<string, { type: string; fields?: unknown }> } }>>(`${engine.url}/${idx.prefix}*/_mapping`)
    const props = Object.values(mapping)[0]!.mappings.properties
    expect(props['@timestamp']!.type).toBe('date')
    for (const f of ['level', 'service', 'trace_id']) expect(props[f]!.type).toBe('keyword')
    expect(props.message).toMatchObject({ type: 'text', fields: { keyword: { type: 'keyword' } } })
    const settings = await json<Record<string, { settings: { index: { number_of_replicas: string } } }>>(`${engine.url}/${idx.prefix}*/_settings`)
    expect(Object.values(settings)[0]!.settings.index.number_of_replicas).toBe('0')
  })

  it.each(['exit', 'sigterm'])('createLogger({ elasticsearch }) in a child process (%s): every line in the index once the process is gone', async (how) => {
    const child = fileURLToPath(new URL('./fixtures/logger-child.mjs', import.meta.url))
    const code = await new Promise<number | null>((resolve, reject) => {
      const p = spawn(process.execPath, [child, engine.url, '2000', how, idx.prefix.replace(/-$/, '')], { stdio: ['ignore', 'pipe', 'inherit'] })
      p.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('logged')) p.kill('SIGTERM')
      })
      p.on('error', reject)
      p.on('exit', (c, signal) => resolve(c ?? (signal ? -1 : null)))
    })
    expect(code === 0 || how === 'sigterm').toBe(true)
    const { count, seqs } = await oracle(engine.url, idx.prefix)
    expect(count).toBe(2000)
    expect(seqs).toEqual(range(2000))
  })

  it('client option: ships through a real @elastic/elasticsearch 7.13 client (the last that accepts OSS builds and OpenSearch)', async () => {
    // 7.13's package.json has no "types" under exports for NodeNext: load it as the CommonJS it is.
    const { Client } = createRequire(import.meta.url)('@elastic/elasticsearch') as {
      Client: new (options: { node: string }) => ElasticsearchClientLike & { close(): Promise<void> }
    }
    const client = new Client({ node: engine.url })
    cleanup.push(client)
    const sh = ship({ client: client as unknown as ElasticsearchClientLike })
    for (const i of range(300)) sh.write(logLine(i))
    sh.write(logLine(300, { extra: ',"http":"not an object"' }))
    sh.write(logLine(301, { extra: ',"http":{"status":1}' }))
    await sh.flush()
    const st = sh.stats()
    expect(st.delivered + st.deadLettered).toBe(302)
    expect(st.deadLettered).toBe(1)
    expect((await oracle(engine.url, idx.prefix)).count).toBe(301)
    await ensureIndexTemplate({ client: client as unknown as ElasticsearchClientLike, name: idx.name('tplc'), indexPattern: `${idx.prefix}*` })
  })

  it('composable templates can be forced where supported', async () => {
    const result = await ensureIndexTemplate({ node: engine.url, name: idx.name('tpl2'), indexPattern: `${idx.prefix}*`, api: 'composable' })
    expect(result.kind).toBe('composable')
  })
})
