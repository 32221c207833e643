/**
 * Access to the search servers started by the integration global setup (./global-setup.ts).
 *
 * ```ts
 * describeEngines('bulk shipping', (engine) => {
 *   it('indexes', async () => { await fetch(`${engine.url}/_bulk`, ...) })
 * })
 * ```
 * Test files using these helpers must be named `*.int.test.ts` (only the `integration` vitest
 * project runs the global setup).
 */
import { describe, inject, it } from 'vitest'

export type SearchEngineName = 'elasticsearch' | 'opensearch'

export interface SearchEngineInfo {
  name: SearchEngineName
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:45123`. */
  url: string
  /** `version.number` from `GET /`: `7.10.2` for Elasticsearch, `2.19.x` for OpenSearch. */
  version: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    searchEngines: SearchEngineInfo[]
    /** Empty when the servers run; otherwise why the integration suites are skipped. */
    searchEnginesSkipReason: string
  }
}

const NOT_INTEGRATION = 'no search servers in this run: integration test files must be named *.int.test.ts'

/** The running engines (empty when skipped: see `searchEnginesSkipReason()`). */
export function searchEngines(): SearchEngineInfo[] {
  return (inject('searchEngines') as SearchEngineInfo[] | undefined) ?? []
}

/** Why there are no engines ('' when there are). */
export function searchEnginesSkipReason(): string {
  if (searchEngines().length > 0) return ''
  return (inject('searchEnginesSkipReason') as string | undefined) || NOT_INTEGRATION
}

/** One engine by name, or undefined when it is not running (skipped or deselected). */
export function searchEngine(name: SearchEngineName): SearchEngineInfo | undefined {
  return searchEngines().find((e) => e.name === name)
}

/**
 * `describe(title [engine])` once per running engine. When none runs (no Java/Maven outside CI),
 * registers one skipped test whose name says how to enable the suite.
 */
export function describeEngines(title: string, fn: (engine: SearchEngineInfo) => void): void {
  const engines = searchEngines()
  if (engines.length === 0) {
    describe(title, () => {
      it.skip(`skipped: ${searchEnginesSkipReason()}`, () => {})
    })
    return
  }
  for (const engine of engines) {
    describe(`${title} [${engine.name} ${engine.version}]`, () => fn(engine))
  }
}
