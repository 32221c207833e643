/**
 * The README's exit-status table, row by row and command by command: every status it documents for
 * `trace`, `setup` and `ui` is produced here by a real run against a loopback server.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { EXIT } from '../src/errors.js'
import { runCli } from '../src/run.js'
import { runUi } from '../src/ui-command.js'
import { captureIo, startFakeServer, type FakeReply, type FakeServer, type RecordedRequest } from './cli-fake-server.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const LINE = { _index: 'fluentd-a', _id: '1', _source: { '@timestamp': '2026-11-26T12:00:00.000Z', service: 'orders', level: 'info', message: 'hi', trace_id: TRACE } }

const servers: FakeServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})
async function start(handler: (req: RecordedRequest) => FakeReply): Promise<string> {
  const server = await startFakeServer(handler)
  servers.push(server)
  return server.url
}

/** Elasticsearch 7.10.2 as far as `setup` asks: `GET /`, the template, the plugin list. */
function es(options: { templateStatus?: number } = {}) {
  return (req: RecordedRequest): FakeReply => {
    if (req.path === '/') return { status: 200, body: { version: { number: '7.10.2' } } }
    if (req.path.startsWith('/_template/')) return { status: options.templateStatus ?? 200, body: options.templateStatus ? { error: { type: 'boom', reason: 'broken' } } : { acknowledged: true } }
    if (req.path.startsWith('/_cat/plugins')) return { status: 200, body: [] }
    if (req.path.includes('/_search')) {
      const hits = JSON.stringify(req.body).includes(TRACE) ? [LINE] : []
      return { status: 200, body: { hits: { total: { value: hits.length }, hits } } }
    }
    return { status: 404, body: {} }
  }
}

type Case = () => Promise<number>
const OTHER = 'ffffffffffffffffffffffffffffffff'

/** For each command, one run per documented status. */
const CASES: Record<'trace' | 'setup' | 'ui', Partial<Record<number, Case>>> = {
  trace: {
    [EXIT.ok]: async () => runCli(['trace', TRACE, '--es', await start(es())], captureIo()),
    [EXIT.notFound]: async () => runCli(['trace', OTHER, '--es', await start(es())], captureIo()),
    [EXIT.usage]: async () => runCli(['trace', TRACE, '--sise', '1'], captureIo()),
    [EXIT.failed]: async () => runCli(['trace', TRACE, '--es', await start(() => ({ status: 500, body: { error: { type: 'x', reason: 'y' } } }))], captureIo()),
  },
  setup: {
    [EXIT.ok]: async () => runCli(['setup', '--es', await start(es())], captureIo()),
    [EXIT.usage]: async () => runCli(['setup'], captureIo()),
    [EXIT.failed]: async () => runCli(['setup', '--es', await start(es({ templateStatus: 500 }))], captureIo()),
  },
  ui: {
    [EXIT.ok]: async () => {
      const stop = new AbortController()
      const io = captureIo()
      // Stopped as soon as it says it listens, as Ctrl-C would.
      return runUi(['--port', '0', '--es', await start(es())], { ...io, stdout: (text) => (io.stdout(text), stop.abort()) }, stop.signal)
    },
    [EXIT.usage]: async () => runCli(['ui', '--prot', '1'], captureIo()),
    [EXIT.failed]: async () => {
      const taken = createServer()
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
      try {
        return await runCli(['ui', '--port', String((taken.address() as { port: number }).port)], captureIo())
      } finally {
        taken.close()
      }
    },
  },
}

/** `status → [trace, setup, ui]` cells of the README's table; `—` where a command never exits so. */
function documentedTable(): Map<number, string[]> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('## Exit status'))
  const rows = new Map<number, string[]>()
  for (const line of section.split('\n').slice(1)) {
    if (line.startsWith('## ')) break
    const cells = /^\| (\d) \|(.*)\|$/.exec(line)
    if (cells) rows.set(Number(cells[1]), cells[2]!.split('|').map((c) => c.trim()))
  }
  return rows
}

describe('exit statuses, as the README documents them', () => {
  const table = documentedTable()

  it('the README has one table with statuses 0 to 3 for trace, setup and ui', () => {
    expect([...table.keys()]).toEqual([0, 1, 2, 3])
    for (const cells of table.values()) expect(cells).toHaveLength(3)
  })

  const rows = (['trace', 'setup', 'ui'] as const).flatMap((command, column) =>
    [...table.entries()].map(([status, cells]) => [command, status, cells[column] !== '—'] as const),
  )
  it.each(rows)('%s exits %i when documented so (documented: %s)', async (command, status, documented) => {
    const run = CASES[command][status]
    // A documented status needs a case here; an undocumented one must have none.
    expect(run !== undefined, `${command} ${status}`).toBe(documented)
    if (run) expect(await run()).toBe(status)
  })
})
