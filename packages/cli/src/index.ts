/**
 * `@tracewire/cli`: the `tracewire` command (`trace`, `setup`). The bin is the product; this entry
 * lets a program run the same command line in-process (tests, wrappers) without spawning Node.
 */
export { runCli, USAGE } from './run.js'
export { CliError, EXIT } from './errors.js'
export type { CliErrorCode } from './errors.js'
export type { CliIo } from './io.js'
