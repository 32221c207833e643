/**
 * Command-line parsing shared by the subcommands, on `node:util`'s `parseArgs` (no dependency).
 * `parseArgs` runs non-strict and the tokens are checked here: its own strict-mode messages
 * ("Unknown option '--x'. To specify a positional argument starting with a '-'…") are not the
 * CLI's style and cannot name the option the user meant.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { LINE_SCHEMAS, type LineSchema } from '@tracewire/contract'
import { closestName, type ClosestNameOptions } from '@tracewire/internal'
import { usageError } from './errors.js'

/**
 * How the command matches a misspelt command, option or value: no guess when nothing is near (a random
 * word is not "did you mean setup?"), and a missing unit is near (`--timeout` for `--timeout-ms`).
 */
export const NEAR_NAME: ClosestNameOptions = { onlyNear: true, unitSuffix: true }

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

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * Parses `args` against `options`. Throws a usage error (exit status 2) for an unknown option (naming
 * the closest valid one), a string option without a value, or a boolean option given a value.
 */
export function parseCommandLine<T extends Options>(
  args: string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  const { tokens, values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true })
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    const config = options[token.name]
    if (config === undefined) throw unknownOption(token.rawName, options)
    if (config.type === 'string' && token.value === undefined) throw usageError(`${token.rawName}: needs a value`)
    if (config.type === 'boolean' && token.inlineValue) throw usageError(`${token.rawName}: takes no value`)
  }
  return { values, positionals } as ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>
}

function unknownOption(rawName: string, options: Options) {
  // A one-letter flag is too short to guess from: any other letter would be "closest".
  const closest = rawName.startsWith('--') ? closestName(rawName, Object.keys(options).map((name) => `--${name}`), NEAR_NAME) : undefined
  return usageError(`${rawName}: unknown option`, closest ? `did you mean ${closest}?` : undefined)
}

/** Parses a positive integer option such as `--timeout-ms 5000`. */
export function positiveInteger(value: string | undefined, flag: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  return integerOption(value, flag, fallback, 1, max)
}

/** Parses an integer option between `min` and `max` (inclusive), e.g. `--replicas 0`. */
export function integerOption(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value)) throw usageError(`${flag}: must be a whole number from ${min} to ${max}, received ${JSON.stringify(value)}`)
  const n = Number(value)
  if (n < min || n > max) throw usageError(`${flag}: must be from ${min} to ${max}, received ${n}`)
  return n
}

/**
 * Parses `--schema default|ecs` (the line schemas of `@tracewire/contract`). Throws a usage error naming
 * the closest schema on a typo (`ECS` and `ecs ` are typos too: the names are exact, as in the logger's option).
 */
export function schemaOption(value: string | undefined, flag: string, fallback: LineSchema): LineSchema {
  if (value === undefined) return fallback
  const schema = LINE_SCHEMAS.find((name) => name === value)
  if (schema !== undefined) return schema
  const closest = closestName(value, LINE_SCHEMAS, NEAR_NAME)
  throw usageError(`${flag}: must be ${LINE_SCHEMAS.join(' or ')}, received ${JSON.stringify(value)}`, closest ? `did you mean ${closest}?` : undefined)
}
