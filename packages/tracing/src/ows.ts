/** True for the optional whitespace of RFC 7230 (space and horizontal tab), which W3C Trace Context allows. */
export function isOws(c: number): boolean {
  return c === 32 || c === 9
}

/** `s[start, end)` without surrounding spaces and tabs. */
export function trimOws(s: string, start = 0, end = s.length): string {
  while (start < end && isOws(s.charCodeAt(start))) start++
  while (end > start && isOws(s.charCodeAt(end - 1))) end--
  return start === 0 && end === s.length ? s : s.slice(start, end)
}
