import type { ChildProcess } from 'node:child_process'
import type { EngineName } from './launch.mjs'

export interface ClusterPlanOptions {
  engine: EngineName
  /** Number of nodes, 2-9 (default 3). */
  size?: number
  /** Root directory; node `i` lives in `<dir>/node-<i>/{home,data}`, the plan in `<dir>/cluster.json`. The caller removes it. */
  dir: string
  /** First HTTP port (the others follow); default: free ports. */
  port?: number
  /** Heap per node (default `256m`). */
  heap?: string
  /** `node.processors` per node (default 1). */
  processors?: number
}

export interface ClusterNodePlan {
  name: string
  httpPort: number
  transportPort: number
  url: string
  home: string
  dataDir: string
}

export interface ClusterPlan {
  engine: EngineName
  clusterName: string
  dir: string
  heap: string
  processors: number
  nodes: ClusterNodePlan[]
}

export interface ClusterHealth {
  cluster_name: string
  status: 'green' | 'yellow' | 'red'
  number_of_nodes: number
  timed_out: boolean
  [key: string]: unknown
}

export declare function freeLoopbackPorts(count: number, exclude?: Iterable<number>): Promise<number[]>
export declare function clusterPlan(opts: ClusterPlanOptions): Promise<ClusterPlan>
export declare function spawnClusterNode(
  plan: ClusterPlan,
  index: number,
  opts?: { java?: string; startTimeoutMs?: number; inheritLogs?: boolean },
): Promise<{ child: ChildProcess; url: string; logTail: () => string }>
export declare function waitForClusterHealth(
  url: string,
  opts: { nodes: number; status?: 'green' | 'yellow'; timeoutMs?: number },
): Promise<ClusterHealth>
