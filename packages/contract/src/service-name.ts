/**
 * The service-name rule (docs/FORMAT.md, "One line"): `service` is the middle of the index name
 * `fluentd-<service>-YYYYMMDD` and Fluentd's buffer chunk key. Missing gives `fluentd--YYYYMMDD`;
 * uppercase is lowercased by fluent-plugin-elasticsearch; a space, `\ / * ? " < > | , # :` or a leading
 * `- _ +` makes an index name Elasticsearch rejects.
 */

/** Lowercase `[a-z0-9][a-z0-9._-]*`. */
export const SERVICE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/

/** Longest service name, in UTF-8 bytes (all allowed characters are one byte). */
export const MAX_SERVICE_NAME_BYTES = 100

/** The rule in words, for error messages. */
export const SERVICE_NAME_RULE =
  'lowercase [a-z0-9][a-z0-9._-]* (at most 100 bytes, not "." or ".."), because it names the index fluentd-<service>-YYYYMMDD'

/** Whether `value` is a service name a line may carry. */
export function isValidServiceName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= MAX_SERVICE_NAME_BYTES &&
    value !== '.' &&
    value !== '..' &&
    SERVICE_NAME_PATTERN.test(value)
  )
}
