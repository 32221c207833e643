/**
 * The visible text written in place of a value that cannot be written as-is. A value is never silently
 * dropped for being hostile: it is replaced by one of these strings so a reader sees what happened.
 *
 * - `circular`: a reference back to an object that contains it.
 * - `depth`: an object or array nested deeper than `maxDepth`.
 * - `unserializable`: prefix of `[Unserializable: <reason>]`, written when reading a value threw
 *   (a throwing getter or `toJSON`, a revoked proxy).
 * - `truncated`: prefix of `[Truncated: <n> more chars]` / `[Truncated: <n> more items]` /
 *   `[Truncated: <n> more keys]`, written when a line is over `maxLineBytes`.
 */
export const MARKERS = Object.freeze({
  circular: '[Circular]',
  depth: '[Truncated: depth]',
  unserializable: '[Unserializable: ',
  truncated: '[Truncated: ',
})
