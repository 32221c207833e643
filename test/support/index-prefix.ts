/**
 * A fresh, unique index-name prefix per test, with cleanup of everything created under it: indices,
 * data streams, composable/component/legacy templates. Tests share one server per engine, so every
 * name a test creates must start with its prefix.
 *
 * ```ts
 * describeEngines('templates', (engine) => {
 *   const idx = useIndexPrefix(engine.url)
 *   it('creates', async () => {
 *     await fetch(`${engine.url}/${idx.prefix}logs`, { method: 'PUT' })  // deleted after the test
 *   })
 * })
 * ```
 */
import { afterEach, beforeEach } from 'vitest'
import { randomBytes } from 'node:crypto'

let counter = 0

/**
 * A new prefix such as `tw-3-7-a1b2c3-`: lowercase, no wildcard characters, valid at the start of an
 * index name (cannot start with `-`, `_` or `+`). Worker id + counter + random keep it unique
 * across parallel test files and reruns against a long-lived server.
 */
export function newIndexPrefix(label = 'tw'): string {
  const worker = process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? '0'
  counter += 1
  const safeLabel = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[-_+]+/, '') || 'tw'
  return `${safeLabel}-${worker}-${counter}-${randomBytes(3).toString('hex')}-`
}

async function request(method: string, url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method, signal: AbortSignal.timeout(30_000) })
  return { status: res.status, body: await res.text() }
}

async function namesOf(url: string, key: string): Promise<string[]> {
  const res = await request('GET', url)
  if (res.status !== 200) return []
  const parsed = JSON.parse(res.body) as Record<string, Array<{ name: string }>>
  return (parsed[key] ?? []).map((t) => t.name)
}

/**
 * Deletes everything named `<prefix>*` on the server. Missing APIs (no data streams on the
 * Elasticsearch 7.10 OSS build) and 404s are ignored; any other failure throws, so leaks are loud.
 */
export async function deleteByPrefix(baseUrl: string, prefix: string): Promise<void> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(prefix)) throw new Error(`refusing to delete by unsafe prefix "${prefix}"`)
  const base = baseUrl.replace(/\/$/, '')
  const pattern = encodeURIComponent(`${prefix}*`)
  const check = (what: string, r: { status: number; body: string }): void => {
    if (r.status >= 300 && r.status !== 404 && r.status !== 400 && r.status !== 405) {
      throw new Error(`cleanup of ${what} ${prefix}* failed: ${r.status} ${r.body.slice(0, 300)}`)
    }
  }
  // Data streams first: their backing indices (.ds-<name>-*) cannot be deleted directly.
  check('data streams', await request('DELETE', `${base}/_data_stream/${pattern}`))
  check('indices', await request('DELETE', `${base}/${pattern}?expand_wildcards=all&ignore_unavailable=true&allow_no_indices=true`))
  // Wildcard DELETE of composable/component templates is not supported by 7.10: list, then delete.
  for (const name of await namesOf(`${base}/_index_template/${pattern}`, 'index_templates')) {
    check('index template', await request('DELETE', `${base}/_index_template/${encodeURIComponent(name)}`))
  }
  for (const name of await namesOf(`${base}/_component_template/${pattern}`, 'component_templates')) {
    check('component template', await request('DELETE', `${base}/_component_template/${encodeURIComponent(name)}`))
  }
  check('legacy templates', await request('DELETE', `${base}/_template/${pattern}`))
}

export interface IndexPrefixHandle {
  /** The current test's prefix (changes before every test). */
  readonly prefix: string
  /** `prefix + suffix`, e.g. `idx.name('logs')`. */
  name(suffix: string): string
}

/**
 * Registers `beforeEach`/`afterEach` hooks in the current suite: a new prefix before each test,
 * deletion of everything under it after. `baseUrl` may be a function for URLs known only later
 * (e.g. a proxy or a per-suite server).
 */
export function useIndexPrefix(baseUrl: string | (() => string), label?: string): IndexPrefixHandle {
  let current = ''
  beforeEach(() => {
    current = newIndexPrefix(label)
  })
  afterEach(async () => {
    const url = typeof baseUrl === 'function' ? baseUrl() : baseUrl
    if (current) await deleteByPrefix(url, current)
  })
  return {
    get prefix() {
      if (!current) throw new Error('useIndexPrefix: prefix is only available inside a test')
      return current
    },
    name(suffix: string) {
      return `${this.prefix}${suffix}`
    },
  }
}
