import type { Logger as PinoLogger } from 'pino'
import type { Destination } from './destination.js'

const SIGNALS = ['SIGTERM', 'SIGINT'] as const

/**
 * One logger's part in the shared registry. Only plain functions and numbers, so copies of this package
 * from other builds (ESM and CJS) or other versions can call each other's entries.
 */
interface Registration {
  /** Writes everything buffered, synchronously. */
  flushSync(): void
  /** Writes a `fatal` line for an uncaught exception or unhandled rejection. */
  fatal(err: unknown, origin: string): void
  /** Flushes and closes the destinations, waiting at most `shutdownTimeoutMs`. */
  close(): Promise<void>
  shutdownTimeoutMs: number
}

/**
 * The process-wide registry. Its key never changes between versions, so every copy finds the same one; a
 * later version may only add to this shape (and bump `version`), never change what is here.
 */
interface Registry {
  readonly version: number
  readonly registrations: Set<Registration>
  /** The listeners installed on `process` by whichever copy attached first; any copy may detach them. */
  listeners: { onExit(): void, onUncaught(err: unknown, origin: string): void, onSignal(signal: NodeJS.Signals): void } | undefined
}

/**
 * The registry lives on `globalThis` under a registry symbol, not in a module variable: an application
 * that loads this package twice (an ESM app whose CJS dependency `require`s it, or two versions) would
 * otherwise get two sets of listeners, each seeing the other as "the application's own signal handler",
 * and neither would re-raise SIGTERM: the process would run until SIGKILL.
 */
const REGISTRY_KEY = Symbol.for('tracewire.logger.exitHandlers')

function registry(): Registry {
  const slot = globalThis as unknown as Record<symbol, Registry | undefined>
  let found = slot[REGISTRY_KEY]
  if (found === undefined) {
    found = { version: 1, registrations: new Set(), listeners: undefined }
    slot[REGISTRY_KEY] = found
  }
  return found
}

function onExit(): void {
  for (const r of registry().registrations) r.flushSync()
}

function onUncaught(err: unknown, origin: string): void {
  for (const r of registry().registrations) {
    try {
      r.fatal(err, origin)
    } catch {
      // the fatal line is best effort; flushing what is already buffered still matters
    }
    r.flushSync()
  }
}

function onSignal(signal: NodeJS.Signals): void {
  const shared = registry()
  for (const r of shared.registrations) r.flushSync()
  if (process.listenerCount(signal) > 1) return // the application owns the shutdown
  const pending = [...shared.registrations]
  detach(shared)
  shared.registrations.clear()
  const timeoutMs = Math.max(...pending.map((r) => r.shutdownTimeoutMs))
  let done = false
  const reraise = (): void => {
    if (done) return
    done = true
    clearTimeout(timer)
    process.kill(process.pid, signal)
  }
  // Not unref'd on purpose: the process must stay alive until the signal is re-raised.
  const timer = setTimeout(reraise, timeoutMs)
  Promise.all(pending.map((r) => r.close())).then(reraise, reraise)
}

function attach(shared: Registry): void {
  const listeners = { onExit, onUncaught, onSignal }
  process.on('exit', listeners.onExit)
  process.on('uncaughtExceptionMonitor', listeners.onUncaught)
  for (const signal of SIGNALS) process.on(signal, listeners.onSignal)
  shared.listeners = listeners
}

function detach(shared: Registry): void {
  const listeners = shared.listeners
  if (listeners === undefined) return
  process.removeListener('exit', listeners.onExit)
  process.removeListener('uncaughtExceptionMonitor', listeners.onUncaught)
  for (const signal of SIGNALS) process.removeListener(signal, listeners.onSignal)
  shared.listeners = undefined
}

/**
 * Installs the handlers that keep lines from being lost when the process ends, and returns a function that
 * removes this logger's part (the process listeners go when the last logger is removed). One set of process
 * listeners serves every logger of every copy of this package in the process (see the registry above).
 *
 * - normal exit and `process.exit()`: everything buffered is written synchronously in `exit` (pino's own
 *   sonic-boom hook does the same; this one also covers the shipper stream).
 * - uncaught exception / unhandled rejection: a `fatal` line is written and flushed synchronously from
 *   `uncaughtExceptionMonitor`, which observes without changing Node's behaviour (stack on stderr, exit 1);
 *   an application's own `uncaughtException` handler still decides what happens next.
 * - SIGTERM / SIGINT: buffers are flushed at once. If the application has its own listener for the signal,
 *   it owns the shutdown and nothing else happens here. Otherwise (Node's default would kill the process
 *   and drop buffered lines) the destinations are closed, waiting at most `shutdownTimeoutMs`, then the
 *   listener is removed and the signal re-raised, so the process ends exactly as it would have.
 */
export function installExitHandlers(logger: PinoLogger, destination: Destination, shutdownTimeoutMs: number): () => void {
  const registration: Registration = {
    flushSync: () => destination.flushSync(),
    fatal: (err, origin) => logger.fatal({ err, origin }, err instanceof Error ? err.message : origin),
    close: () => destination.close(shutdownTimeoutMs),
    shutdownTimeoutMs,
  }
  const shared = registry()
  if (shared.listeners === undefined) attach(shared)
  shared.registrations.add(registration)
  return () => {
    if (shared.registrations.delete(registration) && shared.registrations.size === 0) detach(shared)
  }
}
