/**
 * Regenerates the README's picture of the trace view, `docs/trace-view.png`, from the three-service sample
 * trace of the browser tests, in the system's headless Chromium:
 *   pnpm --filter @tracewire/cli docs:screenshot
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { buildTraceView } from '../src/trace-view/spans.js'
import { renderTracePage } from '../src/trace-view/trace-page.js'
import { CHROMIUM_ARGS, findChromium } from '../test/support/chromium.js'
import { SPANS, THREE_SERVICE_TRACE_ID, threeServiceTrace } from '../test/support/three-service-trace.js'

const output = fileURLToPath(new URL('../docs/trace-view.png', import.meta.url))
const executablePath = findChromium()
if (executablePath === undefined) {
  console.error('no chromium found: apt-get install -y chromium, or set CHROMIUM_PATH')
  process.exit(1)
}

const docs = threeServiceTrace(Date.UTC(2026, 10, 26, 12, 2, 12, 0)).map((d) => d.doc)
const html = renderTracePage(buildTraceView(THREE_SERVICE_TRACE_ID, docs), { total: docs.length, source: 'fluentd-* on http://localhost:9200' })

const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 470 }, deviceScaleFactor: 1 })
  await page.setContent(html)
  // Open the failing charge's error line, as a reader would after clicking its red tick.
  await page.locator(`.tw-row[data-span-id="${SPANS.charge}"] .tw-tick-error`).first().click()
  await page.locator('.tw-line-selected').waitFor()
  await page.mouse.move(0, 0)
  writeFileSync(output, await page.screenshot({ fullPage: false }))
  process.stdout.write(`wrote ${output}\n`)
} finally {
  await browser.close()
}
