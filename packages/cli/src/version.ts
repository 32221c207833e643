/** The version `tracewire --version` prints: read from package.json at build time (tsup inlines it). */
import packageJson from '../package.json' with { type: 'json' }

/** Version of `@tracewire/cli`, e.g. `0.1.0`. */
export const VERSION: string = packageJson.version
