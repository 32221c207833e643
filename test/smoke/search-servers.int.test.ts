/* eslint-disable @typescript-eslint/no-explicit-any -- assertions walk arbitrary server JSON; the expectations check its shape */
// Smoke suite against the real embedded servers started by the integration global setup: proves
// both engines answer the APIs the shipper and the template setup rely on.
import { expect, it } from 'vitest'
import { describeEngines } from '../support/engines.js'
import { deleteByPrefix, newIndexPrefix, useIndexPrefix } from '../support/index-prefix.js'

async function call(method: string, url: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : undefined }
}

describeEngines('search server smoke', (engine) => {
  const idx = useIndexPrefix(engine.url, 'smoke')

  it('GET / reports the expected distribution and version', async () => {
    const { status, json } = await call('GET', `${engine.url}/`)
    expect(status).toBe(200)
    if (engine.name === 'elasticsearch') {
      expect(json.version.number).toBe('7.10.2')
      expect(json.version.distribution).toBeUndefined()
      // Needed by the official @elastic/elasticsearch 7.14-7.17 client's product check.
      expect(json.version.build_flavor).toBe('default')
      expect(json.tagline).toBe('You Know, for Search')
    } else {
      expect(json.version.distribution).toBe('opensearch')
      expect(json.version.number).toMatch(/^2\.19\.\d+$/)
    }
    expect(engine.version).toBe(json.version.number)
  })

  it('sends deprecation Warning headers like the stock server configuration', async () => {
    // The launcher's log4j2.properties wires the deprecation loggers to the HeaderWarningAppender.
    const res =
      engine.name === 'elasticsearch'
        ? await fetch(`${engine.url}/_bulk`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson' },
            body: `${JSON.stringify({ index: { _index: idx.name('typed'), _type: '_doc', _id: '1' } })}\n{"a":1}\n`,
          })
        : await fetch(`${engine.url}/_cat/master`)
    expect(res.status).toBe(200)
    await res.text()
    const expected = engine.name === 'elasticsearch' ? /^299 Elasticsearch-7\.10\.2-\w+ "\[types removal\]/ : /^299 OpenSearch-2\.19\.\d+-\w+ ".*cluster_manager/
    expect(res.headers.get('warning')).toMatch(expected)
  })

  it('creates an index, bulk-indexes 1,000 NDJSON docs, refreshes, counts and searches by keyword', async () => {
    const index = idx.name('docs')
    const created = await call('PUT', `${engine.url}/${index}`, {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { properties: { service: { type: 'keyword' }, seq: { type: 'long' }, message: { type: 'text' } } },
    })
    expect(created.status).toBe(200)
    expect(created.json.acknowledged).toBe(true)

    const lines: string[] = []
    for (let i = 0; i < 1000; i++) {
      lines.push(JSON.stringify({ index: { _index: index, _id: `doc-${i}` } }))
      lines.push(JSON.stringify({ service: `svc-${i % 10}`, seq: i, message: `hello number ${i}` }))
    }
    const bulk = await call('POST', `${engine.url}/_bulk`, lines.join('\n') + '\n', 'application/x-ndjson')
    expect(bulk.status).toBe(200)
    expect(bulk.json.errors).toBe(false)
    expect(bulk.json.items).toHaveLength(1000)
    expect(bulk.json.items[999].index).toMatchObject({ _id: 'doc-999', status: 201 })

    expect((await call('POST', `${engine.url}/${index}/_refresh`)).status).toBe(200)
    const count = await call('GET', `${engine.url}/${index}/_count`)
    expect(count.json.count).toBe(1000)

    const search = await call('POST', `${engine.url}/${index}/_search`, {
      query: { term: { service: 'svc-3' } },
      size: 200,
      track_total_hits: true,
    })
    expect(search.status).toBe(200)
    expect(search.json.hits.total.value).toBe(100)
    expect(search.json.hits.hits.every((h: any) => h._source.service === 'svc-3' && h._source.seq % 10 === 3)).toBe(true)
  })

  it('puts a legacy _template that new indices pick up', async () => {
    const name = idx.name('legacy')
    const put = await call('PUT', `${engine.url}/_template/${name}`, {
      index_patterns: [`${idx.prefix}legacy-*`],
      order: 1,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { properties: { trace_id: { type: 'keyword' } } },
    })
    expect(put.status).toBe(200)
    expect(put.json.acknowledged).toBe(true)
    const got = await call('GET', `${engine.url}/_template/${name}`)
    expect(got.json[name].index_patterns).toEqual([`${idx.prefix}legacy-*`])

    const index = idx.name('legacy-2026.01.01')
    expect((await call('PUT', `${engine.url}/${index}`)).status).toBe(200)
    const mapping = await call('GET', `${engine.url}/${index}/_mapping`)
    expect(mapping.json[index].mappings.properties.trace_id.type).toBe('keyword')
  })

  it('puts a composable _index_template (with a component template) that new indices pick up', async () => {
    const component = idx.name('component')
    const template = idx.name('composable')
    expect(
      (await call('PUT', `${engine.url}/_component_template/${component}`, {
        template: { mappings: { properties: { span_id: { type: 'keyword' } } } },
      })).status,
    ).toBe(200)
    const put = await call('PUT', `${engine.url}/_index_template/${template}`, {
      index_patterns: [`${idx.prefix}composable-*`],
      priority: 100,
      composed_of: [component],
      template: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { properties: { level: { type: 'keyword' } } } },
    })
    expect(put.status).toBe(200)
    expect(put.json.acknowledged).toBe(true)
    const got = await call('GET', `${engine.url}/_index_template/${template}`)
    expect(got.json.index_templates[0].name).toBe(template)

    const index = idx.name('composable-2026.01.01')
    // Indexing a document auto-creates the index from the template (the shipper's normal path).
    const doc = await call('POST', `${engine.url}/${index}/_doc?refresh=true`, { level: 'info', span_id: 'abc' })
    expect(doc.status).toBe(201)
    const mapping = await call('GET', `${engine.url}/${index}/_mapping`)
    expect(mapping.json[index].mappings.properties.level.type).toBe('keyword')
    expect(mapping.json[index].mappings.properties.span_id.type).toBe('keyword')
    const settings = await call('GET', `${engine.url}/${index}/_settings`)
    expect(settings.json[index].settings.index.number_of_replicas).toBe('0')
  })
})

describeEngines('index-prefix helper', (engine) => {
  it('deleteByPrefix removes indices, legacy, composable and component templates under the prefix only', async () => {
    const prefix = newIndexPrefix('cleanup')
    const other = newIndexPrefix('cleanup')
    const base = engine.url
    await call('PUT', `${base}/${prefix}a`, { settings: { number_of_replicas: 0 } })
    await call('PUT', `${base}/${other}keep`, { settings: { number_of_replicas: 0 } })
    await call('PUT', `${base}/_template/${prefix}legacy`, { index_patterns: [`${prefix}x-*`] })
    await call('PUT', `${base}/_component_template/${prefix}comp`, { template: { settings: { number_of_replicas: 0 } } })
    await call('PUT', `${base}/_index_template/${prefix}it`, { index_patterns: [`${prefix}y-*`], composed_of: [`${prefix}comp`] })

    await deleteByPrefix(base, prefix)

    expect((await call('HEAD', `${base}/${prefix}a`)).status).toBe(404)
    expect((await call('GET', `${base}/_template/${prefix}legacy`)).status).toBe(404)
    expect((await call('GET', `${base}/_index_template/${prefix}it`)).status).toBe(404)
    expect((await call('GET', `${base}/_component_template/${prefix}comp`)).status).toBe(404)
    expect((await call('HEAD', `${base}/${other}keep`)).status).toBe(200)
    await deleteByPrefix(base, other)
    expect((await call('HEAD', `${base}/${other}keep`)).status).toBe(404)
  })

  it('refuses prefixes that would match more than intended', async () => {
    await expect(deleteByPrefix(engine.url, '')).rejects.toThrow(/unsafe prefix/)
    await expect(deleteByPrefix(engine.url, '*')).rejects.toThrow(/unsafe prefix/)
  })
})
