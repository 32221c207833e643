import type { ChildProcess } from 'node:child_process'

export type EngineName = 'elasticsearch' | 'opensearch'
export declare const MODULE_DIR: string
export declare const ENGINES: readonly ['elasticsearch', 'opensearch']
export declare function findJava(): { bin: string; major: number } | undefined
export declare function mavenAvailable(): boolean
export declare function isBuilt(engine: EngineName): boolean
export declare function buildEngine(engine: EngineName, opts?: { log?: (msg: string) => void }): Promise<void>

/** What one cluster member needs besides the single-node options (see cluster.mjs `clusterPlan`). */
export interface ClusterMemberOptions {
  clusterName: string
  nodeName: string
  transportPort: number
  /** `127.0.0.1:PORT` of every member's transport, this one included. */
  seedHosts: string[]
  initialMasterNodes: string[]
  /** Kept on exit (the caller deletes it): logs, ports files. */
  home: string
  /** `node.processors`: thread pool sizes. */
  processors?: number
}

export interface SpawnServerOptions {
  engine: EngineName
  port?: number
  dataDir?: string
  java?: string
  startTimeoutMs?: number
  inheritLogs?: boolean
  /** C1-only JIT + serial GC (default true); false = the JVM's defaults (C2, G1). */
  fastStart?: boolean
  /** `-Xms`/`-Xmx`, e.g. `256m` (default `512m`). */
  heap?: string
  cluster?: ClusterMemberOptions
}

export declare function spawnServer(opts: SpawnServerOptions): Promise<{ child: ChildProcess; url: string; logTail: () => string }>
export declare function stopServer(child: ChildProcess, timeoutMs?: number): Promise<void>
