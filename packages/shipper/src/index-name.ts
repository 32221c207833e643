/**
 * The shipper's index names: the line contract's `<prefix>-<service>-YYYYMMDD`
 * (`@tracewire/contract`), with its option mistakes reported as {@link ShipperConfigError}s.
 */
import { createDateFormatter as contractDateFormatter, createIndexNamer as contractIndexNamer, indexPrefixProblem } from '@tracewire/contract'
import type { IndexNamer } from '@tracewire/contract'
import { ShipperConfigError } from './errors.js'

export type { IndexNamer }

/** Validates the prefix and time zone (at construction) and returns a fast index-name function. */
export function createIndexNamer(prefix: string, timeZone: string): IndexNamer {
  const problem = indexPrefixProblem(prefix)
  if (problem) throw new ShipperConfigError(`indexPrefix ${JSON.stringify(prefix)} is not a valid Elasticsearch index name start: ${problem}`)
  createDateFormatter(timeZone)
  return contractIndexNamer(prefix, timeZone)
}

/** Returns `YYYYMMDD` of an epoch-seconds instant in the given zone; throws for an unknown zone. */
export function createDateFormatter(timeZone: string): (timeSeconds: number) => string {
  const format = contractDateFormatter(timeZone)
  if (!format) {
    throw new ShipperConfigError(`indexTimeZone ${JSON.stringify(timeZone)} is not 'UTC', a fixed offset like '+09:00', or an IANA zone name`)
  }
  return format
}
