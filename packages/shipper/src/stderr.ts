/**
 * Diagnostics to stderr, written synchronously to fd 2: inside pino's worker thread
 * `process.stderr` is relayed to the main thread asynchronously and is lost when the process exits
 * right after (which is exactly when the shutdown report matters).
 */
import { writeSync } from 'node:fs'
import { redactText } from './redact.js'

/** Writes one diagnostic line; never throws. */
export function writeStderr(line: string): void {
  try {
    writeSync(2, `tracewire shipper: ${redactText(line)}\n`)
  } catch {
    // stderr closed or non-blocking and full: diagnostics are best effort.
  }
}
