/**
 * What the shipper's test files open, closed after each test: sinks, shippers and temporary folders.
 * One home for the bookkeeping every such file had written out again.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { BulkSink } from './bulk-sink.js'
import { startBulkSink } from './bulk-sink.js'

interface Closable {
  close(): Promise<unknown>
}

/** The resources of one test file; call once at its top level (it registers an `afterEach`). */
export interface TestResources {
  /** A loopback `_bulk` sink, closed after the test. */
  sink(options?: Parameters<typeof startBulkSink>[0]): Promise<BulkSink>
  /** A new temporary folder, removed after the test. */
  tempDir(): string
  /** Removes `dir` after the test (a folder the test did not make with {@link TestResources.tempDir}). */
  removeAfter(dir: string): void
  /** Closes `resource` after the test; returns it. */
  track<T extends Closable>(resource: T): T
}

/**
 * After each test everything tracked is closed, last opened first (a shipper before the sink it sends
 * to), then the folders are removed.
 */
export function useTestResources(dirPrefix = 'tw-shipper-'): TestResources {
  const open: Closable[] = []
  const dirs: string[] = []
  afterEach(async () => {
    for (const resource of open.splice(0).reverse()) await resource.close()
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  const track = <T extends Closable>(resource: T): T => {
    open.push(resource)
    return resource
  }
  return {
    sink: async (options) => track(await startBulkSink(options)),
    tempDir: () => {
      const dir = mkdtempSync(join(tmpdir(), dirPrefix))
      dirs.push(dir)
      return dir
    },
    removeAfter: (dir) => void dirs.push(dir),
    track,
  }
}

/** The `seq` fields of the documents a sink holds, ascending. */
export function seqList(sink: BulkSink): number[] {
  return [...sink.docs.values()].map((d) => (JSON.parse(d.source) as { seq: number }).seq).sort((a, b) => a - b)
}
