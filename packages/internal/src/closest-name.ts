/**
 * "Did you mean …?" for misspelt names: configuration options of the logger, the tracing middlewares
 * and the shipper, the `tracewire` command's subcommands, flags and values. Written here rather than
 * taken from a package: it is a dozen lines, runs once per construction on short names, and the
 * packages keep their dependencies (the shipper's load into every transport worker) to what they
 * cannot do themselves. Imports nothing, like the rest of this package's runtime files.
 */

/** What counts as "closest" for one caller. */
export interface ClosestNameOptions {
  /**
   * Answer `undefined` when even the closest name is far: more than half the length of `name` (at least
   * 2 edits) away. Default `false`: always the closest, for callers whose list is short and whose error
   * message reads well with any suggestion.
   */
  onlyNear?: boolean
  /**
   * Count a name that only adds or drops a tail of the other (`flushInterval` for `flushIntervalMs`, a
   * missing unit) as half an edit per character, so it beats an equally long typo. Default `false`.
   */
  unitSuffix?: boolean
}

/** Longest part of `name` compared: a huge key must not cost a huge table (the lists hold short names). */
const MAX_COMPARED_CHARS = 100

/**
 * The name of `valid` closest to `name` by edit distance, case-insensitive (`nodehttp` is one step from
 * `nodeHttp`, not two); the first of equals. `undefined` for an empty list, or with `onlyNear` when none is near.
 */
export function closestName(name: string, valid: readonly string[], options: ClosestNameOptions = {}): string | undefined {
  const wanted = name.slice(0, MAX_COMPARED_CHARS).toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of valid) {
    const lower = candidate.toLowerCase()
    const distance =
      options.unitSuffix === true && (lower.startsWith(wanted) || wanted.startsWith(lower)) ? Math.abs(lower.length - wanted.length) * 0.5 : editDistance(wanted, lower)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (options.onlyNear === true && bestDistance > Math.max(2, Math.ceil(wanted.length / 2))) return undefined
  return best
}

/** Levenshtein distance with one row of memory (the plain O(a·b) table: the names are short). */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length] as number
}
