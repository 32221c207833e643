/**
 * Vitest global setup of the `integration` project (root vitest.config.ts): starts Elasticsearch
 * 7.10.2 and OpenSearch 2.19 once, in parallel, and `provide`s their URLs to the test files (read them
 * with `searchEngines()` / `describeEngines()` from ./engines.ts). Only runs when integration files
 * (`*.int.test.ts`) are part of the run, so unit-test runs never start a JVM.
 *
 * Environment:
 * - A server that fails to start always fails the run.
 * - `CI=true` (or `TRACEWIRE_REQUIRE_SEARCH_SERVERS=1`, set by .ci/run): a missing Java/Maven fails the run.
 * - otherwise a missing Java/Maven only skips the integration suites (with a message).
 * - `TRACEWIRE_SEARCH_ENGINES=elasticsearch` (comma list): start only these engines.
 * - `TRACEWIRE_ELASTICSEARCH_URL` / `TRACEWIRE_OPENSEARCH_URL`: use an already running server
 *   (e.g. one started with `pnpm search-server`) instead of spawning one.
 */
import type { TestProject } from 'vitest/node'
import { startSearchServer, searchServerPrerequisites, type SearchEngineName, type SearchServer } from './search-server.js'
import type { SearchEngineInfo } from './engines.js'

const ALL: SearchEngineName[] = ['elasticsearch', 'opensearch']

function selectedEngines(): SearchEngineName[] {
  const raw = process.env.TRACEWIRE_SEARCH_ENGINES
  if (!raw) return ALL
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean)
  for (const n of names) {
    if (!ALL.includes(n as SearchEngineName)) throw new Error(`TRACEWIRE_SEARCH_ENGINES: unknown engine "${n}"`)
  }
  return names as SearchEngineName[]
}

async function external(name: SearchEngineName, url: string): Promise<SearchEngineInfo> {
  const res = await fetch(`${url.replace(/\/$/, '')}/`, { signal: AbortSignal.timeout(10_000) })
  const body = (await res.json()) as { version?: { number?: string } }
  return { name, url: url.replace(/\/$/, ''), version: body.version?.number ?? 'unknown' }
}

/** Whether missing prerequisites fail the run instead of skipping (CI, or `TRACEWIRE_REQUIRE_SEARCH_SERVERS=1`). */
export function serversRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1' || env.TRACEWIRE_REQUIRE_SEARCH_SERVERS === '1'
}

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return setupEngines(project, selectedEngines())
}

/** Starts `engines` (or uses their `TRACEWIRE_<ENGINE>_URL`) and provides them to the project's test files. */
export async function setupEngines(project: TestProject, engines: SearchEngineName[]): Promise<() => Promise<void>> {
  const required = serversRequired()
  const started: SearchServer[] = []
  const teardown = async (): Promise<void> => {
    await Promise.all(started.map((s) => s.stop()))
  }

  const needSpawn = engines.filter((e) => !process.env[`TRACEWIRE_${e.toUpperCase()}_URL`])
  const prereq = needSpawn.length > 0 ? searchServerPrerequisites(needSpawn[0]) : ({ ok: true } as const)
  if (!prereq.ok) {
    const reason = `${prereq.reason}: install Java 17 + Maven to run integration tests`
    if (required) throw new Error(`search servers are required (CI / TRACEWIRE_REQUIRE_SEARCH_SERVERS) but cannot run: ${reason}`)
    console.warn(`[integration] search servers unavailable, integration suites are skipped: ${reason}`)
    project.provide('searchEngines', [])
    project.provide('searchEnginesSkipReason', reason)
    return teardown
  }

  const t0 = performance.now()
  const results = await Promise.allSettled(
    engines.map(async (name): Promise<SearchEngineInfo> => {
      const url = process.env[`TRACEWIRE_${name.toUpperCase()}_URL`]
      if (url) return external(name, url)
      const server = await startSearchServer({ engine: name })
      started.push(server)
      return { name, url: server.url, version: server.version }
    }),
  )
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failures.length > 0) {
    await teardown()
    // A server that has Java and Maven but does not start is a real failure, on CI or not.
    throw new AggregateError(failures.map((f) => f.reason), `search server start failed: ${failures.map((f) => String((f.reason as Error).message).split('\n')[0]).join('; ')}`)
  }
  const infos = results.map((r) => (r as PromiseFulfilledResult<SearchEngineInfo>).value)
  console.warn(
    `[integration] search servers ready in ${Math.round(performance.now() - t0)} ms: ${infos.map((i) => `${i.name} ${i.version} ${i.url}`).join(', ')}`,
  )
  project.provide('searchEngines', infos)
  project.provide('searchEnginesSkipReason', '')
  return teardown
}
