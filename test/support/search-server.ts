/**
 * Programmatic start/stop of an embedded Elasticsearch 7.10.2 or OpenSearch 2.19 node (a JVM built
 * from test/search-server by Maven). Used by the integration global setup and directly by tests that
 * need their own server, e.g. to stop and restart it:
 *
 * ```ts
 * const dataDir = await mkdtemp(join(tmpdir(), 'es-data-'))
 * const first = await startSearchServer({ engine: 'elasticsearch', dataDir })
 * // ... index documents ...
 * await first.stop()                       // server down: connections to first.port are refused
 * const again = await startSearchServer({ engine: 'elasticsearch', port: first.port, dataDir })
 * // same URL, same documents
 * await again.stop(); await rm(dataDir, { recursive: true, force: true })
 * ```
 */
import { buildEngine, findJava, isBuilt, mavenAvailable, spawnServer, stopServer } from '../search-server/launch.mjs'

export type SearchEngineName = 'elasticsearch' | 'opensearch'

export interface StartSearchServerOptions {
  engine: SearchEngineName
  /** HTTP port on 127.0.0.1; 0 or absent picks a free one. Pass a previous server's `port` to restart "in place". */
  port?: number
  /**
   * Data directory to use (and keep) instead of a temporary one deleted on exit. Start again with the
   * same `dataDir` after `stop()` and the indexed documents are still there. The caller removes it.
   */
  dataDir?: string
  /** Time allowed from JVM spawn to the READY line (default 120 s). */
  startTimeoutMs?: number
}

export interface SearchServer {
  engine: SearchEngineName
  /** e.g. `http://127.0.0.1:45123` (no trailing slash). */
  url: string
  port: number
  /** `version.number` from `GET /`, e.g. `7.10.2` or `2.19.6`. */
  version: string
  /** Stops the JVM (SIGTERM, SIGKILL after 20 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>
  /** Last server log lines (stderr), for assertion messages. */
  logTail(): string
}

/** Thrown when Java or Maven is missing; `code` is stable so callers can decide to skip. */
export class SearchServerUnavailableError extends Error {
  readonly code = 'SEARCH_SERVER_UNAVAILABLE'
  constructor(message: string) {
    super(message)
    this.name = 'SearchServerUnavailableError'
  }
}

/**
 * Whether this machine can run the embedded servers: a JDK 17+ and either Maven or an already
 * built class path. Returns the reason when it cannot.
 */
export function searchServerPrerequisites(engine: SearchEngineName = 'elasticsearch'): { ok: true } | { ok: false; reason: string } {
  if (!findJava()) return { ok: false, reason: 'Java 17 not found (install a JDK 17 or set JAVA_HOME)' }
  if (!isBuilt(engine) && !mavenAvailable()) return { ok: false, reason: 'Maven not found (install Maven 3.8+)' }
  return { ok: true }
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  const body = await res.text()
  if (!res.ok) throw new Error(`GET ${url} -> ${res.status}: ${body.slice(0, 500)}`)
  return JSON.parse(body) as unknown
}

/**
 * Builds (if needed), spawns and waits for one server: READY line, then
 * `GET /_cluster/health?wait_for_status=yellow`, then `GET /` for the version.
 */
export async function startSearchServer(options: StartSearchServerOptions): Promise<SearchServer> {
  const { engine } = options
  const prereq = searchServerPrerequisites(engine)
  if (!prereq.ok) throw new SearchServerUnavailableError(prereq.reason)
  await buildEngine(engine)
  const spawned = await spawnServer({
    engine,
    port: options.port ?? 0,
    dataDir: options.dataDir,
    startTimeoutMs: options.startTimeoutMs,
  })
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => (stopped ??= stopServer(spawned.child))
  try {
    const url = spawned.url.startsWith('http') ? spawned.url : `http://${spawned.url}`
    const health = (await getJson(`${url}/_cluster/health?wait_for_status=yellow&timeout=60s`, 70_000)) as { status?: string }
    if (health.status !== 'yellow' && health.status !== 'green') {
      throw new Error(`${engine} cluster health is ${String(health.status)}`)
    }
    const main = (await getJson(`${url}/`, 10_000)) as { version?: { number?: string } }
    return {
      engine,
      url,
      port: Number(new URL(url).port),
      version: main.version?.number ?? 'unknown',
      stop,
      logTail: spawned.logTail,
    }
  } catch (err) {
    await stop()
    throw new Error(`${engine} started but is not healthy: ${(err as Error).message}\n${spawned.logTail().slice(-4000)}`, { cause: err })
  }
}
