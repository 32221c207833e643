import { defineConfig } from 'vitest/config'

// Three projects share the root options below:
// - `unit`: every *.test.ts except integration and pipeline files; never starts a JVM.
// - `integration`: *.int.test.ts anywhere (packages/*/test, test/, examples/*/test). Its global setup
//   starts the embedded Elasticsearch 7.10.2 and OpenSearch 2.19 servers once for the whole run
//   (test/support/global-setup.ts).
// - `pipeline`: *.pipeline.test.ts, the reference pipeline for real: the real Fluentd (TRACEWIRE_FLUENTD)
//   tailing files into its own embedded Elasticsearch 7.10.2 (test/support/pipeline-setup.ts).
// Vitest only runs a project's global setup when that project has files in the run, so
// `pnpm vitest run packages/logger` starts nothing.
const unitInclude = ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts']
const integrationInclude = unitInclude.map((p) => p.replace(/\*\.test\.ts$/, '*.int.test.ts'))
const pipelineInclude = unitInclude.map((p) => p.replace(/\*\.test\.ts$/, '*.pipeline.test.ts'))

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: unitInclude,
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.int.test.ts', '**/*.pipeline.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integrationInclude,
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['test/support/global-setup.ts'],
          // Real servers: bulk requests and restarts take longer than unit tests; the first run also
          // downloads the server jars from Maven Central.
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // Integration files mostly wait on the servers, so run more of them at once than vitest's
          // default (CPUs - 1, i.e. one file at a time on a 2-core CI box). A project with its own
          // maxWorkers needs its own group: unit files run first, then integration files.
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'pipeline',
          include: pipelineInclude,
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['test/support/pipeline-setup.ts'],
          // Fluentd flushes every 5 s and discovers files every 5 s; the rotation test writes for ~40 s.
          testTimeout: 120_000,
          // The first run installs Fluentd's Ruby packages (apt) and may download the server jars.
          hookTimeout: 600_000,
          // One file at a time (about 90 s): in one run with two at once on a loaded 2-core machine, Fluentd
          // indexed 303 of 305 lines twice (its retried bulk requests carry no _id; FORMAT.md lists that
          // difference between the routes). Two at once takes about 65 s when it passes.
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
})
