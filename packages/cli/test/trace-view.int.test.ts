/**
 * The trace waterfall in a real headless Chromium, from a three-service trace indexed in the real
 * Elasticsearch 7.10.2 and OpenSearch 2.19: the `--html` file of `tracewire trace` and the pages of
 * `tracewire ui`. Each test saves a screenshot in its temporary folder.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEngines } from '../../../test/support/engines.js'
import { useIndexPrefix } from '../../../test/support/index-prefix.js'
import { runCli } from '../src/run.js'
import { runUi } from '../src/ui-command.js'
import { captureIo } from './cli-fake-server.js'
import { describeWithBrowser } from './support/browser.js'
import { SPANS, THREE_SERVICE_TRACE_ID, threeServiceTrace } from './support/three-service-trace.js'

async function indexTrace(url: string, prefix: string, t0Ms: number): Promise<void> {
  const day = new Date(t0Ms).toISOString().slice(0, 10).replace(/-/g, '')
  const body = threeServiceTrace(t0Ms)
    .map(({ service, doc }) => `${JSON.stringify({ create: { _index: `${prefix}fluentd-${service}-${day}` } })}\n${JSON.stringify(doc)}\n`)
    .join('')
  const res = await fetch(`${url}/_bulk?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body })
  const json = (await res.json()) as { errors: boolean; items: unknown[] }
  expect(json.errors, JSON.stringify(json.items)).toBe(false)
}

/** Watches a page for requests other than its own document and for script/CSP errors. */
function watch(page: Page, documentUrl: string): { foreign: string[]; errors: string[] } {
  const seen = { foreign: [] as string[], errors: [] as string[] }
  page.on('request', (r) => {
    if (r.url() !== documentUrl) seen.foreign.push(r.url())
  })
  page.on('pageerror', (e) => seen.errors.push(String(e)))
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.errors.push(m.text())
  })
  return seen
}

/** What every rendering of the sample trace must show: lanes, nesting, the error marked. */
async function expectWaterfall(page: Page): Promise<void> {
  expect(await page.locator('.tw-lane').evaluateAll((lanes) => lanes.map((l) => l.getAttribute('data-service')))).toEqual(['gateway', 'orders', 'payments'])
  const rows = await Promise.all(
    (await page.locator('.tw-row').all()).map(async (r) => [
      await r.getAttribute('data-span-id'),
      await r.getAttribute('data-depth'),
      await r.getAttribute('data-parent'),
      ((await r.getAttribute('class')) ?? '').split(' ').includes('tw-error'),
      await r.isVisible(),
    ]),
  )
  expect(rows).toEqual([
    [SPANS.gateway, '0', '-1', true, true],
    [SPANS.orders, '1', '0', true, true],
    [SPANS.authorize, '2', '1', false, true],
    [SPANS.charge, '2', '1', true, true],
  ])
  // The span the error starts in is filled red; only there.
  const charge = page.locator(`.tw-row[data-span-id="${SPANS.charge}"]`)
  expect(await page.locator('.tw-rows .tw-bar-error').count()).toBe(1)
  expect(await charge.locator('.tw-bar-error').count()).toBe(1)
  // (The test's TypeScript has no DOM types: the browser's globals are reached through globalThis.)
  const fill = await charge
    .locator('.tw-bar-error')
    .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundImage: string } }).getComputedStyle(el).backgroundImage)
  expect(fill).toContain('rgb(214, 39, 40)')
  // Bars are laid out: the charge starts after the authorization ends and inside its parent.
  const box = async (span: string) => (await page.locator(`.tw-row[data-span-id="${span}"] .tw-bar`).boundingBox())!
  const [orders, authorize, chargeBox] = await Promise.all([box(SPANS.orders), box(SPANS.authorize), box(SPANS.charge)])
  expect(authorize.x + authorize.width).toBeLessThan(chargeBox.x)
  expect(chargeBox.x).toBeGreaterThan(orders.x)
  expect(chargeBox.x + chargeBox.width).toBeLessThanOrEqual(orders.x + orders.width + 1)
  // The page opens on the deepest error span; its error line's fields show on a click on its red tick.
  await expect.poll(() => page.locator('.tw-row.tw-selected').getAttribute('data-span-id')).toBe(SPANS.charge)
  await charge.locator('.tw-tick-error').first().click()
  const selected = page.locator('.tw-line-selected')
  expect(await selected.locator('.tw-line-message').textContent()).toBe('card declined (PaymentError: insufficient funds)')
  expect(await selected.locator('.tw-fields').textContent()).toContain('"code": "card_declined"')
  // Collapsing orders hides both payments rows from view.
  const visibleRows = async (): Promise<number> => (await Promise.all((await page.locator('.tw-row').all()).map((r) => r.isVisible()))).filter(Boolean).length
  await page.locator(`.tw-row[data-span-id="${SPANS.orders}"] .tw-toggle`).click()
  expect(await visibleRows()).toBe(2)
  await page.locator(`.tw-row[data-span-id="${SPANS.orders}"] .tw-toggle`).click()
  expect(await visibleRows()).toBe(4)
}

describeWithBrowser('trace waterfall in Chromium', (launch) => {
  let browser: Browser
  beforeAll(async () => {
    browser = await launch()
  })
  afterAll(async () => {
    await browser?.close()
  })

  describeEngines('from a real search engine', (engine) => {
    const idx = useIndexPrefix(engine.url, 'traceview')

    it('tracewire trace --html writes a self-contained page with lanes, nesting and the error', async () => {
      await indexTrace(engine.url, idx.prefix, Date.UTC(2026, 10, 26, 12, 2, 12, 0))
      const dir = mkdtempSync(join(tmpdir(), 'tracewire-html-'))
      const file = join(dir, 'trace.html')
      const io = captureIo()
      const status = await runCli(['trace', THREE_SERVICE_TRACE_ID, '--html', file, '--es', engine.url, '--index', `${idx.prefix}fluentd-*`], io)
      expect(status, io.err).toBe(0)
      expect(io.out).toMatch(new RegExp(`^trace ${THREE_SERVICE_TRACE_ID}: 11 lines from 3 services`))
      expect(io.err).toBe(`waterfall written to ${file}\n`)
      expect(readFileSync(file, 'utf8')).not.toMatch(/\b(src|href)\s*=/)

      const page = await browser.newPage({ viewport: { width: 1360, height: 520 } })
      const url = pathToFileURL(file).href
      const seen = watch(page, url)
      await page.goto(url)
      await expectWaterfall(page)
      await page.screenshot({ path: join(dir, `trace-${engine.name}.png`) })
      expect(seen).toEqual({ foreign: [], errors: [] })
      await page.close()
    })

    it('tracewire ui lists the trace among recent errors and shows its waterfall', async () => {
      // Error lines of the last hour: the trace happened a minute ago.
      await indexTrace(engine.url, idx.prefix, Date.now() - 60_000)
      const dir = mkdtempSync(join(tmpdir(), 'tracewire-ui-'))
      const io = captureIo()
      const stop = new AbortController()
      const running = runUi(['--es', engine.url, '--index', `${idx.prefix}fluentd-*`, '--port', '0'], io, stop.signal)
      try {
        await expect.poll(() => io.out, { timeout: 10_000 }).toMatch(/^tracewire ui: http:\/\/127\.0\.0\.1:\d+ /)
        const base = /http:\/\/127\.0\.0\.1:\d+/.exec(io.out)![0]
        const page = await browser.newPage({ viewport: { width: 1360, height: 520 } })
        const seen = { errors: [] as string[] }
        page.on('pageerror', (e) => seen.errors.push(String(e)))
        page.on('console', (m) => m.type() === 'error' && seen.errors.push(m.text()))

        await page.goto(`${base}/`)
        const recent = page.locator('tr.tw-recent')
        expect(await recent.count()).toBe(1)
        expect(await recent.getAttribute('data-trace-id')).toBe(THREE_SERVICE_TRACE_ID)
        expect(await recent.locator('td').allTextContents()).toEqual([THREE_SERVICE_TRACE_ID, expect.stringMatching(/^\d+ (s|min) ago$/), 'payments', 'card declined', '4'])
        await page.screenshot({ path: join(dir, `ui-home-${engine.name}.png`) })

        // The search box takes a whole traceparent.
        await page.locator('input[name="q"]').fill(`00-${THREE_SERVICE_TRACE_ID}-${SPANS.gateway}-01`)
        await page.locator('nav button[type="submit"]').click()
        await page.waitForURL(`${base}/trace/${THREE_SERVICE_TRACE_ID}`)
        await expectWaterfall(page)
        await page.screenshot({ path: join(dir, `ui-trace-${engine.name}.png`) })

        expect(seen.errors).toEqual([])
        const missing = await page.goto(`${base}/trace/${'f'.repeat(32)}`)
        expect(missing?.status()).toBe(404)
        expect(await page.locator('h1').textContent()).toBe('Trace not found')
        await page.close()
      } finally {
        stop.abort()
        expect(await running).toBe(0)
      }
    })
  })
})
