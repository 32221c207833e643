/**
 * The framework middleware as the root entry still exports it, for a deprecation period (CHANGELOG):
 * the same functions as `@tracewire/tracing/express` and `@tracewire/tracing/fastify`, typed without
 * any framework's types, so the root entry's types import no framework.
 */
import { expressErrorLogger as expressErrorLoggerImpl, expressMiddleware as expressMiddlewareImpl } from './express.js'
import { fastifyPlugin as fastifyPluginImpl } from './fastify.js'
import type { MiddlewareOptions } from './types.js'

/** A Fastify plugin function, described without Fastify's types (any Fastify 4 or 5 instance fits). */
export type FrameworkFreeFastifyPlugin = (instance: unknown, options: MiddlewareOptions<unknown, unknown>, done: (err?: Error) => void) => void

/**
 * @deprecated Import `fastifyPlugin` from `@tracewire/tracing/fastify`, which also types
 * `request.traceContext`. This re-export goes away in the next major version.
 */
export const fastifyPlugin: FrameworkFreeFastifyPlugin = fastifyPluginImpl as unknown as FrameworkFreeFastifyPlugin

/**
 * @deprecated Import `expressMiddleware` from `@tracewire/tracing/express`, which also types `req.log`
 * and `req.traceContext`. This re-export goes away in the next major version.
 */
export const expressMiddleware: typeof expressMiddlewareImpl = expressMiddlewareImpl

/**
 * @deprecated Import `expressErrorLogger` from `@tracewire/tracing/express`. This re-export goes away in
 * the next major version.
 */
export const expressErrorLogger: typeof expressErrorLoggerImpl = expressErrorLoggerImpl
