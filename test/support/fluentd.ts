/**
 * The real Fluentd for the `pipeline` vitest project: where the runner is, the stack's own `fluent.conf`
 * templated for this machine, and a started Fluentd with its output.
 *
 * The runner is a script that runs Fluentd 1.16.11 with fluent-plugin-elasticsearch (`fluentd.sh -c conf`,
 * exec'ing Fluentd so the pid we start is the one to signal). The repository does not ship it; it is
 * found through `TRACEWIRE_FLUENTD` (CI's `.ci/run` sets it when the runner sits beside the clone).
 *
 * ```ts
 * const conf = stackFluentConf({ logDir, stateDir, elasticsearchUrl: engine.url })
 * const fluentd = await startFluentd({ runner, config: conf, workDir })
 * // ... write log files ...
 * await fluentd.stop()
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

const repoRoot = resolve(import.meta.dirname, '..', '..')

/** The configuration users deploy (examples/stack/fluentd/fluent.conf): the file every pipeline test runs. */
export const STACK_FLUENT_CONF = join(repoRoot, 'examples', 'stack', 'fluentd', 'fluent.conf')

/** `TRACEWIRE_FLUENTD` when it names an existing file, else why not. */
export function locateFluentdRunner(env: NodeJS.ProcessEnv = process.env): { ok: true; runner: string } | { ok: false; reason: string } {
  const runner = env.TRACEWIRE_FLUENTD
  if (runner === undefined || runner === '') {
    return { ok: false, reason: 'TRACEWIRE_FLUENTD is not set (point it at a script running Fluentd 1.16 with fluent-plugin-elasticsearch, as .ci/run does)' }
  }
  if (!existsSync(runner)) return { ok: false, reason: `TRACEWIRE_FLUENTD=${runner} does not exist` }
  return { ok: true, runner }
}

/**
 * Runs `<runner> --version` once: the first use of the runner installs what it needs (Debian's Ruby through
 * apt), which must not happen in several test files at once. Resolves with the version line, or rejects.
 */
export async function prepareFluentd(runner: string): Promise<string> {
  const child = spawn(runner, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 })
  let out = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (out += c.toString()))
  const [code] = (await once(child, 'close')) as [number | null]
  out = out.trim()
  if (code !== 0) throw new Error(`${runner} --version failed (status ${code}): ${out.slice(-2000)}`)
  return out.split('\n').at(-1) ?? out
}

export interface StackConfPlaces {
  /** Folder the services write `*.log` files into (the stack's `/var/log`). */
  logDir: string
  /** Folder for the tail positions and the file buffer (the stack's `/fluentd/state`). */
  stateDir: string
  /** Elasticsearch URL for the `<match>` (the stack's `http://elasticsearch:9200`). */
  elasticsearchUrl?: string
}

/**
 * The stack's `fluent.conf` with only its host, port and paths replaced, so the file users deploy is the
 * file tested. Throws when one of the expected settings is missing (the file changed shape: update both).
 */
export function stackFluentConf(places: StackConfPlaces, text = readFileSync(STACK_FLUENT_CONF, 'utf8')): string {
  const replace = (input: string, pattern: RegExp, by: string): string => {
    if (!pattern.test(input)) throw new Error(`${STACK_FLUENT_CONF}: expected ${pattern} to template it`)
    return input.replace(pattern, by)
  }
  let conf = replace(text, /^(\s*path )\/var\/log\/\*\.log$/m, `$1${places.logDir}/*.log`)
  conf = replace(conf, /\/fluentd\/state\//g, `${places.stateDir}/`)
  if (places.elasticsearchUrl !== undefined) {
    const url = new URL(places.elasticsearchUrl)
    conf = replace(conf, /^(\s*host )elasticsearch$/m, `$1${url.hostname}`)
    conf = replace(conf, /^(\s*port )9200$/m, `$1${url.port}`)
  }
  return conf
}

/** The stack's `<source>` block alone (for tests that read events from Fluentd's stdout instead of Elasticsearch). */
export function stackSource(places: StackConfPlaces): string {
  const source = /^<source>\n[\s\S]*?^<\/source>$/m.exec(stackFluentConf(places))?.[0]
  if (source === undefined) throw new Error(`${STACK_FLUENT_CONF}: no <source> block`)
  return source
}

export interface RunningFluentd {
  /** The last 1 MB of Fluentd's stdout and stderr (its own log, and whatever `@type stdout` printed). */
  output(): string
  /** Calls `listener` with every later line of Fluentd's stdout and stderr (for counting events). */
  onLine(listener: (line: string) => void): void
  /** SIGTERM (Fluentd's clean stop), SIGKILL after 15 s; resolves when it has exited. Idempotent. */
  stop(): Promise<void>
}

/** Starts `<runner> -c <workDir>/fluent.conf` and waits until its worker runs. */
export async function startFluentd(options: { runner: string; config: string; workDir: string; startTimeoutMs?: number }): Promise<RunningFluentd> {
  const confPath = join(options.workDir, 'fluent.conf')
  writeFileSync(confPath, options.config)
  const child: ChildProcess = spawn(options.runner, ['-c', confPath], { cwd: options.workDir, stdio: ['ignore', 'pipe', 'pipe'] })
  // Bounded to the last ~1 MB of lines; a test that needs every line (the rotation test prints megabytes)
  // uses onLine. An array of lines, not one string, so keeping the tail costs nothing per line.
  const tail: string[] = []
  let tailChars = 0
  const text = (): string => `${tail.join('\n')}\n`
  const waiters = new Set<{ pattern: RegExp; resolve: () => void }>()
  const listeners: Array<(line: string) => void> = []
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => {
      tail.push(line)
      tailChars += line.length + 1
      while (tailChars > 1_000_000 && tail.length > 1) tailChars -= (tail.shift() as string).length + 1
      for (const listener of listeners) listener(line)
      for (const w of waiters) {
        if (w.pattern.test(line)) {
          waiters.delete(w)
          w.resolve()
        }
      }
    })
  }
  // A test worker that ends without stop() (a failed hook, a timeout) must not leave Fluentd tailing forever;
  // SIGTERM, not SIGKILL, so the supervisor also stops its worker process.
  const stopOnExit = (): void => void child.kill('SIGTERM')
  process.once('exit', stopOnExit)
  const exited = once(child, 'exit').finally(() => process.removeListener('exit', stopOnExit))
  const waitFor = (pattern: RegExp, timeoutMs: number): Promise<void> => {
    if (tail.some((l) => pattern.test(l))) return Promise.resolve()
    return new Promise((resolvePromise, reject) => {
      const waiter = { pattern, resolve: () => (clearTimeout(timer), resolvePromise()) }
      const timer = setTimeout(() => {
        waiters.delete(waiter)
        reject(new Error(`Fluentd printed no line matching ${pattern} within ${timeoutMs} ms; its output:\n${text().slice(-4000)}`))
      }, timeoutMs)
      waiters.add(waiter)
      void exited.then(() => {
        if (!waiters.has(waiter)) return
        waiters.delete(waiter)
        clearTimeout(timer)
        reject(new Error(`Fluentd exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}; its output:\n${text().slice(-4000)}`))
      })
    })
  }
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(kill)
    })())
  try {
    await waitFor(/fluentd worker is now running/, options.startTimeoutMs ?? 60_000)
  } catch (err) {
    await stop()
    throw err
  }
  return { output: text, onLine: (listener) => void listeners.push(listener), stop }
}
