import { describe, expect, it } from 'vitest'
import { ITEM_DEAD, ITEM_DELIVERED, ITEM_DUPLICATE, ITEM_RETRY, classifyBulkResponse } from '../src/bulk-response.js'
import { retryDelayMs } from '../src/backoff.js'
import { createDateFormatter } from '../src/index-name.js'

const created = (n: number): string => `{"errors":false,"items":[${Array.from({ length: n }, () => '{"create":{"status":201}}').join(',')}]}`

describe('classifyBulkResponse', () => {
  it.each([
    // [case, status, body, sent, expected kind / codes]
    ['all created (fast path)', 200, created(3), 3, [ITEM_DELIVERED, ITEM_DELIVERED, ITEM_DELIVERED]],
    ['unfiltered answer', 200, '{"took":3,"errors":false,"items":[{"create":{"_index":"a","_id":"1","status":201,"result":"created"}}]}', 1, [ITEM_DELIVERED]],
    ['index action 200', 200, '{"errors":false,"items":[{"index":{"status":200}}]}', 1, [ITEM_DELIVERED]],
    ['409 on create', 200, '{"errors":true,"items":[{"create":{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"x"}}}]}', 1, [ITEM_DUPLICATE]],
    ['429 item', 200, '{"errors":true,"items":[{"create":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}}]}', 1, [ITEM_RETRY]],
    ['503 item', 200, '{"errors":true,"items":[{"create":{"status":503,"error":{"type":"unavailable_shards_exception","reason":"x"}}}]}', 1, [ITEM_RETRY]],
    ['400 item', 200, '{"errors":true,"items":[{"create":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"bad"}}}]}', 1, [ITEM_DEAD]],
    ['404 item', 200, '{"errors":true,"items":[{"create":{"status":404,"error":{"type":"index_not_found_exception","reason":"no"}}}]}', 1, [ITEM_DEAD]],
  ] as const)('%s', (_name, status, body, sent, codes) => {
    const verdict = classifyBulkResponse(status, body, sent)
    expect(verdict.kind).toBe('items')
    if (verdict.kind === 'items') expect([...verdict.outcomes.codes]).toEqual(codes)
  })

  it('keeps the server reason of failed items, with its cause', () => {
    const verdict = classifyBulkResponse(200, '{"errors":true,"items":[{"create":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse","caused_by":{"type":"illegal_argument_exception","reason":"bad value"}}}}]}', 1)
    expect(verdict.kind === 'items' && verdict.outcomes.reasons.get(0)).toBe('mapper_parsing_exception: failed to parse; caused by illegal_argument_exception: bad value')
  })

  it.each([
    ['413', 413, '', 'split'],
    ['400 whole request', 400, '{"error":{"type":"action_request_validation_exception","reason":"id is too long"},"status":400}', 'split'],
    ['401', 401, '', 'retry'],
    ['403', 403, '', 'retry'],
    ['429 whole', 429, '{}', 'retry'],
    ['502', 502, '<html>', 'retry'],
    ['HTML 200', 200, '<html>ok</html>', 'retry'],
    ['item count mismatch', 200, created(2), 'retry'],
    ['truncated', 200, created(3).slice(0, 40), 'retry'],
    ['items without status', 200, '{"errors":true,"items":[{"create":{}},{"create":{}},{"create":{}}]}', 'retry'],
    ['no items', 200, '{"errors":false}', 'retry'],
  ] as const)('%s -> %s', (_name, status, body, kind) => {
    expect(classifyBulkResponse(status, body, 3).kind).toBe(kind)
  })

  it('auth failures carry TW_SHIPPER_AUTH, bad bodies TW_SHIPPER_BAD_RESPONSE', () => {
    expect(classifyBulkResponse(401, '', 1)).toMatchObject({ code: 'TW_SHIPPER_AUTH' })
    expect(classifyBulkResponse(200, 'nope', 1)).toMatchObject({ code: 'TW_SHIPPER_BAD_RESPONSE' })
  })
})

describe('retryDelayMs (Fluentd retry_wait 1, base 2, randomize, max 5m)', () => {
  const policy = { retryWaitMs: 1000, retryBackoffBase: 2, maxRetryIntervalMs: 300_000, retryRandomize: false }
  it('doubles from 1 s and caps at the max interval', () => {
    expect([1, 2, 3, 4, 10, 20].map((n) => retryDelayMs(policy, n))).toEqual([1000, 2000, 4000, 8000, 300_000, 300_000])
  })
  it('randomises within ±12.5 % and never exceeds the cap', () => {
    const r = { ...policy, retryRandomize: true }
    expect(retryDelayMs(r, 3, () => 0)).toBe(3500)
    expect(retryDelayMs(r, 3, () => 0.999999)).toBe(4500)
    expect(retryDelayMs(r, 30, () => 0.999999)).toBe(300_000)
  })
})

describe('createDateFormatter', () => {
  it.each([
    ['UTC', Date.UTC(2026, 10, 26, 23, 59, 59) / 1000, '20261126'],
    ['UTC', Date.UTC(1970, 0, 1) / 1000, '19700101'],
    ['+09:00', Date.UTC(2026, 10, 26, 15, 0) / 1000, '20261127'],
    ['-05:00', Date.UTC(2026, 10, 26, 3, 0) / 1000, '20261125'],
    ['Asia/Seoul', Date.UTC(2026, 10, 26, 15, 0) / 1000, '20261127'],
    ['America/New_York', Date.UTC(2026, 6, 1, 3, 0) / 1000, '20260630'],
  ])('%s: %d -> %s', (zone, t, date) => {
    expect(createDateFormatter(zone)(t)).toBe(date)
  })
})
