import { ShipperError } from '../errors.js'

/** Stable codes of the errors the disk buffer can throw at open time (never at runtime). */
export type DiskBufferErrorCode =
  | 'TW_SHIPPER_BUFFER_OPTIONS'
  | 'TW_SHIPPER_BUFFER_LOCKED'
  | 'TW_SHIPPER_BUFFER_IO'

/**
 * Raised by `openSegmentLog` only: bad options, a directory another live process holds, or a
 * directory that cannot be created. After open, disk problems are reported, never thrown. A
 * {@link ShipperError}, like every error of the package.
 */
export class DiskBufferError extends ShipperError {
  override readonly name = 'DiskBufferError'
  constructor(
    override readonly code: DiskBufferErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
  }
}
