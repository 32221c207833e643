import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runDemo } from './run-demo.js'

describe('the demo (files only)', () => {
  it('follows one request across both services and writes FORMAT.md lines', async () => {
    const { code, stdout, logDir } = await runDemo({ DEMO_ELASTICSEARCH: '0', ES_URL: '' })
    expect(code).toBe(0)
    const traceId = /the declined order, trace_id ([0-9a-f]{32})/.exec(stdout)?.[1]
    expect(traceId).toBeDefined()
    expect(stdout).toContain('lines from orders and payments, all with the same trace_id')

    // Both files hold lines of that trace, the payments side continuing orders' span as its parent.
    const read = (name: string) =>
      readFileSync(join(logDir, name), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    const orders = read('orders.log').filter((l) => l.trace_id === traceId)
    const payments = read('payments.log').filter((l) => l.trace_id === traceId)
    expect(orders.length).toBeGreaterThan(0)
    expect(payments.length).toBeGreaterThan(0)
    expect(orders.some((l) => l.level === 'error' && (l.err as { message: string }).message.includes('failed'))).toBe(true)
    const paymentsAccess = payments.find((l) => l.status === 402)
    expect(paymentsAccess?.parent_span_id).toMatch(/^[0-9a-f]{16}$/)
    expect(paymentsAccess?.parent_span_id).not.toBe(paymentsAccess?.span_id)
    expect(stdout).toMatch(/orders\.log: \d+ lines -> fluentd-orders-\d{8}/)
    expect(stdout).toContain("continued the caller's trace 4bf92f3577b34da6a3ce929d0e0e4736")
    expect(stdout).toContain("7. The sidecar route (the real Fluentd with the stack's fluent.conf): skipped, no Elasticsearch to ship to.")
  }, 120_000)
})
