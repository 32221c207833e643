import { randomUUID } from 'node:crypto'
import { readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { DiskBufferError } from './errors.js'

/**
 * Directories locked by live SegmentLogs of this thread. A lock file carrying our own pid and
 * thread id but no entry here was left by an instance abandoned without close() (a simulated
 * crash in tests); it is stale. Module state is per thread, hence the thread id in the file.
 */
const heldInProcess = new Set<string>()

export const LOCK_FILE = 'lock'
/** Guard of a stale-lock takeover (see `removeIfUnchanged`). */
const TAKEOVER_FILE = 'lock.takeover'
/** A takeover takes milliseconds; a guard this old was left by a crash. */
const STALE_TAKEOVER_MS = 10_000
/** A lock file without a readable pid younger than this is still being written by its owner. */
const UNREADABLE_LOCK_MS = 2000

/**
 * One process per buffer directory, enforced by a `lock` file holding the owner's pid and thread
 * id (`<pid> <threadId> <nonce>`; the shipper may run in a pino transport worker thread).
 *
 * Kept simple on purpose (Fluentd relies on one worker per buffer path without a lock at all):
 * the file is created with O_EXCL; if it exists and names a live pid (signal 0 succeeds or fails
 * with EPERM), opening fails with TW_SHIPPER_BUFFER_LOCKED; a dead pid (or garbage) is stale and
 * taken over. Another thread of our own process holding it counts as live (a worker thread that
 * died without close() keeps the directory locked until the process exits). Known limits,
 * documented in README.md: pid reuse after a crash can make a stale lock look live (delete the
 * file by hand), and it is not meant for network file systems shared by several hosts.
 */
export async function acquireLock(dir: string): Promise<void> {
  if (heldInProcess.has(dir)) {
    throw new DiskBufferError('TW_SHIPPER_BUFFER_LOCKED', `buffer directory ${dir} is already open in this process`)
  }
  // Reserved before the first await: two opens in this thread cannot both get past the check above.
  heldInProcess.add(dir)
  try {
    await takeLock(dir)
  } catch (err) {
    heldInProcess.delete(dir)
    throw err
  }
}

async function takeLock(dir: string): Promise<void> {
  const file = join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await writeFile(file, lockText(), { flag: 'wx' })
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DiskBufferError('TW_SHIPPER_BUFFER_IO', `cannot create lock file in ${dir}: ${(err as Error).message}`, { cause: err })
      }
    }
    const seen = await readFile(file, 'utf8').catch(() => undefined)
    if (seen === undefined) continue // released meanwhile: try again
    const [pidText = '', threadText = '0'] = seen.trim().split(/\s+/)
    const owner = Number.parseInt(pidText, 10)
    const ownerThread = Number.parseInt(threadText, 10)
    if (owner === process.pid && ownerThread !== threadId) {
      throw new DiskBufferError('TW_SHIPPER_BUFFER_LOCKED', `buffer directory ${dir} is locked by thread ${ownerThread} of this process`)
    }
    if (owner !== process.pid && isAlive(owner)) {
      throw new DiskBufferError('TW_SHIPPER_BUFFER_LOCKED', `buffer directory ${dir} is locked by live process ${owner}`)
    }
    // Creating the file and writing its content are two steps: an empty or partial lock may be one
    // another starter is writing right now. It is garbage (stale) only once it has stayed so a while.
    if (!(owner > 0) && (await ageMs(file)) < UNREADABLE_LOCK_MS) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      continue
    }
    await removeIfUnchanged(dir, file, seen)
  }
  throw new DiskBufferError('TW_SHIPPER_BUFFER_LOCKED', `could not take the lock of buffer directory ${dir}`)
}

/**
 * Removes a stale lock only while it is still the file judged stale. Two starters may both judge
 * the same stale lock; without this, the slower one unlinked the fresh lock the faster one had just
 * created, and both ran on one directory. The check and the unlink happen under a guard file only
 * one starter can create, and every lock carries a nonce, so "unchanged" means the same file.
 */
async function removeIfUnchanged(dir: string, file: string, seen: string): Promise<void> {
  const guard = join(dir, TAKEOVER_FILE)
  try {
    await writeFile(guard, lockText(), { flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new DiskBufferError('TW_SHIPPER_BUFFER_IO', `cannot create ${guard}: ${(err as Error).message}`, { cause: err })
    }
    // Another starter is taking over. A guard left by a crash in the middle of a takeover is old.
    if ((await ageMs(guard)) > STALE_TAKEOVER_MS) await unlink(guard).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 10))
    return
  }
  try {
    if ((await readFile(file, 'utf8').catch(() => undefined)) === seen) await unlink(file).catch(() => undefined)
  } finally {
    await unlink(guard).catch(() => undefined)
  }
}

/** Milliseconds since `file` was last modified (0 when it is gone). */
async function ageMs(file: string): Promise<number> {
  const st = await stat(file).catch(() => undefined)
  return st ? Date.now() - st.mtimeMs : 0
}

/** Writes the lock file again (after the directory was deleted and recreated under us). */
export async function rewriteLock(dir: string): Promise<void> {
  await writeFile(join(dir, LOCK_FILE), lockText())
}

/** Releases the lock: removes the file (best effort) and forgets the directory. */
export async function releaseLock(dir: string): Promise<void> {
  heldInProcess.delete(dir)
  await unlink(join(dir, LOCK_FILE)).catch(() => undefined)
}

/** Forgets the directory without touching the file, as a killed process would. */
export function abandonLock(dir: string): void {
  heldInProcess.delete(dir)
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function lockText(): string {
  // The nonce makes every lock file's content unique (see removeIfUnchanged); readers use the first two fields.
  return `${process.pid} ${threadId} ${randomUUID()}\n`
}
