/** What {@link requestLoggingOff} reads from the `fastify` module's default export. */
type FastifyFactoryLike = ((...args: never[]) => unknown) & {
  /** Exported from Fastify 5.12 on. */
  readonly LogController?: new (options: { disableRequestLogging: boolean }) => object
}

/** What {@link requestLoggingOff} returns: one of the two keys, for spreading into Fastify's options. */
export interface RequestLoggingOptions {
  readonly disableRequestLogging?: true
  /** A `LogController` of the Fastify passed in; typed `never` so it fits every major's options type. */
  readonly logController?: never
}

/**
 * Fastify server options that turn off Fastify's own per-request lines (`incoming request`,
 * `request completed`), so the plugin's access line is the one line per request, with no deprecation warning
 * on any supported Fastify: `{ logController: new LogController({ disableRequestLogging: true }) }` where
 * Fastify exports `LogController` (5.12 on, which deprecates the top-level option with `FSTDEP023`), else
 * `{ disableRequestLogging: true }` (4.x and 5.0 to 5.11, which have no `LogController`).
 *
 * Pass the factory you build the app with, and spread the result into its options:
 * `Fastify({ loggerInstance: logger, ...requestLoggingOff(Fastify) })`.
 */
export function requestLoggingOff(fastify: FastifyFactoryLike): RequestLoggingOptions {
  // Detected on the factory the app is built with, not on a `fastify` this package resolves: with two
  // copies installed, only the app's own copy tells which option it understands.
  const options = typeof fastify.LogController === 'function'
    ? { logController: new fastify.LogController({ disableRequestLogging: true }) }
    : { disableRequestLogging: true }
  // Typed so the spread fits the options of Fastify 4 (no `logController`) and 5 (`logController: LogController`).
  return options as RequestLoggingOptions
}
