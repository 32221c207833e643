/**
 * Edit distance between two names, case-insensitive (`nodehttp` is one step from `nodeHttp`'s spelling,
 * not two). Options lists are short and names are short, so the plain O(a·b) Levenshtein table is enough;
 * a library would be a dependency for a dozen lines.
 */
function distance(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const current = [i]
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution)
    }
    previous = current
  }
  return previous[y.length] as number
}

/** The valid name closest to `name` (first of equals), for "did you mean" in configuration errors. */
export function closestName(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of valid) {
    const d = distance(name.slice(0, 100), candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}
