/**
 * Errors of the `tracewire` command. Each carries a stable `code`, the process exit code it maps
 * to, and an optional hint, so `run.ts` prints every failure as one line in one shape:
 * `tracewire: <what failed>: <why> (<hint>)`.
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

/** Options of {@link CliError}. */
export interface CliErrorOptions {
  cause?: unknown
  /** What the user can do about it; printed in parentheses after the message. */
  hint?: string
}

/**
 * A failure the CLI reports as one line on stderr. `message` is `<what failed>: <why>`; messages
 * and hints never hold credentials.
 */
export class CliError extends Error {
  readonly code: CliErrorCode
  readonly exitCode: number
  readonly hint: string | undefined
  constructor(code: CliErrorCode, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'CliError'
    this.code = code
    this.hint = options.hint
    this.exitCode = code === 'TW_CLI_USAGE' ? EXIT.usage : EXIT.failed
  }
}

/** Shorthand for a usage mistake (exit status 2); `run.ts` adds the `--help` hint when there is none. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError('TW_CLI_USAGE', message, hint === undefined ? {} : { hint })
}

/** The one line `tracewire` prints for an error: `tracewire: <what failed>: <why> (<hint>)`. */
export function formatError(err: CliError, command: string | undefined): string {
  const hint = err.hint ?? (err.code === 'TW_CLI_USAGE' && command ? `see "tracewire ${command} --help"` : undefined)
  return `tracewire: ${err.message}${hint ? ` (${hint})` : ''}\n`
}
