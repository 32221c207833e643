import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { describeEngines } from '../../../test/support/engines.js'
import { runDemo } from './run-demo.js'

describeEngines('the demo with direct shipping', (engine) => {
  it('ships every line it wrote and reads the trace back as a timeline', async () => {
    if (engine.name !== 'elasticsearch') return
    // The sidecar route has its own test (demo.pipeline.test.ts, with the real Fluentd).
    const { code, stdout, logDir } = await runDemo({ ES_URL: engine.url, TRACEWIRE_FLUENTD: '' })
    expect(code).toBe(0)
    const [, shipped, written] = /(\d+) of the (\d+) lines written are in Elasticsearch/.exec(stdout) ?? []
    expect(Number(written)).toBeGreaterThan(0)
    // The shared server may already hold demo lines from other runs: at least every line of this run is there.
    expect(Number(shipped)).toBeGreaterThanOrEqual(Number(written))
    const traceId = /the declined order, trace_id ([0-9a-f]{32})/.exec(stdout)?.[1]
    expect(stdout).toContain(`tracewire trace ${traceId}`)
    expect(stdout).toMatch(/payments/)
    // After the text timeline, the waterfall page of the same trace.
    expect(stdout).toContain(`6. The same trace as a waterfall, one self-contained page: ${join(logDir, 'trace.html')}`)
    const page = readFileSync(join(logDir, 'trace.html'), 'utf8')
    expect(page).toContain(`<code class="tw-trace-id">${traceId}</code>`)
    expect(page).toContain('<div class="tw-lane" data-service="payments">')
    // payments' parent_span_id is orders' outgoing call (no line carries it): drawn nested under orders.
    expect(page).toMatch(/<div class="tw-row[^"]*" data-row="1" data-depth="1" data-parent="0" data-service="payments"/)
    expect(stdout).toContain("7. The sidecar route (the real Fluentd with the stack's fluent.conf): skipped, TRACEWIRE_FLUENTD is not set")
  }, 180_000)
})
