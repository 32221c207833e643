import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    // The `tracewire` bin: ESM only (package.json has "type": "module"); dist/cli.js keeps the shebang.
    entry: { cli: 'src/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
  },
])
