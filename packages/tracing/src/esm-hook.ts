import * as nodeModule from 'node:module'
import { pathToFileURL } from 'node:url'

// Shared by every copy of this package in the process: the loader hook must be registered once, or each
// ESM module would be wrapped twice.
const REGISTERED = Symbol.for('tracewire.tracing.esmLoaderHook')

/**
 * Registers OpenTelemetry's ESM loader hook (`@opentelemetry/instrumentation/hook.mjs`, which is
 * `import-in-the-middle`'s) with `module.register`, once per process, so instrumentations can patch modules
 * an ES module imports: in ESM, `import express from 'express'` does not go through `require`, which is all
 * the CommonJS patching sees.
 *
 * The hook sees only modules loaded after it is registered; modules a main module imports statically are
 * loaded before its first line runs, hence `node --import @tracewire/tracing/register app.mjs`.
 *
 * Returns whether the hook is registered. Never throws: without the optional peer dependencies (or on a
 * Node without `module.register`) it returns `false` and tracing goes on with CommonJS patching only.
 */
export function registerEsmLoaderHook(): boolean {
  const store = globalThis as { [REGISTERED]?: boolean }
  if (store[REGISTERED] === true) return true
  if (typeof nodeModule.register !== 'function') return false
  try {
    // Resolved from the instrumentation package the user installed, so the hook and the instrumentations
    // share one import-in-the-middle (the hooks are kept in that module's state).
    const parent = pathToFileURL(resolveFirst(['@opentelemetry/instrumentation-express', '@opentelemetry/sdk-node']))
    nodeModule.register('@opentelemetry/instrumentation/hook.mjs', parent)
  } catch {
    return false
  }
  store[REGISTERED] = true
  return true
}

/** The path of the first of `names` that resolves from this package; throws when none does. */
function resolveFirst(names: readonly string[]): string {
  const fromHere = nodeModule.createRequire(import.meta.url)
  let lastError: unknown
  for (const name of names) {
    try {
      return fromHere.resolve(name)
    } catch (error) {
      lastError = error
    }
  }
  throw lastError
}
