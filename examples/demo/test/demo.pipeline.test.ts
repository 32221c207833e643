import { expect, it } from 'vitest'
import { describePipeline } from '../../../test/support/pipeline.js'
import { runDemo } from './run-demo.js'

describePipeline('the demo with both routes (the real Fluentd sidecar and direct shipping)', ({ runner, elasticsearch }) => {
  it('shows that tracewire trace finds the same documents through the sidecar route as through the direct route', async () => {
    const { code, stdout } = await runDemo({ ES_URL: elasticsearch.url, TRACEWIRE_FLUENTD: runner })
    expect(code, stdout).toBe(0)
    const traceId = /the declined order, trace_id ([0-9a-f]{32})/.exec(stdout)?.[1]
    expect(stdout).toContain(`tracewire trace ${traceId} --index 'sidecar-*'`)
    const [, documents] = /Both routes hold the same (\d+) documents for this trace/.exec(stdout) ?? []
    expect(Number(documents)).toBeGreaterThan(1)
    expect(stdout).not.toContain('skipped')
  }, 120_000)
})
