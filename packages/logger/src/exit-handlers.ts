import type { Logger as PinoLogger } from 'pino'
import type { Destination } from './destination.js'

const SIGNALS = ['SIGTERM', 'SIGINT'] as const

interface Registration {
  logger: PinoLogger
  destination: Destination
  shutdownTimeoutMs: number
}

// One set of process listeners serves every logger, so two loggers never mistake each other for the
// application's own signal handler.
const registrations = new Set<Registration>()

function onExit(): void {
  for (const r of registrations) r.destination.flushSync()
}

function onUncaught(err: unknown, origin: string): void {
  for (const r of registrations) {
    try {
      r.logger.fatal({ err, origin }, err instanceof Error ? err.message : origin)
    } catch {
      // the fatal line is best effort; flushing what is already buffered still matters
    }
    r.destination.flushSync()
  }
}

function onSignal(signal: NodeJS.Signals): void {
  for (const r of registrations) r.destination.flushSync()
  if (process.listenerCount(signal) > 1) return // the application owns the shutdown
  const pending = [...registrations]
  detach()
  registrations.clear()
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
  Promise.all(pending.map((r) => r.destination.close(r.shutdownTimeoutMs))).then(reraise, reraise)
}

function attach(): void {
  process.on('exit', onExit)
  process.on('uncaughtExceptionMonitor', onUncaught)
  for (const signal of SIGNALS) process.on(signal, onSignal)
}

function detach(): void {
  process.removeListener('exit', onExit)
  process.removeListener('uncaughtExceptionMonitor', onUncaught)
  for (const signal of SIGNALS) process.removeListener(signal, onSignal)
}

/**
 * Installs the handlers that keep lines from being lost when the process ends, and returns a function that
 * removes this logger's part (the process listeners go when the last logger is removed).
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
  const registration: Registration = { logger, destination, shutdownTimeoutMs }
  if (registrations.size === 0) attach()
  registrations.add(registration)
  return () => {
    if (registrations.delete(registration) && registrations.size === 0) detach()
  }
}
