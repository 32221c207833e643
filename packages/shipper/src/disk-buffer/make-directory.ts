import { mkdir, stat } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * `mkdir -p` that always ends. Not `mkdir(dir, { recursive: true })`: on Node 20 that retries
 * forever, at 100 % CPU of a libuv thread, where mkdir of an existing parent's child answers
 * ENOENT (any path under `/proc`), so opening the buffer never settled. Here each level is tried
 * once; the error of the deepest level that cannot be created is thrown.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir)
    return
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST' && (await isDirectory(dir))) return
    const parent = dirname(dir)
    if (code !== 'ENOENT' || parent === dir) throw err
    await makeDirectory(parent)
  }
  try {
    await mkdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await isDirectory(dir))) return
    throw err
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false
}
