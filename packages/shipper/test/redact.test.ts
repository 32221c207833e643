/**
 * One redaction for every string that leaves the shipper (issue 9 case 9): a table of credential
 * shapes, then the same secrets through each way out: config errors, onError/lastError and dead
 * letters (callback and file); stderr is covered by the logger's child-process test.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createShipper, redactText } from '../src/index.js'
import type { DeadLetter } from '../src/index.js'
import { logLine, startBulkSink, until } from './support/bulk-sink.js'

const SHAPES: Array<[string, string, string[], string]> = [
  ['`/` in the password', 'node http://elastic:pa/ss9@es.local:9200 failed', ['pa/ss9', 'pa/'], 'es.local:9200'],
  ['`@` and `:` in the password', 'GET https://elastic:p@ss:w0rd@es.local:9200/_bulk', ['p@ss', 'w0rd'], 'es.local:9200/_bulk'],
  ['`%`-encoded password', 'http://elastic:pa%2Fs%40s%25x@es.local:9200', ['pa%2F', '%40s', 's%25x'], 'es.local:9200'],
  ['a URL list', 'nodes http://a:s3cretA@h1:9200,http://b:s3cretB@h2:9200', ['s3cretA', 's3cretB'], 'h2:9200'],
  ['user:password@host without a scheme', 'node "elastic:changeme@127.0.0.1:9200"', ['changeme'], '127.0.0.1:9200'],
  ['a Basic header', 'authorization: Basic ZWxhc3RpYzpjaGFuZ2VtZQ==', ['ZWxhc3RpYzpjaGFuZ2VtZQ'], 'authorization'],
  ['a bearer token echoed in a JSON body', '{"error":"invalid token Bearer eyJhbGciOi.abc/def+ghi="}', ['eyJhbGciOi', 'abc/def'], 'invalid token'],
  ['an ApiKey header', 'Authorization: ApiKey aWQ6a2V5c2VjcmV0', ['aWQ6a2V5c2VjcmV0'], 'Authorization'],
  ['an api_key in JSON', '{"api_key":"VnVhQ2ZHY0JDZGJrU","id":"x"}', ['VnVhQ2ZHY0JDZGJrU'], '"id":"x"'],
  ['an escaped password in JSON text', '{\\"password\\":\\"hunter2\\"}', ['hunter2'], 'password'],
  ['a password in a query string', '/_login?user=a&password=hunter2&x=1', ['hunter2'], 'x=1'],
]

describe('redactText', () => {
  it.each(SHAPES)('issue 9 case 9: removes %s', (_name, text, secrets, kept) => {
    const out = redactText(text)
    for (const secret of secrets) expect(out).not.toContain(secret)
    expect(out).toContain(kept)
  })

  it.each([
    'bulk request to http://127.0.0.1:9200/ failed: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9200',
    "json_parse_exception: Unexpected token ']' at position 4",
    'security_exception: missing authentication credentials; basic auth is required',
    'mapper_parsing_exception: failed to parse field [user.email] of type [keyword]: a@b.c',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redactText(text)).toBe(text)
  })
})

describe('every way out of the shipper', () => {
  const open: Array<{ close(): Promise<unknown> }> = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close()
  })

  it('issue 9 case 9: a password with `/` is not in the ShipperConfigError', () => {
    let message = ''
    try {
      createShipper({ node: 'http://elastic:pa/ss9@127.0.0.1:9200', bufferDir: false })
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toMatch(/is not a URL/)
    expect(message).not.toContain('pa/ss9')
    expect(message).not.toContain('pa/')
  })

  it('issue 9 case 9: a token a server echoes reaches neither the dead letter (callback and file), onError nor lastError', async () => {
    const es = await startBulkSink()
    open.push(es)
    const echo = JSON.stringify({ error: { type: 'security_exception', reason: 'bad header Authorization: Bearer tok-SECRET-1234' } })
    es.script = (req) => (req.n === 1
      ? { kind: 'status', status: 503, body: echo }
      : { kind: 'items', statuses: new Map([[0, 400]]), reason: () => ({ type: 'x', reason: 'echo Bearer tok-SECRET-1234 and http://u:pw-SECRET@h:1' }) })
    const dir = mkdtempSync(join(tmpdir(), 'tw-redact-'))
    const dead: DeadLetter[] = []
    const errors: Error[] = []
    const sh = createShipper({
      node: es.url, bufferDir: false, deadLetterDir: dir, retryWaitMs: 5, flushIntervalMs: 10, reportDropsToStderr: false,
      onDeadLetter: (d) => dead.push(d), onError: (e) => errors.push(e),
    })
    open.push(sh)
    sh.write(logLine(0))
    await sh.flush()
    await until(() => readdirSync(dir).length > 0, 5000, 'dead-letter file')
    await sh.close()
    const file = readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')
    expect(dead).toHaveLength(1)
    expect(errors.length).toBeGreaterThan(0)
    const everything = JSON.stringify([dead, errors.map((e) => e.message), sh.stats(), file])
    expect(everything).toContain('[redacted]')
    expect(everything).not.toContain('SECRET')
  })
})
