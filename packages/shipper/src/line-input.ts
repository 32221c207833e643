/** What `write()` makes of its argument before a line is parsed: line endings and non-text values. */

/** Whether `text` holds only `\r`/`\n` from `from` on (a line ending, not a second line). */
export function isBlank(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 10 && c !== 13) return false
  }
  return true
}

/** A short, safe text of a value that is not a line, for the dead-letter record. */
export function describeValue(value: unknown): string {
  try {
    return String(JSON.stringify(value) ?? String(value)).slice(0, 1000)
  } catch {
    return Object.prototype.toString.call(value)
  }
}
