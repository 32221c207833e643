/**
 * A sign of life on stderr while a request takes long: after one second a spinner line
 * (`⠋ searching … 3 s`), redrawn in place and erased when the request ends. Only on a terminal:
 * piped or redirected stderr (scripts, CI logs) gets nothing, so its lines stay the command's own.
 */
import type { CliIo } from './io.js'

/** How long a request may take before the spinner appears. */
export const PROGRESS_DELAY_MS = 1_000

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const FRAME_MS = 100

/**
 * Runs `work`, showing `label` with a spinner on `io.stderr` while it takes more than
 * {@link PROGRESS_DELAY_MS} and `io.stderrIsTTY` is true.
 */
export async function withProgress<T>(io: CliIo, label: string, work: () => Promise<T>): Promise<T> {
  if (!io.stderrIsTTY) return work()
  const started = Date.now()
  let frame = 0
  let shown = false
  let ticker: NodeJS.Timeout | undefined
  const draw = (): void => {
    const seconds = Math.floor((Date.now() - started) / 1000)
    // \r and erase-line redraw in place; the label is the command's own text, never a server's.
    io.stderr(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${label} ${seconds} s`)
    shown = true
  }
  // unref: a pending spinner never keeps the process alive.
  const delay = setTimeout(() => {
    draw()
    ticker = setInterval(draw, FRAME_MS).unref()
  }, PROGRESS_DELAY_MS).unref()
  try {
    return await work()
  } finally {
    clearTimeout(delay)
    if (ticker) clearInterval(ticker)
    if (shown) io.stderr('\r\x1b[K')
  }
}
