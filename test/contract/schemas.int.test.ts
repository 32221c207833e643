/**
 * Every schema through every reader (`@tracewire/contract`): a line written by `createLogger` with
 * `schema: 'default'` and with `schema: 'ecs'` is accepted by the shipper (through the logger's
 * `elasticsearch` option), mapped by the index template, found by `tracewire trace`, listed by
 * `tracewire ui` among the recent errors, found by the Kibana saved searches of
 * `tracewire setup --schema <schema>` and posted by the error alert of `tracewire setup`, against the
 * real Elasticsearch 7.10.2 and OpenSearch 2.19.
 */
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { runCli } from '@tracewire/cli'
import { LINE_SCHEMAS, lineFields, readField, type LineSchema } from '@tracewire/contract'
import { ensureIndexTemplate } from '@tracewire/shipper'
import { expect, it } from 'vitest'
// The monitor is not exported by @tracewire/cli (setup installs it); its source is read as the CLI's tests read it.
import { ALERT_MESSAGE_TEMPLATE, errorMonitorBody } from '../../packages/cli/src/alerting.js'
import { describeEngines } from '../support/engines.js'
import { useIndexPrefix } from '../support/index-prefix.js'

const run = promisify(execFile)
const CHILD = fileURLToPath(new URL('./fixtures/log-with-schema.mjs', import.meta.url))
// The child resolves the optional @tracewire/shipper peer from its working folder, as an application does.
const TEST_DIR = fileURLToPath(new URL('..', import.meta.url))
const TRACE_ID = '5bf92f3577b34da6a3ce929d0e0e4736'
const SPAN_ID = { default: '00f067aa0ba902b7', ecs: 'b7ad6b7169203331' } as const satisfies Record<LineSchema, string>

interface FieldMapping {
  type?: string
  properties?: Record<string, FieldMapping>
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  return (await res.json()) as T
}

/** The mapping of a dotted field name (`service.name` lives under `service.properties.name`). */
function mappingOf(properties: Record<string, FieldMapping>, name: string): FieldMapping | undefined {
  const [head, ...rest] = name.split('.')
  const field = properties[head as string]
  if (rest.length === 0 || field === undefined) return field
  return mappingOf(field.properties ?? {}, rest.join('.'))
}

async function logInChild(node: string, indexPrefix: string, schema: LineSchema): Promise<Array<Record<string, unknown>>> {
  const { stdout } = await run(process.execPath, [CHILD, node, indexPrefix, schema, `svc-${schema}`, TRACE_ID, SPAN_ID[schema]], { cwd: TEST_DIR }).catch((err: unknown) => {
    throw new Error(`${schema} child failed: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err })
  })
  return stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
}

// The `tracewire` bin of the built package, run as a user runs it (`tracewire ui` serves until a signal).
const CLI_BIN = join(dirname(createRequire(import.meta.url).resolve('@tracewire/cli/package.json')), 'bin', 'tracewire.js')

interface RecentErrorRow {
  traceId: string
  service: string
  message: string
  errorLines: number
}

const RECENT_ROW = /<tr class="tw-recent" data-trace-id="(\w+)">.*?<td>([^<]*)<\/td><td class="tw-message">([^<]*)<\/td><td>(\d+)<\/td><\/tr>/g

/** Starts `tracewire ui` on a free port, reads its start page (the recent error traces), stops it with SIGTERM. */
async function recentErrors(esUrl: string, index: string): Promise<RecentErrorRow[]> {
  const child = spawn(process.execPath, [CLI_BIN, 'ui', '--es', esUrl, '--index', index, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()))
  const exited = once(child, 'exit')
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const found = /http:\/\/127\.0\.0\.1:\d+/.exec(out)
        if (found) resolve(found[0])
      })
      void exited.then(([code]) => reject(new Error(`tracewire ui exited (${String(code)}) before listening: ${stderr}`)))
    })
    const page = await (await fetch(`${url}/`)).text()
    expect(page).not.toContain('Could not read the recent errors')
    return [...page.matchAll(RECENT_ROW)].map((m) => ({ traceId: m[1] ?? '', service: m[2] ?? '', message: m[3] ?? '', errorLines: Number(m[4]) }))
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
}

interface SavedSearch {
  query: string
  columns: string[]
}

/**
 * Runs `tracewire setup --kibana --schema <schema>` against a stand-in for Kibana's saved-objects API (no
 * real Kibana runs here) that records the saved searches; returns them by id.
 */
async function savedSearches(args: string[]): Promise<Map<string, SavedSearch>> {
  const saved = new Map<string, SavedSearch>()
  const kibana = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => void (body += chunk.toString()))
    req.on('end', () => {
      const search = /^\/api\/saved_objects\/search\/([^?]+)/.exec(req.url ?? '')
      if (search) {
        const attributes = (JSON.parse(body) as { attributes: { columns: string[]; kibanaSavedObjectMeta: { searchSourceJSON: string } } }).attributes
        const source = JSON.parse(attributes.kibanaSavedObjectMeta.searchSourceJSON) as { query: { query: string; language: string } }
        expect(source.query.language).toBe('kuery')
        saved.set(decodeURIComponent(search[1] ?? ''), { query: source.query.query, columns: attributes.columns })
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    })
  })
  kibana.listen(0, '127.0.0.1')
  await once(kibana, 'listening')
  try {
    const io = { out: '', err: '', env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) }
    expect(await runCli(['setup', ...args, '--kibana', `http://127.0.0.1:${(kibana.address() as AddressInfo).port}`], io), io.err).toBe(0)
  } finally {
    kibana.close()
  }
  return saved
}

/**
 * What Kibana 7.10 sends for the KQL the saved searches use, one `field:value` (`exists` for `*`, a `match`
 * otherwise). Anything else fails here, so a richer saved query must bring its own translation.
 */
function kqlToQuery(kql: string): Record<string, unknown> {
  const m = /^([\w.@]+):(\S+)$/.exec(kql)
  if (!m) throw new Error(`not a single field:value KQL query: ${kql}`)
  const [, field = '', value = ''] = m
  return value === '*' ? { exists: { field } } : { bool: { should: [{ match: { [field]: value } }], minimum_should_match: 1 } }
}

describeEngines('every line schema through every reader', (engine) => {
  const idx = useIndexPrefix(engine.url, 'schemas')

  it('default and ECS lines of one trace: shipped, mapped by the template, found by tracewire trace, tracewire ui and the Kibana searches', async () => {
    await ensureIndexTemplate({ node: engine.url, name: idx.name('tpl'), indexPattern: `${idx.prefix}*`, numberOfReplicas: 0 })
    const indexPrefix = idx.prefix.replace(/-$/, '')
    const written = new Map<LineSchema, Array<Record<string, unknown>>>()
    for (const schema of LINE_SCHEMAS) written.set(schema, await logInChild(engine.url, indexPrefix, schema))
    await fetch(`${engine.url}/${idx.prefix}*/_refresh`, { method: 'POST' })

    for (const schema of LINE_SCHEMAS) {
      const f = lineFields(schema)
      const lines = written.get(schema) ?? []
      // The lines are the schema's (the writer side of the contract)...
      expect(lines).toHaveLength(3)
      for (const line of lines) {
        expect(Object.keys(line).slice(0, 4)).toEqual([f.level, f.time, f.timestamp, f.service])
        expect(line[f.traceId]).toBe(TRACE_ID)
      }
      // ...every one is indexed, in the index named after the service (the shipper's reader)...
      const date = (lines[0]?.[f.timestamp] as string).slice(0, 10).replace(/-/g, '')
      const index = `${idx.prefix}svc-${schema}-${date}`
      const count = await json<{ count?: number; error?: unknown }>(`${engine.url}/${index}/_count`)
      expect(count, `${schema}: ${JSON.stringify(count)}`).toMatchObject({ count: 3 })
      // ...and the template maps the schema's fields for exact queries.
      const mapping = await json<Record<string, { mappings: { properties: Record<string, FieldMapping> } }>>(`${engine.url}/${index}/_mapping`)
      const properties = mapping[index]?.mappings.properties ?? {}
      expect(mappingOf(properties, f.timestamp)?.type).toBe('date')
      for (const name of [f.level, f.service, f.traceId, f.spanId]) expect(mappingOf(properties, name)?.type, `${schema} ${name}`).toBe('keyword')
      expect(mappingOf(properties, f.message)?.type).toBe('text')
    }

    // `tracewire trace` finds both services' lines of the one trace.
    const io = { out: '', err: '', env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) }
    expect(await runCli(['trace', TRACE_ID, '--es', engine.url, '--index', `${idx.prefix}*`, '--json'], io), io.err).toBe(0)
    const found = JSON.parse(io.out) as { total: number; services: string[]; lines: Array<{ service: string; level: string; span_id: string; message: string }> }
    expect(found.total).toBe(6)
    expect([...found.services].sort()).toEqual(['svc-default', 'svc-ecs'])
    for (const schema of LINE_SCHEMAS) {
      const own = found.lines.filter((l) => l.service === `svc-${schema}`)
      expect(own.map((l) => [l.level, l.span_id, l.message]).sort()).toEqual([
        ['error', SPAN_ID[schema], `${schema} fails`],
        ['info', SPAN_ID[schema], `${schema} starts`],
        ['warn', SPAN_ID[schema], `${schema} retries`],
      ])
    }

    // `tracewire ui` lists the trace among the recent errors from either schema's indices (with that
    // schema's service field), and from both at once as one trace with both error lines.
    for (const schema of LINE_SCHEMAS) {
      expect(await recentErrors(engine.url, `${idx.prefix}svc-${schema}-*`), schema).toEqual([
        { traceId: TRACE_ID, service: `svc-${schema}`, message: `${schema} fails`, errorLines: 1 },
      ])
    }
    const both = await recentErrors(engine.url, `${idx.prefix}*`)
    expect(both.map((r) => [r.traceId, r.errorLines])).toEqual([[TRACE_ID, 2]])

    // The Kibana saved searches of `setup --schema <schema>` find that schema's lines, and every column
    // that is a contract field is a field of those lines.
    for (const schema of LINE_SCHEMAS) {
      const f = lineFields(schema)
      const searches = await savedSearches(['--es', engine.url, '--index', `${idx.prefix}*`, '--template-name', idx.name('tpl'), '--replicas', '0', '--schema', schema])
      expect([...searches.keys()].sort()).toEqual(['tracewire-errors', 'tracewire-trace'])
      const contractNames = new Set<string>(Object.values(f).filter((name): name is string => name !== undefined))
      const expected = { 'tracewire-errors': [`${schema} fails`], 'tracewire-trace': [`${schema} fails`, `${schema} retries`, `${schema} starts`] }
      for (const [id, search] of searches) {
        const answer = await json<{ hits: { hits: Array<{ _source: Record<string, unknown> }> } }>(`${engine.url}/${idx.prefix}*/_search`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ size: 20, query: kqlToQuery(search.query) }),
        })
        const docs = answer.hits.hits.map((h) => h._source)
        expect(docs.map((d) => readField(d, f.message)).sort(), `${schema} ${id}: ${search.query}`).toEqual(expected[id as keyof typeof expected])
        expect(new Set(docs.map((d) => readField(d, f.service)))).toEqual(new Set([`svc-${schema}`]))
        const columns = search.columns.filter((c) => contractNames.has(c))
        expect(columns.length, `${schema} ${id}`).toBeGreaterThanOrEqual(3)
        for (const doc of docs) for (const column of columns) expect(readField(doc, column), `${schema} ${id} column ${column}`).toBeDefined()
      }
    }

    // The error alert's monitor search, as the alerting plugin runs it (`{{period_end}}` is the run's time),
    // finds the error line of each schema; its message, rendered by the server's own Mustache engine
    // (`_render/template`, the engine alerting uses), names each line's service and trace id.
    const monitor = errorMonitorBody('opendistro', 'dest', `${idx.prefix}*`, 5) as { inputs: Array<{ search: { query: unknown } }> }
    const search = JSON.stringify(monitor.inputs[0]?.search.query).replaceAll('{{period_end}}', String(Date.now()))
    const results = await json<{ hits: { total: { value: number }; hits: Array<{ _source: Record<string, unknown> }> } }>(`${engine.url}/${idx.prefix}*/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: search,
    })
    expect(results.hits?.total.value, JSON.stringify(results)).toBe(2)
    const rendered = await json<{ template_output?: { text: string } }>(`${engine.url}/_render/template`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        source: `{"text":${JSON.stringify(ALERT_MESSAGE_TEMPLATE)}}`,
        params: { ctx: { monitor: { name: 'tracewire-error-logs' }, periodStart: 'start', periodEnd: 'end', results: [results] } },
      }),
    })
    const bullets = (rendered.template_output?.text ?? JSON.stringify(rendered)).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('•'))
    expect(bullets.sort()).toEqual(LINE_SCHEMAS.map((schema) => `• svc-${schema}: ${schema} fails (trace_id ${TRACE_ID}, 1 error line(s))`).sort())
  })
})
