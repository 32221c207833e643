/**
 * Durable disk buffer of the shipper: segment files of framed records plus the dead-letter file.
 * Internal to `@tracewire/shipper` (not re-exported from the package entry point); the format and
 * the delivery promise are described in README.md beside this file.
 */
export type {
  DeadLetterFile,
  DeadLetterFileOptions,
  RecoveredEntry,
  SegmentLog,
  SegmentLogOptions,
  SegmentLogReport,
  SpoolEntry,
} from './types.js'
export { openSegmentLog } from './segment-log.js'
export { openDeadLetterFile } from './dead-letter.js'
export { DiskBufferError, type DiskBufferErrorCode } from './errors.js'
