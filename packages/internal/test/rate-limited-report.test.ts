// The one rate limiter of tracewire's reports: the first occurrence passes, later ones within the interval
// are counted and summarised, on an injected clock; a pending summary never keeps the process alive.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RateLimitedReport } from '../src/rate-limited-report.js'

interface Report {
  text: string
  count: number
  held: number
}

function limiter(options: { leading?: boolean; trailing?: boolean } = {}) {
  const clock = { ms: 1_000 }
  const reports: Report[] = []
  const r = new RateLimitedReport<Report>((report) => reports.push(report), { intervalMs: 1_000, now: () => clock.ms, ...options })
  const build = (text: string) => (count: number, held: number): Report => ({ text, count, held })
  return { clock, reports, r, build }
}

/** Ref'd timers of this process: an `unref()`ed one is not listed. */
const refTimers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length

afterEach(() => {
  vi.useRealTimers()
})

describe('RateLimitedReport', () => {
  it('emits the first report at once, then holds and counts the next ones until the interval has passed', () => {
    const { clock, reports, r, build } = limiter()
    r.report(build('first'), 3)
    expect(reports).toEqual([{ text: 'first', count: 3, held: 0 }])
    clock.ms += 400
    r.report(build('second'))
    clock.ms += 599
    r.report(build('third'), 2)
    expect(reports).toHaveLength(1)
    // The interval counts from the last emission: the next report carries the held ones and itself,
    // built by the latest builder.
    clock.ms += 1
    r.report(build('fourth'))
    expect(reports).toEqual([
      { text: 'first', count: 3, held: 0 },
      { text: 'fourth', count: 4, held: 2 },
    ])
    clock.ms += 1_000
    r.report(build('fifth'))
    expect(reports.at(-1)).toEqual({ text: 'fifth', count: 1, held: 0 })
  })

  it('flush() emits what is held once the interval has passed, or at once with force; nothing held, nothing emitted', () => {
    const { clock, reports, r, build } = limiter()
    r.flush(true)
    expect(reports).toEqual([])
    r.report(build('a'))
    r.report(build('b'))
    r.flush()
    expect(reports).toHaveLength(1)
    clock.ms += 1_000
    r.flush()
    expect(reports).toEqual([
      { text: 'a', count: 1, held: 0 },
      { text: 'b', count: 1, held: 1 },
    ])
    r.report(build('c'))
    r.flush(true)
    expect(reports.at(-1)).toEqual({ text: 'c', count: 1, held: 1 })
    r.flush(true)
    expect(reports).toHaveLength(3)
  })

  it('a count of 0 records nothing', () => {
    const { reports, r, build } = limiter()
    r.report(build('none'), 0)
    r.flush(true)
    expect(reports).toEqual([])
  })

  it('trailing: the held reports are summed into one report when the interval ends, read on the injected clock', () => {
    vi.useFakeTimers()
    const { clock, reports, r, build } = limiter({ trailing: true })
    r.report(build('first'))
    clock.ms += 300
    for (let i = 0; i < 4; i++) r.report(build(`held ${i}`), 2)
    // 1 000 ms after the first report on the injected clock, i.e. 700 ms from now.
    vi.advanceTimersByTime(699)
    expect(reports).toHaveLength(1)
    clock.ms += 700
    vi.advanceTimersByTime(1)
    expect(reports).toEqual([
      { text: 'first', count: 1, held: 0 },
      { text: 'held 3', count: 8, held: 4 },
    ])
    vi.advanceTimersByTime(60_000)
    expect(reports).toHaveLength(2)
  })

  it('leading: false batches a burst of one turn of the event loop into one report', () => {
    vi.useFakeTimers()
    const { reports, r, build } = limiter({ leading: false, trailing: true })
    for (let i = 0; i < 5; i++) r.report(build('drop'), 10)
    expect(reports).toEqual([])
    vi.advanceTimersByTime(0)
    expect(reports).toEqual([{ text: 'drop', count: 50, held: 5 }])
  })

  it('stop() cancels the trailing timer and keeps what is held for a later flush', () => {
    vi.useFakeTimers()
    const { reports, r, build } = limiter({ leading: false, trailing: true })
    r.report(build('x'))
    r.stop()
    vi.advanceTimersByTime(10_000)
    expect(reports).toEqual([])
    r.flush(true)
    expect(reports).toEqual([{ text: 'x', count: 1, held: 1 }])
  })

  it('a pending trailing summary holds no ref on the event loop (the process may exit)', () => {
    const before = refTimers()
    const reports: string[] = []
    const r = new RateLimitedReport<string>((report) => reports.push(report), { intervalMs: 3_600_000, trailing: true })
    r.report(() => 'first')
    r.report(() => 'held')
    expect(reports).toEqual(['first'])
    expect(refTimers()).toBe(before)
    r.stop()
  })

  it('reads the default clock at each call, so a clock faked after construction is used', () => {
    const reports: number[] = []
    const r = new RateLimitedReport<number>((count) => reports.push(count), { intervalMs: 30_000 })
    vi.useFakeTimers()
    r.report((count) => count)
    r.report((count) => count)
    vi.advanceTimersByTime(30_000)
    r.report((count) => count)
    expect(reports).toEqual([1, 2])
  })
})
