import type { LoggerOptions } from './types.js'

/**
 * Redacted by default. Only exact paths: pino compiles them into per-key stringifiers that cost nothing for
 * other keys, whereas a leading wildcard (`*.password`) walks every field of every line (measured ~3.4x
 * slower per call with pino 10), so wildcards are left for the user to opt into. Each nested path also
 * makes every line carrying its top-level key clone that object, so the defaults stay with the keys that
 * hold credentials in practice: top-level secrets and HTTP headers.
 */
export const DEFAULT_REDACT_PATHS: readonly string[] = Object.freeze([
  'password', 'token', 'apiKey', 'secret', 'authorization', 'cookie',
  'headers.authorization', 'headers.cookie', 'headers["set-cookie"]',
  'req.headers.authorization', 'req.headers.cookie',
  'res.headers["set-cookie"]',
])

/** pino's `redact` option for the given user setting. */
export function redactOption(setting: LoggerOptions['redact']): { paths: string[]; censor?: string; remove?: boolean } | undefined {
  if (setting === false) return undefined
  if (setting === undefined) return { paths: [...DEFAULT_REDACT_PATHS] }
  if (Array.isArray(setting)) return { paths: [...DEFAULT_REDACT_PATHS, ...setting] }
  const paths = setting.replaceDefaults === true ? [...(setting.paths ?? [])] : [...DEFAULT_REDACT_PATHS, ...(setting.paths ?? [])]
  if (paths.length === 0) return undefined
  return {
    paths,
    ...(setting.censor !== undefined ? { censor: setting.censor } : {}),
    ...(setting.remove !== undefined ? { remove: setting.remove } : {}),
  }
}
