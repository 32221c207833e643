import type { Options } from 'tsup'

/**
 * Build options every published package shares.
 *
 * Source maps are shipped without `sourcesContent`: with `node --enable-source-maps` a stack trace still
 * names the `src/*.ts` file and line (which match the tagged repository), while the embedded sources were
 * about half of each packed tarball (shipper 301 KB → 161 KB) and every install paid for them. `.d.ts` maps
 * are not built: `src/` is not in the tarball, so "go to definition" could not reach it anyway.
 */
export const publishedBuild: Pick<Options, 'sourcemap' | 'target' | 'esbuildOptions' | 'noExternal'> = {
  // `@tracewire/internal` is never published (packages/internal/README.md): what a package uses of it is
  // bundled into that package's dist, so no tarball depends on it.
  noExternal: ['@tracewire/internal'],
  sourcemap: true,
  target: 'node20',
  esbuildOptions(options) {
    options.sourcesContent = false
  },
}
