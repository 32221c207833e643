import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { withTimeout } from './services.js'

/** An Elasticsearch the demo ships to: the user's (`ES_URL`) or an embedded one it started and stops. */
export interface DemoElasticsearch {
  url: string
  stop(): Promise<void>
}

const searchServerCli = fileURLToPath(new URL('../../../test/search-server/cli.mjs', import.meta.url))

/**
 * `ES_URL` when set; otherwise the embedded Elasticsearch 7.10.2 of `pnpm search-server` when Java and Maven
 * are installed (the first run downloads it through Maven, which takes a few minutes); otherwise none, and
 * the demo shows the files only. `DEMO_ELASTICSEARCH=0` turns the embedded server off.
 */
export async function resolveElasticsearch(say: (line: string) => void): Promise<DemoElasticsearch | undefined> {
  if (process.env.ES_URL) return { url: process.env.ES_URL.replace(/\/+$/, ''), stop: async () => {} }
  if (process.env.DEMO_ELASTICSEARCH === '0') return undefined
  const hasJava = spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0
  if (!hasJava) {
    say('No ES_URL and no Java 17: skipping direct shipping (install a JDK 17 + Maven, or set ES_URL, to see it).')
    return undefined
  }
  say('Starting an embedded Elasticsearch 7.10.2 (pnpm search-server; the first run downloads it with Maven)...')
  const child = spawn(process.execPath, [searchServerCli, '--engine', 'elasticsearch'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const url = await withTimeout(readyUrl(child), 15 * 60_000, 'the embedded Elasticsearch did not start within 15 minutes')
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await withTimeout(exited, 30_000, 'the embedded Elasticsearch did not stop').catch(() => child.kill('SIGKILL'))
    },
  }
}

function readyUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      const match = / ready at (\S+)/.exec(line)
      if (match?.[1]) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`the embedded Elasticsearch exited with code ${code}`)))
  })
}

/** GET/POST a JSON endpoint of the search server. */
export async function esJson<T>(url: string, method = 'GET'): Promise<T> {
  const response = await fetch(url, { method })
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}
