import { defineConfig } from 'tsup'

import { publishedBuild } from '../../tsup.shared.js'

export default defineConfig({
  // One entry per framework, so no entry's types import a framework the user may not have.
  entry: { index: 'src/index.ts', express: 'src/express-entry.ts', fastify: 'src/fastify-entry.ts', register: 'src/register.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  ...publishedBuild,
  // import.meta.url (resolving the OpenTelemetry loader hook in esm-hook.ts) must also work in the CJS build.
  shims: true,
})
