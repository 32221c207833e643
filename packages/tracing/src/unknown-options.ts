import { closestName } from '@tracewire/internal'
import { TracingError } from './errors.js'

/**
 * Throws {@link TracingError} `TW_TRACING_INVALID_OPTION` when `options` is not an object or has a name that
 * is not in `valid`, naming the closest valid one: a misspelt option (`skipPath`, `nodehttp`) would
 * otherwise be ignored silently and the default the user meant to change would stay in force.
 * `tolerated` names are accepted without being listed as valid (a framework's own keys).
 */
export function refuseUnknownOptions(options: unknown, valid: Record<string, true>, where: string, tolerated: readonly string[] = []): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TracingError('TW_TRACING_INVALID_OPTION', `${where} must be an object, received ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`)
  }
  const names = Object.keys(valid)
  for (const key of Object.keys(options)) {
    if (Object.prototype.hasOwnProperty.call(valid, key) || tolerated.includes(key)) continue
    const closest = closestName(key, names)
    throw new TracingError(
      'TW_TRACING_INVALID_OPTION',
      `Unknown option ${JSON.stringify(key.slice(0, 100))} in ${where}${closest === undefined ? '' : `: did you mean "${closest}"?`} (valid: ${names.join(', ')})`,
    )
  }
}
