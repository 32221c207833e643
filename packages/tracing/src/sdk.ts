import { TracingError } from './errors.js'
import { registerEsmLoaderHook } from './esm-hook.js'
import type { StartTracingOptions, TracingHandle } from './types.js'
import { refuseUnknownOptions } from './unknown-options.js'

const START_OPTIONS: Record<keyof StartTracingOptions, true> = {
  serviceName: true, otlpEndpoint: true, otlpHeaders: true, spanProcessors: true, instrumentations: true,
}
const INSTRUMENTATIONS: Record<keyof NonNullable<StartTracingOptions['instrumentations']>, true> = {
  http: true, express: true, fastify: true, undici: true,
}

/** Loads an optional peer dependency, with an error that names the package to install. */
async function load<T>(name: string, loader: () => Promise<T>): Promise<T> {
  try {
    return await loader()
  } catch (cause) {
    throw new TracingError(
      'TW_TRACING_SDK_MISSING',
      `startTracing needs the optional peer dependency ${name}; install it (see @tracewire/tracing README, "Real spans")`,
      { cause },
    )
  }
}

/**
 * Starts `@opentelemetry/sdk-node` with the http, express, fastify (`@fastify/otel`) and undici
 * instrumentations and an OTLP/HTTP trace exporter, for teams that want real spans. Log lines of
 * `@tracewire/logger` then carry the SDK's ids, and the middleware uses the SDK's span instead of making one.
 *
 * Call it before loading `express`/`fastify`/`http` users (instrumentations patch modules as they are
 * required), and before creating the middleware, so the SDK's context manager is the one registered.
 * The exporter endpoint is `otlpEndpoint` or the standard `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` /
 * `OTEL_EXPORTER_OTLP_ENDPOINT` variables (the exporter reads them).
 *
 * The OpenTelemetry packages are optional peer dependencies loaded only here: a missing one rejects with
 * {@link TracingError} `TW_TRACING_SDK_MISSING`; an invalid or unknown option rejects with `TW_TRACING_INVALID_OPTION`
 * before anything is loaded.
 */
export async function startTracing(options: StartTracingOptions = {}): Promise<TracingHandle> {
  refuseUnknownOptions(options, START_OPTIONS, 'startTracing options')
  if (options.instrumentations !== undefined) refuseUnknownOptions(options.instrumentations, INSTRUMENTATIONS, 'startTracing instrumentations')
  const enabled = { http: true, express: true, fastify: true, undici: true, ...options.instrumentations }
  const { NodeSDK } = await load('@opentelemetry/sdk-node', () => import('@opentelemetry/sdk-node'))
  // Before the instrumentations are made: they hook ES modules only through a registered loader hook.
  registerEsmLoaderHook()

  const instrumentations: unknown[] = []
  if (enabled.http) {
    const { HttpInstrumentation } = await load('@opentelemetry/instrumentation-http', () => import('@opentelemetry/instrumentation-http'))
    instrumentations.push(new HttpInstrumentation())
  }
  if (enabled.express) {
    const { ExpressInstrumentation } = await load('@opentelemetry/instrumentation-express', () => import('@opentelemetry/instrumentation-express'))
    instrumentations.push(new ExpressInstrumentation())
  }
  if (enabled.fastify) {
    // Fastify's own maintained instrumentation (the contrib one stops at Fastify 4).
    const mod = await load('@fastify/otel', () => import('@fastify/otel'))
    const FastifyOtelInstrumentation = mod.FastifyOtelInstrumentation ?? mod.default.FastifyOtelInstrumentation
    instrumentations.push(new FastifyOtelInstrumentation({ registerOnInitialization: true }))
  }
  if (enabled.undici) {
    const { UndiciInstrumentation } = await load('@opentelemetry/instrumentation-undici', () => import('@opentelemetry/instrumentation-undici'))
    instrumentations.push(new UndiciInstrumentation())
  }

  type SdkConfig = NonNullable<ConstructorParameters<typeof NodeSDK>[0]>
  const config: SdkConfig = {
    instrumentations: instrumentations as SdkConfig['instrumentations'],
    ...(options.serviceName !== undefined ? { serviceName: options.serviceName } : {}),
  }
  if (options.spanProcessors !== undefined) {
    config.spanProcessors = [...options.spanProcessors] as SdkConfig['spanProcessors']
  } else {
    const { OTLPTraceExporter } = await load('@opentelemetry/exporter-trace-otlp-http', () => import('@opentelemetry/exporter-trace-otlp-http'))
    config.traceExporter = new OTLPTraceExporter({
      ...(options.otlpEndpoint !== undefined ? { url: options.otlpEndpoint } : {}),
      ...(options.otlpHeaders !== undefined ? { headers: { ...options.otlpHeaders } } : {}),
    })
  }

  const sdk = new NodeSDK(config)
  sdk.start()
  let stopping: Promise<void> | undefined
  return {
    shutdown() {
      stopping ??= sdk.shutdown()
      return stopping
    },
  }
}
