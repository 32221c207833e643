// The route the reference deployment uses: the real Fluentd (in_tail → fluent-plugin-elasticsearch) with the
// stack's own fluent.conf, shipping the demo's log files. Runs when TRACEWIRE_FLUENTD names a Fluentd runner
// (a script running Fluentd 1.16 with fluent-plugin-elasticsearch, e.g. `fluentd.sh` of the test setup).
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { locateFluentdRunner, stackFluentConf, startFluentd } from '../../../test/support/fluentd.js'

/**
 * Index prefix of the sidecar route in the demo. The stack writes `fluentd-<service>-YYYYMMDD`, as the direct
 * route does; the demo runs both routes at once into one Elasticsearch, so the sidecar's copy goes to
 * `sidecar-<service>-YYYYMMDD` to be compared with the direct one instead of doubling it.
 */
export const SIDECAR_INDEX_PREFIX = 'sidecar'

export interface DemoSidecar {
  stop(): Promise<void>
}

/**
 * Starts Fluentd on `logDir` with examples/stack/fluentd/fluent.conf (host, port, paths and the index prefix
 * replaced). Resolves with `{ skipped }`, the reason, when it cannot run here.
 */
export async function startSidecar(options: { logDir: string; stateDir: string; elasticsearchUrl: string }): Promise<DemoSidecar | { skipped: string }> {
  const located = locateFluentdRunner()
  if (!located.ok) return { skipped: located.reason }
  rmSync(options.stateDir, { recursive: true, force: true })
  mkdirSync(options.stateDir, { recursive: true })
  const stackIndex = 'index_name fluentd-${service}-%Y%m%d'
  const stack = stackFluentConf(options)
  if (!stack.includes(stackIndex)) throw new Error(`examples/stack/fluentd/fluent.conf no longer has "${stackIndex}": update the demo`)
  const config = stack.replace(stackIndex, `index_name ${SIDECAR_INDEX_PREFIX}-\${service}-%Y%m%d`)
  try {
    const fluentd = await startFluentd({ runner: located.runner, config, workDir: options.stateDir })
    return { stop: () => fluentd.stop() }
  } catch (err) {
    // Ruby or the runner not working here: the demo goes on without the sidecar and says why.
    return { skipped: `Fluentd did not start (${(err as Error).message.split('\n')[0]}); its configuration is ${join(options.stateDir, 'fluent.conf')}` }
  }
}
