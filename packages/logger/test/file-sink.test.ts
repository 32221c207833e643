// The file writer's encoding (file-sink.ts): each batch is encoded into one reused buffer, or copied whole
// when it does not fit. Either way the file holds exactly the UTF-8 bytes `Buffer.from` gives for the lines.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FileSink } from '../src/file-sink.js'
import { tempDir } from './helpers.js'

/** Lines of `width` characters from `alphabet`, numbered so that a lost, repeated or reordered line shows. */
function lines(count: number, width: number, alphabet: string): string[] {
  const chars = [...alphabet]
  return Array.from({ length: count }, (_, i) => {
    let body = ''
    while (body.length < width) body += chars[(i + body.length) % chars.length]
    return `{"seq":${i},"text":"${body}"}\n`
  })
}

describe('file writer: the bytes on disk', () => {
  it('ASCII, two- to four-byte characters and batches larger than the reused buffer are written byte for byte', async () => {
    const file = path.join(tempDir(), 'app.log')
    const sink = new FileSink(file, undefined)
    const written: string[] = []
    // Small batches (encoded into the reused buffer), then 64 KiB-character batches of three-byte characters
    // (192 KiB of UTF-8: more than the buffer holds, so copied whole), then emoji (surrogate pairs).
    for (const [count, width, alphabet] of [[500, 80, 'abc xyz'], [300, 700, '日本語テキスト'], [200, 300, 'é🚀ü€'], [50, 40, 'plain']] as const) {
      for (const line of lines(count, width, alphabet)) {
        sink.write(line)
        written.push(line)
      }
      sink.flushSync()
    }
    await sink.end()
    expect(fs.readFileSync(file).equals(Buffer.from(written.join('')))).toBe(true)
  })

  it('two sinks flushing in turn (one shared encoding buffer) each write only their own lines', async () => {
    const dir = tempDir()
    const a = new FileSink(path.join(dir, 'a.log'), undefined)
    const b = new FileSink(path.join(dir, 'b.log'), undefined)
    const aLines = lines(400, 120, 'aé日')
    const bLines = lines(400, 90, 'b🚀')
    for (let i = 0; i < 400; i++) {
      a.write(aLines[i] as string)
      b.write(bLines[i] as string)
      if (i % 37 === 0) {
        a.flushSync()
        b.flushSync()
      }
    }
    await Promise.all([a.end(), b.end()])
    expect(fs.readFileSync(path.join(dir, 'a.log'), 'utf8')).toBe(aLines.join(''))
    expect(fs.readFileSync(path.join(dir, 'b.log'), 'utf8')).toBe(bLines.join(''))
  })

  it('a lone surrogate handed to the writer becomes U+FFFD, as Buffer.from writes it', async () => {
    const file = path.join(tempDir(), 'app.log')
    const sink = new FileSink(file, undefined)
    const line = '{"text":"a\ud800b\udfffc"}\n'
    sink.write(line)
    await sink.end()
    expect(fs.readFileSync(file).equals(Buffer.from(line))).toBe(true)
    expect(fs.readFileSync(file, 'utf8')).toBe('{"text":"a\ufffdb\ufffdc"}\n')
  })
})
