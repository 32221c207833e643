/**
 * `@tracewire/contract`: the line contract of docs/FORMAT.md as code. The logger writes with it; the
 * shipper, the index template and the `tracewire` command read with it.
 */
export {
  DEFAULT_FIELDS,
  ECS_FIELDS,
  ECS_VERSION,
  ECS_VERSION_FIELD,
  LINE_SCHEMAS,
  leadingKeys,
  lineFields,
  readField,
  schemaOf,
  withDefaultNames,
} from './fields.js'
export type { LineFieldNames, LineSchema } from './fields.js'
export { MAX_SERVICE_NAME_BYTES, SERVICE_NAME_PATTERN, SERVICE_NAME_RULE, isValidServiceName } from './service-name.js'
export {
  DEFAULT_INDEX_PATTERN,
  DEFAULT_INDEX_PREFIX,
  DEFAULT_INDEX_TIME_ZONE,
  createDateFormatter,
  createIndexNamer,
  indexPrefixProblem,
} from './index-name.js'
export type { IndexNamer } from './index-name.js'
export { indexMappings } from './index-mappings.js'
export type { IndexMappingsOptions } from './index-mappings.js'
