import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../src/run.js'
import { captureIo, startFakeServer, type FakeServer } from './cli-fake-server.js'
import { SPANS, THREE_SERVICE_TRACE_ID, threeServiceTrace } from './support/three-service-trace.js'

const hits = threeServiceTrace(Date.UTC(2026, 10, 26, 12, 0, 0, 0)).map(({ service, doc }, i) => ({ _index: `fluentd-${service}-20261126`, _id: String(i), _source: doc }))

describe('tracewire trace --html against a loopback server', () => {
  let server: FakeServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('prints the timeline, reads whole documents and writes the waterfall page', async () => {
    server = await startFakeServer(() => ({ status: 200, body: { hits: { total: { value: 20_000, relation: 'eq' }, hits } } }))
    const file = join(mkdtempSync(join(tmpdir(), 'tw-html-')), 'trace.html')
    const io = captureIo({ ES_API_KEY: 'c2VjcmV0OmtleQ==' })
    const status = await runCli(['trace', THREE_SERVICE_TRACE_ID, '--html', file, '--es', server.url], io)
    expect(status, io.err).toBe(0)
    expect(io.out).toMatch(new RegExp(`^trace ${THREE_SERVICE_TRACE_ID}: 11 lines from 3 services`))
    expect(io.err).toBe(`waterfall written to ${file}\n`)
    // Whole documents: the page shows every field of a line on click.
    expect(server.requests[0]?.body).not.toHaveProperty('_source')
    const html = readFileSync(file, 'utf8')
    expect(html).toContain(`data-span-id="${SPANS.charge}"`)
    expect(html).toContain('Showing the first 11 of 20000 lines of this trace.')
    expect(html).toContain(`fluentd-* on ${server.url}`)
    expect(html).not.toContain('c2VjcmV0OmtleQ==')
    expect(readdirSync(join(file, '..'))).toEqual(['trace.html'])
  })

  it('writes no page when no line has the trace id (exit 1)', async () => {
    server = await startFakeServer(() => ({ status: 200, body: { hits: { total: { value: 0, relation: 'eq' }, hits: [] } } }))
    const file = join(mkdtempSync(join(tmpdir(), 'tw-html-')), 'trace.html')
    const io = captureIo()
    expect(await runCli(['trace', THREE_SERVICE_TRACE_ID, '--html', file, '--es', server.url], io)).toBe(1)
    expect(existsSync(file)).toBe(false)
  })

  it('fails with TW_CLI_OUTPUT (exit 3) when the file cannot be written, leaving nothing behind', async () => {
    server = await startFakeServer(() => ({ status: 200, body: { hits: { total: { value: hits.length, relation: 'eq' }, hits } } }))
    const dir = mkdtempSync(join(tmpdir(), 'tw-html-'))
    const io = captureIo()
    expect(await runCli(['trace', THREE_SERVICE_TRACE_ID, '--html', join(dir, 'missing-dir', 'trace.html'), '--es', server.url], io)).toBe(3)
    expect(io.err).toBe(`tracewire: --html ${join(dir, 'missing-dir', 'trace.html')}: cannot write (ENOENT) (does the folder exist and can you write there?)\n`)
    expect(readdirSync(dir)).toEqual([])
  })

  it('refuses an empty --html (exit 2) before any request', async () => {
    server = await startFakeServer(() => ({ status: 500 }))
    const io = captureIo()
    expect(await runCli(['trace', THREE_SERVICE_TRACE_ID, '--html', '', '--es', server.url], io)).toBe(2)
    expect(io.err).toBe('tracewire: --html: needs a file name (see "tracewire trace --help")\n')
    expect(server.requests).toEqual([])
  })
})
