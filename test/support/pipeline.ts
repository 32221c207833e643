/**
 * For `*.pipeline.test.ts` files (vitest project `pipeline`, global setup ./pipeline-setup.ts): the
 * Fluentd runner and the Elasticsearch 7.10.2 the setup provides, and small Elasticsearch reads.
 */
import { describe, inject, it } from 'vitest'
import { searchEngine, searchEnginesSkipReason, type SearchEngineInfo } from './engines.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the Fluentd runner, '' when the pipeline suites are skipped. */
    fluentdRunner: string
    /** Why the pipeline suites are skipped ('' when Fluentd and Elasticsearch run). */
    pipelineSkipReason: string
  }
}

export interface PipelineContext {
  /** The Fluentd runner script (`TRACEWIRE_FLUENTD`). */
  runner: string
  elasticsearch: SearchEngineInfo
}

/**
 * `describe(title)` with the running Fluentd and Elasticsearch; when either is missing (outside CI),
 * registers one skipped test whose name says why.
 */
export function describePipeline(title: string, fn: (ctx: PipelineContext) => void): void {
  const runner = (inject('fluentdRunner') as string | undefined) ?? ''
  const elasticsearch = searchEngine('elasticsearch')
  if (runner === '' || elasticsearch === undefined) {
    const reason = (inject('pipelineSkipReason') as string | undefined) || searchEnginesSkipReason() || 'pipeline test files must be named *.pipeline.test.ts'
    describe(title, () => {
      it.skip(`skipped: ${reason}`, () => {})
    })
    return
  }
  describe(title, () => fn({ runner, elasticsearch }))
}

/** JSON from Elasticsearch; throws with the body on a non-2xx answer. */
export async function esJson<T>(url: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} -> ${res.status}: ${text.slice(0, 1000)}`)
  return JSON.parse(text) as T
}

export interface IndexedDocument {
  _index: string
  _id: string
  _source: Record<string, unknown>
}

/** Every document of the indices matching `pattern` (refreshed first), at most 10,000. */
export async function allDocuments(esUrl: string, pattern: string): Promise<IndexedDocument[]> {
  await esJson(`${esUrl}/${pattern}/_refresh?allow_no_indices=true`, { method: 'POST' })
  const res = await esJson<{ hits: { hits: IndexedDocument[] } }>(`${esUrl}/${pattern}/_search?allow_no_indices=true`, {
    method: 'POST',
    body: { size: 10_000, query: { match_all: {} } },
  })
  return res.hits.hits
}

/** Names of the indices matching `pattern`, sorted. */
export async function indexNames(esUrl: string, pattern: string): Promise<string[]> {
  const rows = await esJson<Array<{ index: string }>>(`${esUrl}/_cat/indices/${pattern}?format=json&expand_wildcards=all`)
  return rows.map((r) => r.index).sort()
}

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value either way. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let value = await read()
  while (!done(value) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs))
    value = await read()
  }
  return value
}
