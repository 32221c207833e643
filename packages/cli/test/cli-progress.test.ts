/**
 * The spinner on stderr while a request takes more than a second: shown on a terminal, never on a
 * pipe, erased when the request ends, and never mixed into stdout.
 */
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PROGRESS_DELAY_MS, withProgress } from '../src/progress.js'
import { runCli } from '../src/run.js'
import { captureIo } from './cli-fake-server.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const HITS = { hits: { total: { value: 1, relation: 'eq' }, hits: [{ _index: 'fluentd-a', _id: '1', _source: { '@timestamp': '2026-11-26T12:00:00.000Z', service: 'orders', level: 'info', message: 'hello', trace_id: TRACE } }] } }
// The spinner's redraw (carriage return + erase line), shown as <erase> so the patterns stay readable.
const ERASE = '\r\x1b[K'
const visible = (text: string): string => text.replaceAll(ERASE, '<erase>')
const SPINNER = /<erase>[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] searching fluentd-\* on http:\/\/127\.0\.0\.1:\d+ for trace 4bf92f3577b34da6a3ce929d0e0e4736 \d+ s/

const servers: Server[] = []
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
})

/** A search server that answers only when `release` is called. */
async function heldServer(): Promise<{ url: string; release: () => void }> {
  const waiting: ServerResponse[] = []
  let released = false
  const answer = (res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(HITS))
  }
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => (released ? answer(res) : waiting.push(res)))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    release: () => {
      released = true
      for (const res of waiting.splice(0)) answer(res)
    },
  }
}

describe('withProgress', () => {
  it('writes nothing to a piped stderr, however long the work takes', async () => {
    vi.useFakeTimers()
    const io = captureIo()
    let finish!: () => void
    const done = withProgress(io, 'waiting', () => new Promise<void>((resolve) => (finish = resolve)))
    await vi.advanceTimersByTimeAsync(30_000)
    finish()
    await done
    expect(io.err).toBe('')
  })

  it('on a terminal: nothing before one second, then a redrawn line, erased at the end', async () => {
    vi.useFakeTimers()
    const io = captureIo()
    io.stderrIsTTY = true
    let finish!: (value: string) => void
    const done = withProgress(io, 'waiting', () => new Promise<string>((resolve) => (finish = resolve)))
    await vi.advanceTimersByTimeAsync(PROGRESS_DELAY_MS - 1)
    expect(io.err).toBe('')
    await vi.advanceTimersByTimeAsync(2_100)
    expect(visible(io.err)).toMatch(/^<erase>⠋ waiting 1 s(<erase>. waiting [123] s)+$/)
    finish('result')
    expect(await done).toBe('result')
    expect(io.err.endsWith(ERASE)).toBe(true)
    const length = io.err.length
    await vi.advanceTimersByTimeAsync(5_000)
    expect(io.err.length).toBe(length)
  })

  it('on a terminal, a fast request leaves no trace', async () => {
    const io = captureIo()
    io.stderrIsTTY = true
    expect(await withProgress(io, 'quick', async () => 7)).toBe(7)
    expect(io.err).toBe('')
  })
})

describe('tracewire trace: spinner while the search is slow', () => {
  it('shows the spinner on a (fake) terminal stderr until the answer, then only the timeline on stdout', async () => {
    const server = await heldServer()
    const io = captureIo()
    const tty = {
      ...io,
      stderrIsTTY: true,
      // The answer is held until the spinner has been drawn: no sleep, no timing assertion.
      stderr(text: string) {
        io.stderr(text)
        if (SPINNER.test(visible(io.err))) server.release()
      },
      stdout: io.stdout,
    }
    expect(await runCli(['trace', TRACE, '--es', server.url], tty)).toBe(0)
    expect(visible(io.err)).toMatch(SPINNER)
    expect(io.err.endsWith(ERASE)).toBe(true)
    expect(io.out).toContain('hello')
    expect(io.out).not.toContain('\r')
  })

  it('prints no spinner when stderr is piped, even when the search takes longer than a second', async () => {
    const server = await heldServer()
    const io = captureIo()
    // Longer than PROGRESS_DELAY_MS, so a spinner would have been drawn on a terminal.
    const timer = setTimeout(server.release, PROGRESS_DELAY_MS + 500)
    try {
      expect(await runCli(['trace', TRACE, '--es', server.url], io)).toBe(0)
    } finally {
      clearTimeout(timer)
    }
    expect(io.err).toBe('')
    expect(io.out).toContain('hello')
  })
})
