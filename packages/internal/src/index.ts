/**
 * `@tracewire/internal`: helpers the published packages share, bundled into each of them at build time
 * (never published, never in a published `.d.ts`). See README.md for why this is a package of its own.
 */
export { closestName } from './closest-name.js'
export type { ClosestNameOptions } from './closest-name.js'
export { RateLimitedReport } from './rate-limited-report.js'
export type { BuildReport, RateLimitedReportOptions } from './rate-limited-report.js'
