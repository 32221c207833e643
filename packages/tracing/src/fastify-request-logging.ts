/** What {@link requestLoggingOff} reads from the `fastify` module's default export. */
type FastifyFactoryLike = ((...args: never[]) => unknown) & {
  /** Exported from Fastify 5.12 on. */
  readonly LogController?: new (options: { disableRequestLogging: boolean }) => object
}

/**
 * Fastify server options that turn off Fastify's own per-request lines (`incoming request`,
 * `request completed`), so the plugin's access line is the one line per request, with no deprecation warning
 * on any supported Fastify: `{ logController: new LogController({ disableRequestLogging: true }) }` where
 * Fastify exports `LogController` (5.12 on, which deprecates the top-level option with `FSTDEP023`), else
 * `{ disableRequestLogging: true }` (4.x and 5.0 to 5.11, which have no `LogController`).
 *
 * Pass the factory you build the app with, and spread the result into its options:
 * `Fastify({ loggerInstance: logger, ...requestLoggingOff(Fastify) })`. Typed as that factory's options.
 */
export function requestLoggingOff<F extends FastifyFactoryLike>(fastify: F): NonNullable<Parameters<F>[0]> {
  // Detected on the factory the app is built with, not on a `fastify` this package resolves: with two
  // copies installed, only the app's own copy tells which option it understands.
  const options = typeof fastify.LogController === 'function'
    ? { logController: new fastify.LogController({ disableRequestLogging: true }) }
    : { disableRequestLogging: true }
  return options as NonNullable<Parameters<F>[0]>
}
