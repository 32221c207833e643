import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', transport: 'src/transport.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', transport: 'src/transport.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
})
