import { crc32 } from 'node:zlib'

/*
 * Record framing of a segment file. Little-endian:
 *
 *   offset 0   magic     4 bytes  F5 54 57 31  ("\xF5TW1": format version 1)
 *   offset 4   crc32     u32      CRC-32 of bytes [8, 12 + bodyLength)
 *   offset 8   bodyLen   u32      length of the body
 *   offset 12  body:     idLen u16, id (UTF-8), line (raw bytes, no trailing \n)
 *
 * Why binary and length-prefixed rather than NDJSON + checksum: the line is opaque bytes on the hot
 * path (no escaping, no scanning for \n), and the length lets the reader skip a record without
 * parsing it. Why a magic marker per record (Vector's disk buffer has none, Fluentd's chunks have
 * none): after a bad CRC in the middle of a file the reader can resync by searching for the next
 * marker instead of giving up on the rest of the segment. 0xF5 never occurs in valid UTF-8, so a
 * marker cannot appear inside a well-formed log line; the CRC (which also covers the length)
 * rejects accidental matches in binary fields.
 */

export const MAGIC = Buffer.from([0xf5, 0x54, 0x57, 0x31])
const MAGIC_U32 = MAGIC.readUInt32LE(0)
export const HEADER_BYTES = 12
const ID_LEN_BYTES = 2
/** ES limits `_id` to 512 bytes; the u16 length field caps what we can frame. */
export const MAX_ID_BYTES = 0xffff
/** Sanity cap when reading: a length field above this is treated as corruption. */
export const MAX_BODY_BYTES = 0x7fffffff

/** Bytes a record for this entry occupies on disk. */
export function recordBytes(idBytes: number, lineBytes: number): number {
  return HEADER_BYTES + ID_LEN_BYTES + idBytes + lineBytes
}

/**
 * The most bytes a record of this line can take: a string is measured by its UTF-8 worst case
 * (3 bytes per UTF-16 unit), so the caller can reserve room without encoding it twice.
 */
export function maxRecordBytes(idBytes: number, line: Buffer | string): number {
  return recordBytes(idBytes, typeof line === 'string' ? line.length * 3 : line.length)
}

/**
 * Encodes one record into `target` at `offset`, which must have {@link maxRecordBytes} of room.
 * Returns the new offset. A string line is UTF-8-encoded straight into `target` (one copy of the
 * line, no intermediate Buffer); the length field is written after, from the bytes it took.
 */
export function encodeRecord(target: Buffer, offset: number, id: string, idBytes: number, line: Buffer | string): number {
  const lineStart = offset + 14 + idBytes
  const lineBytes = typeof line === 'string' ? target.write(line, lineStart, 'utf8') : line.copy(target, lineStart)
  const bodyLen = ID_LEN_BYTES + idBytes + lineBytes
  target.writeUInt32LE(MAGIC_U32, offset)
  target.writeUInt32LE(bodyLen, offset + 8)
  target.writeUInt16LE(idBytes, offset + 12)
  target.write(id, offset + 14, idBytes, 'utf8')
  const end = offset + HEADER_BYTES + bodyLen
  target.writeUInt32LE(crc32(target.subarray(offset + 8, end)), offset + 4)
  return end
}

/** A decoded record: views into the buffer it was decoded from. */
export interface DecodedRecord {
  id: string
  line: Buffer
  /** Total record size in bytes, header included. */
  size: number
}

/**
 * What `decodeRecord` concluded about the bytes at an offset:
 * a record, `'need'` (more bytes must be read, `needBytes` from the offset), or `'bad'`.
 */
export type DecodeResult = DecodedRecord | { need: number } | 'bad'

/**
 * Decodes the record starting at `buf[offset]`. `available` is how many bytes of the file remain
 * from `offset` (so a length that points past the end of the file is corruption, not "need more").
 */
export function decodeRecord(buf: Buffer, offset: number, available: number): DecodeResult {
  const inBuf = buf.length - offset
  if (available < HEADER_BYTES) return 'bad'
  if (inBuf < HEADER_BYTES) return { need: HEADER_BYTES }
  if (buf.readUInt32LE(offset) !== MAGIC_U32) return 'bad'
  const bodyLen = buf.readUInt32LE(offset + 8)
  if (bodyLen < ID_LEN_BYTES || bodyLen > MAX_BODY_BYTES) return 'bad'
  const size = HEADER_BYTES + bodyLen
  if (size > available) return 'bad'
  if (size > inBuf) return { need: size }
  const end = offset + size
  if (crc32(buf.subarray(offset + 8, end)) !== buf.readUInt32LE(offset + 4)) return 'bad'
  const idLen = buf.readUInt16LE(offset + 12)
  if (ID_LEN_BYTES + idLen > bodyLen) return 'bad'
  const idStart = offset + 14
  return {
    id: buf.toString('utf8', idStart, idStart + idLen),
    line: buf.subarray(idStart + idLen, end),
    size,
  }
}
