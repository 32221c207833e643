/**
 * `tracewire setup` against loopback servers that answer with the documented API shapes of
 * Kibana 7.10 (saved objects), OpenDistro alerting 1.13 (ES 7.10.2) and OpenSearch 2.19 alerting +
 * notifications. Real Kibana and the alerting plugins cannot run here (see the README); the index
 * template step runs against the real embedded engines in cli.int.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ALERT_MESSAGE_TEMPLATE, errorMonitorBody } from '../src/alerting.js'
import { alertingFlavor } from '../src/engine.js'
import { CliError } from '../src/errors.js'
import { runCli } from '../src/run.js'
import { runSetup, type EnsureIndexTemplate } from '../src/setup-command.js'
import { captureIo, startFakeServer, type FakeReply, type FakeServer, type RecordedRequest } from './cli-fake-server.js'

const WEBHOOK = 'https://hooks.slack.example/services/T000/B000/SECRETTOKEN'

const servers: FakeServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start(handler: (req: RecordedRequest) => FakeReply): Promise<FakeServer> {
  const server = await startFakeServer(handler)
  servers.push(server)
  return server
}

interface TemplateCall {
  node: string
  auth?: unknown
  name?: string
  indexPattern?: string
  requestTimeoutMs?: number
  numberOfReplicas?: number
}
function templateStub(calls: TemplateCall[]): EnsureIndexTemplate {
  return (async (options: TemplateCall) => {
    calls.push(options)
    return { kind: 'legacy', name: 'tracewire' }
  }) as unknown as EnsureIndexTemplate
}

/** Kibana 7.10 saved-objects API: refuses writes without kbn-xsrf, echoes the object. */
function fakeKibana(store: Map<string, unknown>) {
  return (req: RecordedRequest): FakeReply => {
    const m = /^\/api\/saved_objects\/([a-z-]+)\/([^?]+)\?overwrite=true$/.exec(req.path)
    if (req.method !== 'POST' || !m) return { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'Not Found' } }
    if (req.headers['kbn-xsrf'] === undefined) {
      return { status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'Request must contain a kbn-xsrf header.' } }
    }
    const body = req.body as { attributes: unknown; references?: unknown[] }
    store.set(`${m[1]}/${m[2]}`, body)
    return { status: 200, body: { id: m[2], type: m[1], attributes: body.attributes, references: body.references ?? [], version: 'WzEsMV0=', updated_at: '2026-11-26T12:00:00.000Z' } }
  }
}

/**
 * The monitor part of the alerting API, the same on OpenDistro and OpenSearch apart from the base
 * path and the create status. The config index exists only after the first alerting object was
 * written; before that `_search` answers 404 index_not_found.
 */
function monitorApi(
  req: RecordedRequest,
  path: string,
  base: string,
  monitors: Map<string, Record<string, unknown>>,
  nextSeq: () => number,
  createdStatus: number,
  configIndexExists: () => boolean,
): FakeReply | undefined {
  if (req.method === 'POST' && path === `${base}/monitors/_search`) {
    if (!configIndexExists()) {
      return { status: 404, body: { error: { type: 'index_not_found_exception', reason: 'no such index [.opendistro-alerting-config]' }, status: 404 } }
    }
    const hits = [...monitors.entries()].map(([id, monitor]) => ({ _index: '.opendistro-alerting-config', _id: id, _score: 1, _source: { monitor } }))
    return { status: 200, body: { hits: { total: { value: hits.length, relation: 'eq' }, hits } } }
  }
  if (req.method === 'POST' && path === `${base}/monitors`) {
    const seq = nextSeq()
    const id = `mon${seq}`
    monitors.set(id, req.body as Record<string, unknown>)
    return { status: createdStatus, body: { _id: id, _version: 1, _seq_no: seq, _primary_term: 1, monitor: req.body } }
  }
  const id = path.startsWith(`${base}/monitors/`) ? path.slice(`${base}/monitors/`.length) : undefined
  if (req.method === 'PUT' && id && monitors.has(id)) {
    monitors.set(id, req.body as Record<string, unknown>)
    return { status: 200, body: { _id: id, _version: 2, _seq_no: nextSeq(), _primary_term: 1, monitor: req.body } }
  }
  return undefined
}

/** OpenDistro alerting 1.13 on ES 7.10.2 (OSS), with the config index created on the first write. */
function fakeOpenDistro() {
  const destinations = new Map<string, Record<string, unknown>>()
  const monitors = new Map<string, Record<string, unknown>>()
  let seq = 0
  return (req: RecordedRequest): FakeReply => {
    const path = req.path.split('?')[0] ?? ''
    if (req.method === 'GET' && path === '/') {
      return { status: 200, body: { name: 'node-1', version: { number: '7.10.2', build_flavor: 'oss', lucene_version: '8.7.0' }, tagline: 'You Know, for Search' } }
    }
    if (req.method === 'GET' && path === '/_cat/plugins') {
      return { status: 200, body: [{ name: 'node-1', component: 'opendistro-job-scheduler', version: '1.13.0.0' }, { name: 'node-1', component: 'opendistro-alerting', version: '1.13.1.0' }] }
    }
    if (req.method === 'GET' && path === '/_opendistro/_alerting/destinations') {
      const list = [...destinations.entries()].map(([id, d]) => ({ id, schema_version: 3, seq_no: 0, primary_term: 1, last_update_time: 1, ...d }))
      return { status: 200, body: { totalDestinations: list.length, destinations: list } }
    }
    if (req.method === 'POST' && path === '/_opendistro/_alerting/destinations') {
      const id = `dest${++seq}`
      destinations.set(id, req.body as Record<string, unknown>)
      return { status: 201, body: { _id: id, _version: 1, _seq_no: seq, _primary_term: 1, destination: req.body } }
    }
    const dest = /^\/_opendistro\/_alerting\/destinations\/(.+)$/.exec(path)
    if (req.method === 'PUT' && dest?.[1] && destinations.has(dest[1])) {
      destinations.set(dest[1], req.body as Record<string, unknown>)
      return { status: 200, body: { _id: dest[1], _version: 2, _seq_no: ++seq, _primary_term: 1, destination: req.body } }
    }
    const monitorReply = monitorApi(req, path, '/_opendistro/_alerting', monitors, () => ++seq, 201, () => monitors.size > 0 || destinations.size > 0)
    if (monitorReply) return monitorReply
    return { status: 400, body: { error: { type: 'illegal_argument_exception', reason: `no handler for ${req.method} ${path}` }, status: 400 } }
  }
}

/** OpenSearch 2.19 with the alerting and notifications plugins. */
function fakeOpenSearch() {
  const configs = new Map<string, Record<string, unknown>>()
  const monitors = new Map<string, Record<string, unknown>>()
  let seq = 0
  return (req: RecordedRequest): FakeReply => {
    const path = req.path.split('?')[0] ?? ''
    if (req.method === 'GET' && path === '/') {
      return { status: 200, body: { name: 'node-1', version: { distribution: 'opensearch', number: '2.19.1', lucene_version: '9.12.1' }, tagline: 'The OpenSearch Project: https://opensearch.org/' } }
    }
    if (req.method === 'GET' && path === '/_cat/plugins') {
      return {
        status: 200,
        body: ['opensearch-alerting', 'opensearch-job-scheduler', 'opensearch-notifications', 'opensearch-notifications-core'].map((component) => ({ name: 'node-1', component, version: '2.19.1.0' })),
      }
    }
    const cfg = /^\/_plugins\/_notifications\/configs\/(.+)$/.exec(path)
    if (req.method === 'GET' && cfg?.[1]) {
      const config = configs.get(cfg[1])
      if (!config) return { status: 404, body: { error: { root_cause: [], type: 'status_exception', reason: `NotificationConfig ${cfg[1]} not found` }, status: 404 } }
      return { status: 200, body: { start_index: 0, total_hits: 1, total_hit_relation: 'eq', config_list: [{ config_id: cfg[1], last_updated_time_ms: 1, created_time_ms: 1, config }] } }
    }
    if (req.method === 'POST' && path === '/_plugins/_notifications/configs') {
      const body = req.body as { config_id: string; config: Record<string, unknown> }
      configs.set(body.config_id, body.config)
      return { status: 200, body: { config_id: body.config_id } }
    }
    if (req.method === 'PUT' && cfg?.[1] && configs.has(cfg[1])) {
      configs.set(cfg[1], (req.body as { config: Record<string, unknown> }).config)
      return { status: 200, body: { config_id: cfg[1] } }
    }
    const monitorReply = monitorApi(req, path, '/_plugins/_alerting', monitors, () => ++seq, 200, () => monitors.size > 0)
    if (monitorReply) return monitorReply
    return { status: 400, body: { error: { type: 'illegal_argument_exception', reason: `no handler for ${req.method} ${path}` }, status: 400 } }
  }
}

function writes(server: FakeServer): string[] {
  return server.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/_search')).map((r) => `${r.method} ${r.path.split('?')[0]}`)
}

describe('tracewire setup --json and --replicas', () => {
  it('--json prints one JSON summary of every step on stdout and no text lines', async () => {
    const kibana = await start(fakeKibana(new Map()))
    const es = await start(fakeOpenDistro())
    const calls: TemplateCall[] = []
    const io = captureIo()
    const args = ['--es', es.url, '--kibana', kibana.url, '--alert-slack-webhook', WEBHOOK, '--replicas', '0', '--json']
    expect(await runSetup(args, io, { ensureIndexTemplate: templateStub(calls) })).toBe(0)
    expect(JSON.parse(io.out)).toEqual({
      template: { name: 'tracewire', kind: 'legacy', node: es.url, index_pattern: 'fluentd-*', replicas: 0 },
      kibana: { url: kibana.url, schema: 'default', saved: ['index-pattern/tracewire-fluentd', 'search/tracewire-errors', 'search/tracewire-trace'] },
      alerting: {
        flavor: 'opendistro',
        channel_kind: 'destination',
        channel_id: 'dest1',
        channel_action: 'created',
        monitor: { name: 'tracewire-error-logs', id: 'mon2', action: 'created', interval_minutes: 5 },
      },
    })
    expect(io.out).not.toContain('SECRETTOKEN')
    expect(io.err).toBe('')
  })

  it('--json reports the steps not asked for as null', async () => {
    const io = captureIo()
    expect(await runSetup(['--es', 'http://127.0.0.1:9', '--json'], io, { ensureIndexTemplate: templateStub([]) })).toBe(0)
    expect(JSON.parse(io.out)).toEqual({
      template: { name: 'tracewire', kind: 'legacy', node: 'http://127.0.0.1:9', index_pattern: 'fluentd-*', replicas: null },
      kibana: null,
      alerting: null,
    })
  })

  it('--replicas N becomes the template\'s number_of_replicas and is named in the text output', async () => {
    const calls: TemplateCall[] = []
    const io = captureIo()
    expect(await runSetup(['--es', 'http://127.0.0.1:9', '--replicas', '0'], io, { ensureIndexTemplate: templateStub(calls) })).toBe(0)
    expect(calls[0]).toMatchObject({ numberOfReplicas: 0 })
    expect(io.out).toBe('index template: tracewire (legacy, 0 replicas) installed on http://127.0.0.1:9\n')
    const none: TemplateCall[] = []
    await runSetup(['--es', 'http://127.0.0.1:9'], captureIo(), { ensureIndexTemplate: templateStub(none) })
    expect(none[0]).not.toHaveProperty('numberOfReplicas')
  })

  it.each([
    ['-1', '--replicas: must be a whole number from 0 to 64, received "-1"'],
    ['one', '--replicas: must be a whole number from 0 to 64, received "one"'],
    ['1.5', '--replicas: must be a whole number from 0 to 64, received "1.5"'],
    ['65', '--replicas: must be from 0 to 64, received 65'],
    ['', '--replicas: must be a whole number from 0 to 64, received ""'],
  ])('refuses --replicas %j before any request (exit 2)', async (value, message) => {
    const io = captureIo()
    // Port 9 (discard) has no server: a request would end in exit 3, not 2.
    expect(await runCli(['setup', '--es', 'http://127.0.0.1:9', '--replicas', value], io)).toBe(2)
    expect(io.err).toBe(`tracewire: ${message} (see "tracewire setup --help")\n`)
  })
})

describe('tracewire setup: index template', () => {
  it('calls ensureIndexTemplate with the node and credentials and reports the template', async () => {
    const calls: TemplateCall[] = []
    const io = captureIo({ ES_USERNAME: 'elastic', ES_PASSWORD: 'pw' })
    expect(await runSetup(['--es', 'http://127.0.0.1:9/'], io, { ensureIndexTemplate: templateStub(calls) })).toBe(0)
    expect(calls).toEqual([{ node: 'http://127.0.0.1:9', auth: { username: 'elastic', password: 'pw' }, indexPattern: 'fluentd-*', requestTimeoutMs: 30_000 }])
    expect(io.out).toBe('index template: tracewire (legacy) installed on http://127.0.0.1:9\n')
  })

  it('is a usage error (exit 2) without --es or ES_URL', async () => {
    const io = captureIo()
    expect(await runCli(['setup'], io)).toBe(2)
    expect(io.err).toBe('tracewire: setup: needs the Elasticsearch URL (give --es URL or set ES_URL)\n')
  })
})

describe('tracewire setup --kibana', () => {
  it('saves the index pattern and both saved searches with kbn-xsrf, and again in place on a re-run', async () => {
    const store = new Map<string, unknown>()
    const kibana = await start(fakeKibana(store))
    const calls: TemplateCall[] = []
    for (let run = 0; run < 2; run++) {
      const io = captureIo()
      expect(await runSetup(['--es', 'http://127.0.0.1:9', '--kibana', kibana.url], io, { ensureIndexTemplate: templateStub(calls) })).toBe(0)
      expect(io.out).toContain('kibana: index-pattern/tracewire-fluentd, search/tracewire-errors, search/tracewire-trace saved')
    }
    expect(kibana.requests.map((r) => r.path)).toEqual(
      [0, 1].flatMap(() => [
        '/api/saved_objects/index-pattern/tracewire-fluentd?overwrite=true',
        '/api/saved_objects/search/tracewire-errors?overwrite=true',
        '/api/saved_objects/search/tracewire-trace?overwrite=true',
      ]),
    )
    expect([...store.keys()].sort()).toEqual(['index-pattern/tracewire-fluentd', 'search/tracewire-errors', 'search/tracewire-trace'])
    expect(store.get('index-pattern/tracewire-fluentd')).toEqual({ attributes: { title: 'fluentd-*', timeFieldName: '@timestamp' } })

    const errors = store.get('search/tracewire-errors') as { attributes: { kibanaSavedObjectMeta: { searchSourceJSON: string }; sort: unknown }; references: unknown }
    const source = JSON.parse(errors.attributes.kibanaSavedObjectMeta.searchSourceJSON) as Record<string, unknown>
    expect(source).toEqual({ query: { query: 'level:error', language: 'kuery' }, filter: [], indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index' })
    expect(errors.references).toEqual([{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: 'tracewire-fluentd' }])
    const trace = store.get('search/tracewire-trace') as { attributes: { kibanaSavedObjectMeta: { searchSourceJSON: string }; sort: unknown } }
    expect(JSON.parse(trace.attributes.kibanaSavedObjectMeta.searchSourceJSON)).toMatchObject({ query: { query: 'trace_id:*', language: 'kuery' } })
    expect(trace.attributes.sort).toEqual([['@timestamp', 'asc']])
  })

  it('--schema ecs: the saved searches query and show the ECS field names (log.level, service.name, trace.id)', async () => {
    const store = new Map<string, unknown>()
    const kibana = await start(fakeKibana(store))
    const io = captureIo()
    expect(await runSetup(['--es', 'http://127.0.0.1:9', '--kibana', kibana.url, '--schema', 'ecs'], io, { ensureIndexTemplate: templateStub([]) })).toBe(0)
    expect(io.out).toContain('search/tracewire-trace saved on')
    expect(io.out).toContain('(ecs field names)')
    type Search = { attributes: { columns: string[]; description: string; kibanaSavedObjectMeta: { searchSourceJSON: string } } }
    const query = (id: string): unknown => (JSON.parse((store.get(id) as Search).attributes.kibanaSavedObjectMeta.searchSourceJSON) as { query: unknown }).query
    expect(query('search/tracewire-errors')).toEqual({ query: 'log.level:error', language: 'kuery' })
    expect((store.get('search/tracewire-errors') as Search).attributes.columns).toEqual(['service.name', 'message', 'trace.id', 'err.type'])
    expect(query('search/tracewire-trace')).toEqual({ query: 'trace.id:*', language: 'kuery' })
    expect((store.get('search/tracewire-trace') as Search).attributes.columns).toEqual(['service.name', 'span.id', 'log.level', 'message', 'duration_ms', 'status'])
    expect((store.get('search/tracewire-trace') as Search).attributes.description).toContain('trace.id:<32 hex>')
    expect(store.get('index-pattern/tracewire-fluentd')).toEqual({ attributes: { title: 'fluentd-*', timeFieldName: '@timestamp' } })
  })

  it('--schema: a value that is no schema is a usage error naming the closest (exit 2), before any request', async () => {
    const kibana = await start(fakeKibana(new Map()))
    // Exit 2, not 3: the options are refused before the template request to a closed port.
    for (const [value, hint] of [
      ['ecss', ' (did you mean ecs?)'],
      ['defualt', ' (did you mean default?)'],
      ['ECS', ' (did you mean ecs?)'],
      ['logfmt', ' (see "tracewire setup --help")'],
    ] as const) {
      const io = captureIo()
      expect(await runCli(['setup', '--es', 'http://127.0.0.1:9', '--kibana', kibana.url, '--schema', value], io)).toBe(2)
      expect(io.err).toBe(`tracewire: --schema: must be default or ecs, received ${JSON.stringify(value)}${hint}\n`)
    }
    expect(kibana.requests).toEqual([])
  })

  it('uses the same credentials for Kibana and reports Kibana errors (exit 3 through the CLI)', async () => {
    const kibana = await start(() => ({ status: 403, body: { statusCode: 403, error: 'Forbidden', message: 'Unable to create index-pattern' } }))
    const io = captureIo()
    await expect(
      runSetup(['--es', 'http://127.0.0.1:9', '--kibana', kibana.url, '--user', 'kib:pw'], io, { ensureIndexTemplate: templateStub([]) }),
    ).rejects.toThrow(/HTTP 403 Unable to create index-pattern/)
    expect(kibana.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('kib:pw').toString('base64')}`)
  })
})

describe('tracewire setup --alert-slack-webhook', () => {
  it('on ES 7.10.2 + OpenDistro: creates a slack destination and a monitor, updates both on a re-run', async () => {
    const es = await start(fakeOpenDistro())
    const outputs: string[] = []
    for (let run = 0; run < 2; run++) {
      const io = captureIo()
      expect(await runSetup(['--es', es.url, '--alert-slack-webhook', WEBHOOK], io, { ensureIndexTemplate: templateStub([]) })).toBe(0)
      outputs.push(io.out + io.err)
    }
    expect(writes(es)).toEqual([
      'POST /_opendistro/_alerting/destinations',
      'POST /_opendistro/_alerting/monitors',
      'PUT /_opendistro/_alerting/destinations/dest1',
      'PUT /_opendistro/_alerting/monitors/mon2',
    ])
    expect(outputs[0]).toContain('alerting (opendistro): destination dest1 created, monitor tracewire-error-logs created (id mon2, every 5 min)')
    expect(outputs[1]).toContain('destination dest1 updated, monitor tracewire-error-logs updated (id mon2')
    for (const out of outputs) expect(out).not.toContain('SECRETTOKEN')

    const destination = es.requests.find((r) => r.method === 'POST' && r.path === '/_opendistro/_alerting/destinations')?.body
    expect(destination).toEqual({ name: 'tracewire-slack', type: 'slack', slack: { url: WEBHOOK } })
    const monitor = es.requests.find((r) => r.method === 'POST' && r.path === '/_opendistro/_alerting/monitors')?.body
    expect(monitor).toEqual(errorMonitorBody('opendistro', 'dest1', 'fluentd-*', 5))
  })

  it('on OpenSearch 2.19: creates a notifications slack channel with a fixed id and a query-level monitor', async () => {
    const os = await start(fakeOpenSearch())
    for (let run = 0; run < 2; run++) {
      const io = captureIo({ TRACEWIRE_SLACK_WEBHOOK: WEBHOOK })
      expect(await runSetup(['--es', os.url, '--alert-interval-minutes', '2'], io, { ensureIndexTemplate: templateStub([]) })).toBe(0)
      expect(io.out).toContain(`alerting (opensearch-notifications): notification channel tracewire-slack ${run === 0 ? 'created' : 'updated'}`)
      expect(io.out).not.toContain('SECRETTOKEN')
    }
    expect(writes(os)).toEqual([
      'POST /_plugins/_notifications/configs',
      'POST /_plugins/_alerting/monitors',
      'PUT /_plugins/_notifications/configs/tracewire-slack',
      'PUT /_plugins/_alerting/monitors/mon1',
    ])
    const channel = os.requests.find((r) => r.method === 'POST' && r.path === '/_plugins/_notifications/configs')?.body
    expect(channel).toEqual({
      config_id: 'tracewire-slack',
      config: { name: 'tracewire-slack', description: expect.any(String), config_type: 'slack', is_enabled: true, slack: { url: WEBHOOK } },
    })
    const monitor = os.requests.find((r) => r.method === 'POST' && r.path === '/_plugins/_alerting/monitors')?.body as Record<string, unknown>
    expect(monitor).toEqual(errorMonitorBody('opensearch-notifications', 'tracewire-slack', 'fluentd-*', 2))
    expect(monitor.monitor_type).toBe('query_level_monitor')
  })

  it('fails with exit 3 and names the plugins when no alerting plugin is installed', async () => {
    const es = await start((req) =>
      req.path === '/' ? { status: 200, body: { version: { number: '7.10.2', build_flavor: 'oss' } } } : { status: 200, body: [{ name: 'n', component: 'analysis-icu', version: '7.10.2' }] },
    )
    const io = captureIo()
    const error = await runSetup(['--es', es.url, '--alert-slack-webhook', WEBHOOK], io, { ensureIndexTemplate: templateStub([]) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).exitCode).toBe(3)
    expect((error as CliError).message).toMatch(/no alerting plugin .* plugins: analysis-icu/)
    expect(io.out).toContain('index template: tracewire (legacy) installed')
  })

  it('rejects a webhook that is not an http(s) URL without echoing it (exit 2)', async () => {
    const io = captureIo()
    expect(await runCli(['setup', '--es', 'http://127.0.0.1:9', '--alert-slack-webhook', 'hooks.slack.example/SECRETTOKEN'], io)).toBe(2)
    expect(io.err).toContain('tracewire: --alert-slack-webhook: must be an http(s) URL (value not shown')
    expect(io.err).not.toContain('SECRETTOKEN')
  })
})

describe('the error monitor', () => {
  it.each(['opendistro', 'opensearch-notifications'] as const)('(%s) searches the error lines of either schema in the last interval + 1 minute', (flavor) => {
    interface ErrorsOfSchema {
      filter: unknown
      aggs: { traces: { terms: { field: string; missing: string }; aggs: { service: { terms: { field: string } } } } }
    }
    const monitor = errorMonitorBody(flavor, 'dest', 'fluentd-*', 5) as {
      schedule: unknown
      inputs: Array<{ search: { indices: string[]; query: { query: { bool: { filter: unknown[] } }; _source: string[]; aggs: Record<string, ErrorsOfSchema> } } }>
    }
    expect(monitor.schedule).toEqual({ period: { interval: 5, unit: 'MINUTES' } })
    const search = monitor.inputs[0]?.search
    expect(search?.indices).toEqual(['fluentd-*'])
    expect(search?.query.query.bool.filter).toEqual([
      { bool: { should: [{ term: { level: 'error' } }, { term: { 'log.level': 'error' } }], minimum_should_match: 1 } },
      { range: { '@timestamp': { gte: '{{period_end}}||-6m', lte: '{{period_end}}', format: 'epoch_millis' } } },
    ])
    expect(search?.query._source).toEqual(expect.arrayContaining(['service', 'service.name', 'message', 'trace_id', 'trace.id']))
    // Mustache cannot read ECS's dotted keys in _source: the message reads per-schema buckets of keyword terms.
    const aggs = search?.query.aggs ?? {}
    expect(Object.keys(aggs)).toEqual(['errors_default', 'errors_ecs'])
    expect(aggs.errors_default?.filter).toEqual({ term: { level: 'error' } })
    expect(aggs.errors_ecs?.filter).toEqual({ term: { 'log.level': 'error' } })
    expect(aggs.errors_default?.aggs.traces.terms).toMatchObject({ field: 'trace_id', missing: '-' })
    expect(aggs.errors_ecs?.aggs.traces.terms).toMatchObject({ field: 'trace.id', missing: '-' })
    expect(aggs.errors_ecs?.aggs.traces.aggs.service.terms.field).toBe('service.name')
  })

  it('posts service, newest message and trace id of each failing trace, for both schemas', () => {
    for (const schema of ['default', 'ecs']) expect(ALERT_MESSAGE_TEMPLATE).toContain(`{{#ctx.results.0.aggregations.errors_${schema}.traces.buckets}}`)
    for (const part of ['{{service.buckets.0.key}}', '{{line.hits.hits.0._source.message}}', '{{key}}']) expect(ALERT_MESSAGE_TEMPLATE).toContain(part)
  })

  it.each([
    ['elasticsearch', '7.10.2', ['opendistro-alerting'], 'opendistro'],
    ['elasticsearch', '7.10.2', ['opendistro_alerting'], 'opendistro'],
    ['opensearch', '2.19.1', ['opensearch-alerting', 'opensearch-notifications'], 'opensearch-notifications'],
    ['opensearch', '1.3.20', ['opensearch-alerting'], 'opensearch-destinations'],
    ['opensearch', '2.19.1', ['opensearch-alerting'], 'opensearch-destinations'],
    ['opensearch', '2.19.1', ['opensearch-alerting-dashboards'], null],
    ['elasticsearch', '7.10.2', [], null],
  ] as const)('%s %s with %j uses %s', (distribution, version, plugins, flavor) => {
    expect(alertingFlavor(distribution, version, plugins)).toBe(flavor)
  })
})
