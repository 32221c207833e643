import * as zlib from 'node:zlib'

/**
 * CRC-32 (IEEE 802.3, the zlib/gzip polynomial) of `data[start, end)`.
 *
 * `zlib.crc32` is native and fast but only exists since Node 20.15 / 22.2; our floor is Node 20.0,
 * so older 20.x lines fall back to a table implementation. Both produce the same value, so segment
 * files stay readable across Node upgrades. We use plain CRC-32 rather than Vector's CRC-32C
 * because it is what Node ships natively; either catches torn writes and flipped bytes.
 */
export const crc32: (data: Buffer, start: number, end: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data, start, end) => zlib.crc32(data.subarray(start, end))
    : tableCrc32

let table: Uint32Array | undefined

function makeTable(): Uint32Array {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
}

/** Table-driven CRC-32; exported so tests can check it against the native one. */
export function tableCrc32(data: Buffer, start: number, end: number): number {
  const t = (table ??= makeTable())
  let c = 0xffffffff
  for (let i = start; i < end; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
