import { defineConfig } from 'tsup'

import { publishedBuild } from '../../tsup.shared.js'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  ...publishedBuild,
})
