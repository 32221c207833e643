import { defineConfig } from 'tsup'

import { publishedBuild } from '../../tsup.shared.js'

// The CLI needs the shipper's index template, connection and redaction, not its buffer and bulk
// machinery: bundling `@tracewire/shipper` (a dev dependency) keeps only what the CLI imports, so
// installing `@tracewire/cli` does not install the shipper. `@tracewire/internal` is bundled by every package.
const bundled = { noExternal: ['@tracewire/shipper', '@tracewire/internal'] }

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    ...publishedBuild,
    ...bundled,
  },
  {
    // The `tracewire` bin (run by bin/tracewire.js): ESM only, as package.json has "type": "module".
    entry: { cli: 'src/main.ts' },
    format: ['esm'],
    ...publishedBuild,
    ...bundled,
  },
])
