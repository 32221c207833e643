/**
 * The deployment users grow into: a three-node Elasticsearch 7.10.2 cluster (one JVM per node on
 * loopback, 256 MB heap each) and a shipper given all three nodes. 50,000 numbered lines stream into
 * an index with three shards and one replica during a rolling restart done the hard way: three
 * times, the node the shipper is sending a `_bulk` request to right now (the elected master when it
 * is one of them) is SIGKILLed, the stream goes on through the other two, and the node is started
 * again in place; the next round waits for green, as an operator would. The cluster elects masters
 * and promotes replicas, the shipper fails over and comes back to every restarted node. Oracle:
 * `_count` is 50,000 and a composite aggregation finds every `seq` exactly once.
 *
 * Runs in the `integration` project but uses none of the global setup's servers: its own ports
 * (below the ephemeral range), its own data directory, and `afterAll` stops the JVMs and deletes the
 * data even when the test failed.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ShipperRequestError, createShipper, ensureIndexTemplate } from '@tracewire/shipper'
import { searchServerPrerequisites, startSearchCluster, type SearchCluster } from '../support/search-server.js'

const N = 50_000
/** 2026-11-26T12:00:00Z: every line goes to one daily index. */
const TIME = 1_795_694_400

function line(seq: number): string {
  return `{"level":"info","time":${TIME},"@timestamp":"2026-11-26T12:00:00.000Z","service":"orders","message":"line ${seq}","seq":${seq}}\n`
}

async function api<T>(url: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(url, {
    method: init?.method ?? 'GET',
    headers: init?.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} -> ${res.status}: ${text.slice(0, 500)}`)
  return JSON.parse(text) as T
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `predicate`; on timeout fails saying what was awaited and where things stood. */
async function waitFor(what: string, predicate: () => boolean, timeoutMs: number, state: () => unknown): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(state())}`)
    await sleep(10)
  }
}

/**
 * Polls the cluster until one of `candidates` coordinates a `_bulk` request right now (the shipper
 * is talking to it); prefers the elected master, then a node holding a primary of `index`.
 */
async function nodeInUse(
  cluster: SearchCluster,
  candidates: number[],
  index: string,
  timeoutMs: number,
): Promise<{ victim: number; master: boolean; primaries: number }> {
  const deadline = Date.now() + timeoutMs
  const via = cluster.urls[0]!
  const master = (await api<Array<{ node: string }>>(`${via}/_cat/master?format=json`))[0]?.node
  const shards = await api<Array<{ node: string; prirep: string }>>(`${via}/_cat/shards/${index}?format=json&h=node,prirep`)
  const primaries = (name: string): number => shards.filter((s) => s.node === name && s.prirep === 'p').length
  const score = (name: string): number => (name === master ? 2 : 0) + (primaries(name) > 0 ? 1 : 0)
  const names = candidates.map((i) => cluster.nodes[i]!.name)
  while (Date.now() < deadline) {
    const tasks = await api<{ nodes?: Record<string, { name: string }> }>(`${via}/_tasks?actions=indices:data/write/bulk`)
    const busy = Object.values(tasks.nodes ?? {}).map((n) => n.name).filter((n) => names.includes(n))
    if (busy.length > 0) {
      const name = busy.sort((a, b) => score(b) - score(a))[0]!
      return { victim: cluster.nodes.findIndex((n) => n.name === name), master: name === master, primaries: primaries(name) }
    }
    await sleep(5)
  }
  throw new Error(`none of ${names.join(', ')} was coordinating a _bulk request within ${timeoutMs} ms`)
}

/** Every `seq` in the index with its number of documents, by composite aggregation pages. */
async function seqCounts(url: string, pattern: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>()
  let after: { seq: number } | undefined
  for (;;) {
    const res = await api<{ aggregations: { seqs: { after_key?: { seq: number }; buckets: Array<{ key: { seq: number }; doc_count: number }> } } }>(
      `${url}/${pattern}/_search`,
      {
        method: 'POST',
        body: {
          size: 0,
          aggs: { seqs: { composite: { size: 10_000, sources: [{ seq: { terms: { field: 'seq' } } }], ...(after ? { after } : {}) } } },
        },
      },
    )
    const { buckets, after_key } = res.aggregations.seqs
    for (const b of buckets) counts.set(b.key.seq, b.doc_count)
    if (buckets.length === 0 || !after_key) return counts
    after = after_key
  }
}

const required = process.env.CI === 'true' || process.env.CI === '1' || process.env.TRACEWIRE_REQUIRE_SEARCH_SERVERS === '1'
const prereq = searchServerPrerequisites('elasticsearch')
const deselected = process.env.TRACEWIRE_SEARCH_ENGINES !== undefined && !process.env.TRACEWIRE_SEARCH_ENGINES.split(',').map((s) => s.trim()).includes('elasticsearch')
const skipReason = !prereq.ok
  ? `${prereq.reason}: install Java 17 + Maven to run integration tests`
  : deselected
    ? 'TRACEWIRE_SEARCH_ENGINES does not include elasticsearch'
    : ''

describe('three-node Elasticsearch 7.10.2 cluster, rolling restart', () => {
  if (!prereq.ok && required) {
    // Mirrors test/support/global-setup.ts: under CI a missing Java/Maven is a failure, not a skip.
    it('has Java and Maven (required by CI / TRACEWIRE_REQUIRE_SEARCH_SERVERS)', () => {
      throw new Error(`search servers are required (CI / TRACEWIRE_REQUIRE_SEARCH_SERVERS) but cannot run: ${skipReason}`)
    })
    return
  }
  if (skipReason) {
    it.skip(`skipped: ${skipReason}`, () => {})
    return
  }

  let cluster: SearchCluster | undefined
  let startMs = 0
  beforeAll(async () => {
    const t0 = performance.now()
    cluster = await startSearchCluster({ engine: 'elasticsearch', nodes: 3, heap: '256m' })
    startMs = performance.now() - t0
  }, 180_000)
  afterAll(async () => {
    await cluster?.stop()
  }, 60_000)

  it('50,000 lines through a rolling restart by SIGKILL of the node in use: every seq arrives exactly once', async () => {
    const c = cluster!
    expect(c.version).toBe('7.10.2')
    const t0 = performance.now()
    const prefix = `rolling-${randomBytes(3).toString('hex')}`
    const index = `${prefix}-orders-20261126`
    await ensureIndexTemplate({ node: c.urls, name: prefix, indexPattern: `${prefix}-*`, numberOfShards: 3, numberOfReplicas: 1 })
    // The day's index exists and every replica is in sync before the stream starts (as in a cluster
    // that has run for a while): a node killed while a replica is still initialising takes its
    // primary's only copy with it, and that shard is red until the node is back.
    await api(`${c.urls[0]}/${index}`, { method: 'PUT' })
    await c.health({ status: 'green', timeoutMs: 60_000 })

    const errors: ShipperRequestError[] = []
    const shipper = createShipper({
      node: c.urls,
      indexPrefix: prefix,
      bufferDir: false,
      // Small batches, so that requests are in flight on the nodes when one is killed.
      flushBytes: 64 * 1024,
      flushIntervalMs: 50,
      retryWaitMs: 200,
      maxRetryIntervalMs: 2000,
      requestTimeoutMs: 20_000,
      reportDropsToStderr: false,
      onError: (e) => {
        if (e instanceof ShipperRequestError) errors.push(e)
      },
    })
    const state = (): unknown => ({ written, stats: shipper.stats(), errors: errors.slice(-3).map((e) => e.message) })
    // A steady stream (up to 2,500 lines/s) that the rounds below let through in steps.
    let written = 0
    let limit = 0
    const trickle = setInterval(() => {
      for (const end = Math.min(limit, written + 25); written < end; written++) shipper.write(line(written))
    }, 10)
    const log: string[] = []
    let cutTotal = 0
    try {
      const restarted: number[] = []
      for (let round = 0; round < 3; round++) {
        const base = round * 14_000
        limit = base + 14_000
        // Mid-stream: this round's lines are being delivered, more are coming.
        await waitFor(`line ${base + 1000} delivered`, () => shipper.stats().delivered >= base + 1000, 30_000, state)
        const pending = c.nodes.map((_, i) => i).filter((i) => !restarted.includes(i))
        const { victim, master, primaries } = await nodeInUse(c, pending, index, 20_000)
        const tKill = performance.now()
        const errorsAtKill = errors.length
        await c.kill(victim)
        const deliveredAtKill = shipper.stats().delivered
        // The stream goes on through the two other nodes.
        await waitFor('3,000 more lines delivered by two nodes', () => shipper.stats().delivered >= deliveredAtKill + 3000, 60_000, state)
        const tProgress = performance.now()
        // Requests the kill cut off mid-flight (a refused connection fails over silently inside the transport).
        const cut = errors.slice(errorsAtKill).filter((e) => e.message.includes(c.urls[victim]!) && !e.message.includes('ECONNREFUSED')).length
        cutTotal += cut
        const survivor = c.urls.find((_, i) => i !== victim)!
        expect((await api<{ number_of_nodes: number }>(`${survivor}/_cluster/health`)).number_of_nodes).toBe(2)
        await c.restart(victim)
        const tRejoined = performance.now()
        restarted.push(victim)
        // Before the next kill, every replica is back in sync (the last round checks that at the end).
        if (restarted.length < 3) await c.health({ status: 'green', timeoutMs: 60_000 })
        log.push(
          `${c.nodes[victim]!.name}${master ? ' (master)' : ''} with ${primaries} primaries killed at ${deliveredAtKill} delivered, ${cut} request(s) cut: ` +
            `+3k in ${Math.round(tProgress - tKill)} ms, rejoined ${Math.round(tRejoined - tProgress)} ms, green ${Math.round(performance.now() - tRejoined)} ms`,
        )
      }
      expect(restarted.sort()).toEqual([0, 1, 2])
      limit = N
      await waitFor('all lines written', () => written === N, 30_000, state)
      const flushed = shipper.flush()
      await waitFor('every line settled', () => shipper.stats().delivered + shipper.stats().deadLettered + shipper.stats().dropped >= N, 60_000, state)
      await flushed

      expect(shipper.stats()).toMatchObject({ accepted: N, delivered: N, deadLettered: 0, dropped: 0 })
      // The kills hit requests in flight (seen by the shipper as resets, retried elsewhere with the same
      // _ids; a retry of a request the dead node had already indexed answers 409).
      expect(cutTotal).toBeGreaterThan(0)
      for (const url of c.urls) {
        // The shipper came back to every node after its restart (the counter starts at zero with the new JVM).
        const pressure = await api<{ nodes: Record<string, { indexing_pressure: { memory: { total: { coordinating_in_bytes: number } } } }> }>(
          `${url}/_nodes/_local/stats/indexing_pressure`,
        )
        expect(Object.values(pressure.nodes)[0]!.indexing_pressure.memory.total.coordinating_in_bytes, url).toBeGreaterThan(0)
      }

      // Replicas recovered onto the last restarted node: whichever copy answers, it holds every line.
      await c.health({ status: 'green', timeoutMs: 60_000 })
      await api(`${c.urls[0]}/${index}/_refresh`, { method: 'POST' })
      expect((await api<{ count: number }>(`${c.urls[0]}/${index}/_count`)).count).toBe(N)
      const counts = await seqCounts(c.urls[0]!, index)
      const missing: number[] = []
      const duplicated: number[] = []
      for (let i = 0; i < N; i++) {
        const n = counts.get(i) ?? 0
        if (n === 0) missing.push(i)
        else if (n > 1) duplicated.push(i)
      }
      expect({ distinct: counts.size, missing: missing.slice(0, 20), duplicated: duplicated.slice(0, 20) }).toEqual({ distinct: N, missing: [], duplicated: [] })

      const mib = (b: number | undefined): string => (b === undefined ? '?' : `${Math.round(b / 1048576)} MiB`)
      const s = shipper.stats()
      console.warn(
        `[cluster] start ${Math.round(startMs)} ms; ${log.join('; ')}; test ${Math.round(performance.now() - t0)} ms; ` +
          `RSS ${c.rssBytes().map(mib).join(' / ')}; 409 on retry ${s.duplicates}, retried ${s.retried}, request errors ${errors.length}`,
      )
    } finally {
      clearInterval(trickle)
      await shipper.close()
    }
  }, 180_000)
})
