import { defineConfig } from 'tsup'

export default defineConfig({
  // `cli` is the `tracewire` bin (dist/cli.js keeps the entry's shebang).
  entry: { index: 'src/index.ts', transport: 'src/transport.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', transport: 'src/transport.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
})
