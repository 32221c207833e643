// The reference deployment's route for real: lines from `createLogger` in files → Fluentd 1.16 (`in_tail`,
// `format json`) → fluent-plugin-elasticsearch → Elasticsearch 7.10.2, with examples/stack/fluentd/fluent.conf
// itself (templated for host, port and paths only). Then the same lines through @tracewire/shipper into
// another prefix: the proof behind "the shipper writes what Fluentd would" (docs/FORMAT.md).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { createLogger } from '@tracewire/logger'
import { createShipper } from '@tracewire/shipper'
import { startTraceContext, withTraceContext } from '@tracewire/tracing'
import { stackFluentConf, startFluentd, type RunningFluentd } from '../support/fluentd.js'
import { deleteByPrefix } from '../support/index-prefix.js'
import { allDocuments, describePipeline, indexNames, pollUntil, type IndexedDocument } from '../support/pipeline.js'

type Line = Record<string, unknown> & { time: number; service: string; seq: number }

/** FORMAT.md: the document is the line without `time`, in `fluentd-<service>-<UTC YYYYMMDD of time>`. */
const utcDay = (time: number): string => new Date(time * 1000).toISOString().slice(0, 10).replaceAll('-', '')
const withoutTime = ({ time: _time, ...rest }: Line): Record<string, unknown> => rest
const key = (source: Record<string, unknown>): string => `${String(source.service)}#${String(source.seq)}`

describePipeline('the sidecar route: examples/stack/fluentd/fluent.conf on the real Fluentd into Elasticsearch 7.10.2', ({ runner, elasticsearch }) => {
  const run = randomBytes(3).toString('hex')
  // Services unique to this run: the stack's index_name is fluentd-${service}-%Y%m%d and is not templated.
  const services = { orders: `pl${run}-orders`, payments: `pl${run}-payments` }
  const sidecarPrefix = `fluentd-pl${run}-`
  const directIndexPrefix = `direct${run}`
  const workDir = mkdtempSync(join(tmpdir(), 'tracewire-pipeline-'))
  const logDir = join(workDir, 'log')
  const stateDir = join(workDir, 'state')
  let fluentd: RunningFluentd | undefined
  let raw: string[] = []
  let lines: Line[] = []
  let sidecar: IndexedDocument[] = []
  let traceId = ''

  beforeAll(async () => {
    mkdirSync(logDir, { recursive: true })
    mkdirSync(stateDir, { recursive: true })
    fluentd = await startFluentd({ runner, config: stackFluentConf({ logDir, stateDir, elasticsearchUrl: elasticsearch.url }), workDir })

    const files = { orders: join(logDir, `${services.orders}.log`), payments: join(logDir, `${services.payments}.log`) }
    const orders = createLogger({ service: services.orders, file: files.orders, handleExit: false })
    const payments = createLogger({ service: services.payments, file: files.payments, handleExit: false })
    const trace = startTraceContext()
    traceId = trace.traceId
    withTraceContext(trace, () => {
      orders.info({ seq: 1, item: 'coffee', amount: 4 }, 'order received')
      const declined = Object.assign(new Error('card declined: 900 is above the limit of 500', { cause: new RangeError('limit 500') }), { code: 'E_DECLINED' })
      payments.error({ seq: 2, err: declined }, 'payment failed')
    })
    orders.warn({ seq: 3, note: 'a "quoted"\nsecond line\u2028, tabs\t, ünïcödé 🚀', nested: { a: [1, 2], b: { c: null } } }, 'odd characters stay in one line')
    // A line just before UTC midnight and one at midnight: the index follows the line's own UTC date.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(new Date('2026-11-26T23:59:59.999Z'))
      orders.info({ seq: 4 }, 'just before UTC midnight')
      vi.setSystemTime(new Date('2026-11-27T00:00:00.000Z'))
      orders.info({ seq: 5 }, 'UTC midnight')
    } finally {
      vi.useRealTimers()
    }
    for (let seq = 6; seq < 306; seq++) (seq % 2 === 0 ? orders : payments).info({ seq, pad: 'x'.repeat(seq % 97) }, 'bulk line')
    await Promise.all([orders.close(), payments.close()])
    raw = Object.values(files).flatMap((f) => readFileSync(f, 'utf8').trimEnd().split('\n'))
    lines = raw.map((l) => JSON.parse(l) as Line)

    // No forced flush: the stack's config must deliver on its own within its 5 s flush interval.
    sidecar = await pollUntil(() => allDocuments(elasticsearch.url, `${sidecarPrefix}*`), (docs) => docs.length >= lines.length, 45_000)
  }, 120_000)

  afterAll(async () => {
    await fluentd?.stop()
    await deleteByPrefix(elasticsearch.url, sidecarPrefix)
    await deleteByPrefix(elasticsearch.url, `${directIndexPrefix}-`)
    rmSync(workDir, { recursive: true, force: true })
  })

  it('indexes every line exactly once, as written minus time, in fluentd-<service>-<UTC date of time>', () => {
    expect(lines).toHaveLength(305)
    // Elasticsearch's rejections reach only Fluentd's log ("dump an error event"): show them when they happen.
    expect(fluentd?.output()).not.toContain('dump an error event')
    const fluentdWarnings = (fluentd?.output() ?? '').split('\n').filter((l) => /\[(warn|error)\]/.test(l)).join('\n')
    expect(sidecar.length, `documents for ${lines.length} lines; Fluentd's warnings:\n${fluentdWarnings}`).toBe(lines.length)
    const bySeq = new Map(sidecar.map((d) => [key(d._source), d]))
    expect(bySeq.size).toBe(lines.length) // no line twice
    for (const line of lines) {
      const doc = bySeq.get(key(line))
      expect(doc, `line ${line.seq}`).toBeDefined()
      expect(doc?._index).toBe(`fluentd-${line.service}-${utcDay(line.time)}`)
      // Same fields, values and order: level, @timestamp, service, message, trace ids, host, pid, fields.
      expect(JSON.stringify(doc?._source)).toBe(JSON.stringify(withoutTime(line)))
    }
  })

  it('keeps trace ids, the error object and odd characters intact', () => {
    const get = (seq: number): Record<string, unknown> | undefined => sidecar.find((d) => d._source.seq === seq)?._source
    expect(get(1)).toMatchObject({ level: 'info', service: services.orders, message: 'order received', trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) })
    expect(get(2)).toMatchObject({
      level: 'error',
      service: services.payments,
      trace_id: traceId,
      err: { type: 'Error', message: 'card declined: 900 is above the limit of 500', code: 'E_DECLINED', stack: expect.stringContaining('card declined'), cause: { type: 'RangeError', message: 'limit 500' } },
    })
    expect(get(3)?.note).toBe('a "quoted"\nsecond line\u2028, tabs\t, ünïcödé 🚀')
  })

  it('puts a line written at 23:59:59.999 UTC in the earlier day and one at 00:00:00.000 in the next', () => {
    const indexOf = (seq: number): string | undefined => sidecar.find((d) => d._source.seq === seq)?._index
    expect(indexOf(4)).toBe(`fluentd-${services.orders}-20261126`)
    expect(indexOf(5)).toBe(`fluentd-${services.orders}-20261127`)
  })

  it('creates no other index: no fluentd--* from Fluentd’s own events, which go to its stdout instead', async () => {
    const today = utcDay(lines.find((l) => l.seq === 1)?.time ?? 0)
    const expected = [...new Set(lines.map((l) => `fluentd-${l.service}-${utcDay(l.time)}`))].sort()
    expect(expected).toContain(`fluentd-${services.payments}-${today}`)
    expect(await indexNames(elasticsearch.url, `${sidecarPrefix}*`)).toEqual(expected)
    expect(await indexNames(elasticsearch.url, 'fluentd--*')).toEqual([])
    // The <label @FLUENT_LOG> route: Fluentd's own events printed, e.g. the tail it follows.
    expect(fluentd?.output()).toMatch(/fluent\.info: \{.*following tail of/)
  })

  it('writes no @log_name (the reference config wrote "@log_name": null on every document)', () => {
    for (const doc of sidecar) expect(doc._source).not.toHaveProperty('@log_name')
  })

  it('the same lines through @tracewire/shipper give identical documents and index names', async () => {
    const shipper = createShipper({ node: elasticsearch.url, indexPrefix: directIndexPrefix, bufferDir: false, flushIntervalMs: 50, reportDropsToStderr: false })
    for (const line of raw) shipper.write(`${line}\n`) // byte for byte what Fluentd read
    await shipper.flush()
    await shipper.close()
    const direct = await allDocuments(elasticsearch.url, `${directIndexPrefix}-*`)
    expect(direct).toHaveLength(sidecar.length)
    const directByKey = new Map(direct.map((d) => [key(d._source), d]))
    for (const doc of sidecar) {
      const twin = directByKey.get(key(doc._source))
      expect(twin, key(doc._source)).toBeDefined()
      expect(JSON.stringify(twin?._source)).toBe(JSON.stringify(doc._source))
      expect(twin?._index.replace(`${directIndexPrefix}-`, 'fluentd-')).toBe(doc._index)
    }
  })
})
