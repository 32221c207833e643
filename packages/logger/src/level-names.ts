import pino, { type Logger as PinoLogger } from 'pino'

const { setLevelSym } = pino.symbols

function lower(level: unknown): unknown {
  return typeof level === 'string' ? level.toLowerCase() : level
}

/**
 * Makes level names case-insensitive on a logger and every child made from it, as they are in the `level`
 * option and `LOG_LEVEL`: `logger.level = 'DEBUG'`, `logger.child({}, { level: 'WARN' })` and
 * `logger.isLevelEnabled('INFO')` behave as with lowercase names instead of throwing "unknown level" (or
 * answering false).
 *
 * pino's `level` setter and `child()` both go through the instance's `setLevelSym` method, so one own
 * method on the root covers both; children are created with `Object.create(parent)` and inherit it.
 */
export function caseInsensitiveLevels(logger: PinoLogger): void {
  const instance = logger as unknown as Record<symbol | string, unknown>
  const setLevel = instance[setLevelSym] as (this: unknown, level: unknown) => void
  const isLevelEnabled = logger.isLevelEnabled
  instance[setLevelSym] = function setLevelAnyCase(this: unknown, level: unknown): void {
    setLevel.call(this, lower(level))
  }
  instance.isLevelEnabled = function isLevelEnabledAnyCase(this: PinoLogger, level: string): boolean {
    return isLevelEnabled.call(this, lower(level) as string)
  }
}
