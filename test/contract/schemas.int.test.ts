/**
 * Every schema through every reader (`@tracewire/contract`): a line written by `createLogger` with
 * `schema: 'default'` and with `schema: 'ecs'` is accepted by the shipper (through the logger's
 * `elasticsearch` option), mapped by the index template, and found by `tracewire trace`, against the
 * real Elasticsearch 7.10.2 and OpenSearch 2.19.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { runCli } from '@tracewire/cli'
import { LINE_SCHEMAS, lineFields, type LineSchema } from '@tracewire/contract'
import { ensureIndexTemplate } from '@tracewire/shipper'
import { expect, it } from 'vitest'
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

describeEngines('every line schema through every reader', (engine) => {
  const idx = useIndexPrefix(engine.url, 'schemas')

  it('default and ECS lines of one trace: shipped, mapped by the template, found by tracewire trace', async () => {
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
  })
})
