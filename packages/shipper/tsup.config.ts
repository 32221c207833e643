import { defineConfig } from 'tsup'

import { publishedBuild } from '../../tsup.shared.js'

export default defineConfig({
  entry: { index: 'src/index.ts', transport: 'src/transport.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', transport: 'src/transport.ts' } },
  clean: true,
  ...publishedBuild,
})
