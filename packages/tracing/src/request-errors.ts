/**
 * The error a request ended with, keyed by node's response object (both frameworks have one underneath), so
 * `customLogLevel(req, res, err)` sees it. Recorded by `expressErrorLogger` and the Fastify plugin's
 * `onError` hook; weakly held, so nothing outlives its response.
 */
const errors = new WeakMap<object, unknown>()

/** Remembers `err` as the error `res` ended with. */
export function recordRequestError(res: object, err: unknown): void {
  errors.set(res, err)
}

/** The error recorded for `res`, if any. */
export function requestErrorOf(res: object): unknown {
  return errors.get(res)
}
