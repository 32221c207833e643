import { defineConfig } from 'vitest/config'

// One run covers unit tests beside each package and the cross-package/integration tests in test/.
// The global setup starts the real search servers once for the whole run (see test/support).
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
})
