/** File system calls the segment log makes that need more than one syscall or a platform exception. */
import { open, type FileHandle } from 'node:fs/promises'

/** Writes every byte of `bufs` (`writev` may write less than asked). */
export async function writeAll(fh: FileHandle, bufs: Buffer[], bytes: number): Promise<void> {
  let rest = bufs
  let left = bytes
  for (;;) {
    const { bytesWritten } = await fh.writev(rest)
    left -= bytesWritten
    if (left <= 0) return
    if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' })
    let skip = bytesWritten
    const next: Buffer[] = []
    for (const b of rest) {
      if (skip >= b.length) skip -= b.length
      else {
        next.push(skip > 0 ? b.subarray(skip) : b)
        skip = 0
      }
    }
    rest = next
  }
}

/**
 * fsyncs the directory so a newly created segment file survives power loss (a file's own fsync
 * does not persist its directory entry on Linux; Vector PRs #25766/#25779 add the same).
 * Unsupported on some platforms (Windows): ignored there.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err
  } finally {
    await fh?.close().catch(() => undefined)
  }
}
