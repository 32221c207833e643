/**
 * Vitest global setup of the `pipeline` project (root vitest.config.ts): the reference pipeline for real,
 * log files → Fluentd (`in_tail`) → fluent-plugin-elasticsearch → Elasticsearch 7.10.2. Starts the embedded
 * Elasticsearch 7.10.2 as the integration setup does (the Ruby client of the plugin is not expected to
 * accept OpenSearch) and checks the Fluentd runner named by `TRACEWIRE_FLUENTD` (./fluentd.ts), running its
 * first-use installation once here rather than in parallel test files.
 *
 * Like the search servers: a missing runner skips the pipeline suites with a message, but fails the run
 * under `CI=true` or `TRACEWIRE_REQUIRE_SEARCH_SERVERS=1` (set by .ci/run); a runner that is there but does
 * not work always fails the run.
 */
import type { TestProject } from 'vitest/node'
import { locateFluentdRunner, prepareFluentd } from './fluentd.js'
import { serversRequired, setupEngines } from './global-setup.js'
// For the `ProvidedContext` keys it declares.
import type {} from './pipeline.js'

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const located = locateFluentdRunner()
  if (!located.ok) {
    if (serversRequired()) throw new Error(`the real Fluentd is required (CI / TRACEWIRE_REQUIRE_SEARCH_SERVERS) but cannot run: ${located.reason}`)
    console.warn(`[pipeline] Fluentd unavailable, pipeline suites are skipped: ${located.reason}`)
    project.provide('fluentdRunner', '')
    project.provide('pipelineSkipReason', located.reason)
    project.provide('searchEngines', [])
    project.provide('searchEnginesSkipReason', located.reason)
    return async () => {}
  }
  const t0 = performance.now()
  const [version, teardown] = await Promise.all([
    prepareFluentd(located.runner),
    setupEngines(project, ['elasticsearch']),
  ])
  console.warn(`[pipeline] ${version} (${located.runner}) ready in ${Math.round(performance.now() - t0)} ms`)
  project.provide('fluentdRunner', located.runner)
  project.provide('pipelineSkipReason', '')
  return teardown
}
