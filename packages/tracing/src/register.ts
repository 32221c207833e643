// `node --import @tracewire/tracing/register app.mjs`: registers the ESM loader hook before the app's
// static imports load, so `startTracing()` in the app can patch the `express` an ES module imported.
import { registerEsmLoaderHook } from './esm-hook.js'

/**
 * Whether OpenTelemetry's ESM loader hook is registered (it is not when the OpenTelemetry packages are
 * missing; a `TW_TRACING_SDK_MISSING` warning then says so on stderr).
 */
export const esmLoaderHookRegistered: boolean = registerEsmLoaderHook()

if (!esmLoaderHookRegistered) {
  process.emitWarning(
    '@tracewire/tracing/register could not register the OpenTelemetry ESM loader hook: install @opentelemetry/sdk-node and the instrumentations (see the README, "Real spans")',
    { code: 'TW_TRACING_SDK_MISSING' },
  )
}
