import type { ChildProcess } from 'node:child_process'

export type EngineName = 'elasticsearch' | 'opensearch'
export declare const MODULE_DIR: string
export declare const ENGINES: readonly ['elasticsearch', 'opensearch']
export declare function findJava(): { bin: string; major: number } | undefined
export declare function mavenAvailable(): boolean
export declare function isBuilt(engine: EngineName): boolean
export declare function buildEngine(engine: EngineName, opts?: { log?: (msg: string) => void }): Promise<void>
export declare function spawnServer(opts: {
  engine: EngineName
  port?: number
  dataDir?: string
  java?: string
  startTimeoutMs?: number
  inheritLogs?: boolean
  /** C1-only JIT + serial GC (default true); false = the JVM's defaults (C2, G1). */
  fastStart?: boolean
}): Promise<{ child: ChildProcess; url: string; logTail: () => string }>
export declare function stopServer(child: ChildProcess, timeoutMs?: number): Promise<void>
