import { DiskBufferError } from './errors.js'
import type { SegmentLogOptions } from './types.js'

/**
 * Checks the options of `openSegmentLog` and returns the directory.
 *
 * @throws DiskBufferError `TW_SHIPPER_BUFFER_OPTIONS` naming the option and the value received.
 */
export function validateSegmentLogOptions(o: SegmentLogOptions): string {
  const bad = (what: string, got: unknown): never => {
    throw new DiskBufferError('TW_SHIPPER_BUFFER_OPTIONS', `disk buffer option ${what}; received ${JSON.stringify(got)}`)
  }
  if (typeof o.dir !== 'string' || o.dir === '') bad('dir must be a non-empty path', o.dir)
  if (!Number.isFinite(o.maxDiskBytes) || o.maxDiskBytes <= 0) bad('maxDiskBytes must be a positive number', o.maxDiskBytes)
  if (o.segmentMaxBytes !== undefined && (!Number.isFinite(o.segmentMaxBytes) || o.segmentMaxBytes <= 0)) {
    bad('segmentMaxBytes must be a positive number', o.segmentMaxBytes)
  }
  if (!Number.isFinite(o.fsyncIntervalMs) || o.fsyncIntervalMs < 0) bad('fsyncIntervalMs must be >= 0', o.fsyncIntervalMs)
  if (o.maxPendingBytes !== undefined && (!Number.isFinite(o.maxPendingBytes) || o.maxPendingBytes <= 0)) {
    bad('maxPendingBytes must be a positive number', o.maxPendingBytes)
  }
  if (o.reportIntervalMs !== undefined && (!Number.isFinite(o.reportIntervalMs) || o.reportIntervalMs < 0)) {
    bad('reportIntervalMs must be >= 0', o.reportIntervalMs)
  }
  return o.dir
}
