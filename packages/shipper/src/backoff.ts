/**
 * Retry waits as the reference Fluentd config: `retry_wait 1`, `retry_exponential_backoff_base 2`,
 * `retry_randomize true`, `retry_max_interval 5m`, `retry_timeout 72h`.
 */

/** Resolved retry settings. */
export interface BackoffPolicy {
  retryWaitMs: number
  retryBackoffBase: number
  maxRetryIntervalMs: number
  retryRandomize: boolean
}

/** Wait before attempt `failures + 1`, after `failures` consecutive failures (≥ 1). */
export function retryDelayMs(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, failures - 1)
  const raw = policy.retryWaitMs * Math.pow(policy.retryBackoffBase, exponent)
  const capped = Math.min(policy.maxRetryIntervalMs, raw)
  // Fluentd's randomize width is 0.125: the wait lands in [0.875, 1.125) × interval.
  const factor = policy.retryRandomize ? 0.875 + random() * 0.25 : 1
  return Math.min(policy.maxRetryIntervalMs, Math.round(capped * factor))
}
