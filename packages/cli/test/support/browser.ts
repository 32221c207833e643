/**
 * Headless Chromium for the browser tests: the system's own binary (Debian's `chromium` package, or
 * `CHROMIUM_PATH`), driven by `playwright-core`, which never downloads a browser.
 * Without a browser the tests are skipped with a message locally, and fail when `CI=true`.
 */
import { chromium, type Browser } from 'playwright-core'
import { describe, it } from 'vitest'
import { CHROMIUM_ARGS, findChromium } from './chromium.js'

const MISSING = 'no chromium found (install it: apt-get install -y chromium, or set CHROMIUM_PATH)'

/**
 * `describe(title)` with a browser at hand. Without one: a skipped test naming the fix, or, when `CI=true`,
 * a failing one, so CI cannot go green without having looked at the pages.
 */
export function describeWithBrowser(title: string, fn: (launch: () => Promise<Browser>) => void): void {
  const executablePath = findChromium()
  if (executablePath === undefined) {
    describe(title, () => {
      if (process.env.CI === 'true') {
        it('has a browser', () => {
          throw new Error(`CI=true but ${MISSING}`)
        })
      } else {
        it.skip(`skipped: ${MISSING}`, () => {})
      }
    })
    return
  }
  describe(title, () => fn(() => chromium.launch({ executablePath, args: CHROMIUM_ARGS })))
}
