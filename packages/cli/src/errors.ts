/**
 * Errors of the `tracewire` command. Each carries a stable `code` and the process exit code it maps
 * to, so `run.ts` turns any failure into one line on stderr and a documented exit status.
 */

/** Exit statuses of `tracewire` (documented in the README). */
export const EXIT = {
  /** The command did what was asked (for `trace`: lines were found). */
  ok: 0,
  /** `trace`: no line carries that trace id in the searched indices. */
  notFound: 1,
  /** Bad command line: unknown option, missing value, malformed trace id. */
  usage: 2,
  /** The server could not be reached or answered with an error. */
  failed: 3,
} as const

/** Stable codes of the CLI's errors. */
export type CliErrorCode =
  | 'TW_CLI_USAGE'
  | 'TW_CLI_REQUEST'
  | 'TW_CLI_RESPONSE'
  | 'TW_CLI_UNSUPPORTED'
  /** `trace --html`: the page could not be written. */
  | 'TW_CLI_OUTPUT'
  /** `ui`: the server could not listen (port in use, unknown address). */
  | 'TW_CLI_LISTEN'

/** A failure the CLI reports as one line on stderr. Messages never hold credentials. */
export class CliError extends Error {
  readonly code: CliErrorCode
  readonly exitCode: number
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CliError'
    this.code = code
    this.exitCode = code === 'TW_CLI_USAGE' ? EXIT.usage : EXIT.failed
  }
}

/** Shorthand for a usage mistake (exit status 2). */
export function usageError(message: string): CliError {
  return new CliError('TW_CLI_USAGE', message)
}
