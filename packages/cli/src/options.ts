/**
 * Command-line parsing shared by the subcommands, on `node:util`'s `parseArgs` (no dependency).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { usageError } from './errors.js'

/** Options every subcommand that talks to a server accepts. */
export const connectionOptions = {
  es: { type: 'string' },
  user: { type: 'string' },
  'api-key': { type: 'string' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>

/** Default Elasticsearch URL when neither `--es` nor `ES_URL` is given. */
export const DEFAULT_ES_URL = 'http://localhost:9200'

/** Default time limit of one HTTP request. */
export const DEFAULT_TIMEOUT_MS = 30_000

/** `parseArgs` in strict mode, with its errors turned into usage errors (exit status 2). */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (err) {
    // parseArgs messages name the option and never echo option values, so they are safe to print.
    throw usageError(err instanceof Error ? err.message : String(err))
  }
}

/** Parses a positive integer option such as `--timeout-ms 5000`. */
export function positiveInteger(value: string | undefined, flag: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value)) throw usageError(`${flag} must be a positive integer, received ${JSON.stringify(value)}`)
  const n = Number(value)
  if (n < 1 || n > max) throw usageError(`${flag} must be between 1 and ${max}, received ${n}`)
  return n
}
