/**
 * "Did you mean …?" for misspelt option names. Written here rather than taken from a package: it is
 * a dozen lines, runs once per construction on names of at most ~25 characters, and the shipper
 * keeps its dependencies (loaded into every transport worker) to what it cannot do itself.
 */

/** The valid name closest to `name` by edit distance (case-insensitive), or `undefined` when none is near. */
export function closestName(name: string, valid: readonly string[]): string | undefined {
  const wanted = name.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of valid) {
    const lower = candidate.toLowerCase()
    // A missing unit suffix (`flushInterval` for `flushIntervalMs`) is the commonest slip.
    const distance = lower.startsWith(wanted) || wanted.startsWith(lower) ? Math.abs(lower.length - wanted.length) * 0.5 : editDistance(wanted, lower)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return bestDistance <= Math.max(2, Math.ceil(wanted.length / 2)) ? best : undefined
}

/** Levenshtein distance with one row of memory. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}
