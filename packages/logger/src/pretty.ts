import { ECS_VERSION_FIELD, lineFields } from '@tracewire/contract'
import { LoggerConfigError } from './errors.js'
import type { PrettyOptions } from './types.js'

/** pino-pretty reads dotted keys as paths; ECS writes `"log.level"` as one key, so its dots are escaped. */
function escapeDots(key: string): string {
  return key.replaceAll('.', '\\.')
}

/**
 * The exact `pino-pretty` settings that show tracewire lines (FORMAT.md) for people in development: the
 * message as the message, the local time of `@timestamp`, the level, and only the fields that differ between
 * lines. Formatting for people is a development tool, so `pino-pretty` is not a dependency of this package:
 * install it where you run it.
 *
 * @param schema the logger's `schema` (`'default'` or `'ecs'`), default `'default'`.
 * @returns a new object each call (safe to spread and extend, e.g. with `colorize`).
 * @throws {@link LoggerConfigError} `TW_LOGGER_INVALID_OPTION` for another `schema`.
 */
export function prettyOptions(schema: 'default' | 'ecs' = 'default'): PrettyOptions {
  if (schema !== 'default' && schema !== 'ecs') {
    throw new LoggerConfigError('TW_LOGGER_INVALID_OPTION', `Invalid schema ${String(JSON.stringify(schema) ?? schema)} for prettyOptions: expected "default" or "ecs"`)
  }
  const names = lineFields(schema)
  const repeated = [names.time, names.service, names.host, names.pid, ...(schema === 'ecs' ? [ECS_VERSION_FIELD] : [])]
  return {
    messageKey: names.message,
    timestampKey: names.timestamp,
    levelKey: escapeDots(names.level),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: repeated.map(escapeDots).join(','),
  }
}
