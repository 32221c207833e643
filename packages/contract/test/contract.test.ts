import { describe, expect, it } from 'vitest'
import {
  createDateFormatter,
  createIndexNamer,
  DEFAULT_FIELDS,
  ECS_FIELDS,
  indexMappings,
  indexPrefixProblem,
  isValidServiceName,
  leadingKeys,
  lineFields,
  readField,
  schemaOf,
  withDefaultNames,
} from '../src/index.js'

describe('service-name rule', () => {
  it.each([
    ['orders', true],
    ['orders-v2.eu_1', true],
    ['0rders', true],
    ['a'.repeat(100), true],
    ['a'.repeat(101), false],
    ['Orders', false],
    ['-orders', false],
    ['_orders', false],
    ['+orders', false],
    ['.', false],
    ['..', false],
    ['', false],
    ['or ders', false],
    ['or/ders', false],
    ['or:ders', false],
    ['or#ders', false],
    ['주문', false],
    [42, false],
    [undefined, false],
  ])('%j -> %s', (value, valid) => {
    expect(isValidServiceName(value)).toBe(valid)
  })
})

describe('index names', () => {
  it.each([
    ['UTC', Date.UTC(2026, 10, 26, 23, 59, 59) / 1000, 'fluentd-orders-20261126'],
    ['+09:00', Date.UTC(2026, 10, 26, 15, 0) / 1000, 'fluentd-orders-20261127'],
    ['-0500', Date.UTC(2026, 10, 26, 3, 0) / 1000, 'fluentd-orders-20261125'],
    ['Asia/Seoul', Date.UTC(2026, 10, 26, 15, 0) / 1000, 'fluentd-orders-20261127'],
    ['America/New_York', Date.UTC(2026, 6, 1, 3, 0) / 1000, 'fluentd-orders-20260630'],
  ])('in %s, %d is %s', (zone, t, name) => {
    expect(createIndexNamer('fluentd', zone)('orders', t)).toBe(name)
  })

  it('names by the UTC date by default, as fluent-plugin-elasticsearch does', () => {
    expect(createIndexNamer('fluentd')('orders', Date.UTC(2026, 10, 26, 23, 59, 59, 999) / 1000)).toBe('fluentd-orders-20261126')
  })

  it.each(['Fluentd', '-fluentd', '_x', 'a b', 'a*', '.', '..', 'a'.repeat(141), ''])('refuses the prefix %j', (prefix) => {
    expect(indexPrefixProblem(prefix)).toMatch(/lowercase/)
    expect(() => createIndexNamer(prefix)).toThrow(RangeError)
  })

  it('refuses an unknown time zone', () => {
    expect(createDateFormatter('Mars/Olympus')).toBeUndefined()
    expect(() => createIndexNamer('fluentd', 'Mars/Olympus')).toThrow(/time zone "Mars\/Olympus"/)
  })
})

describe('field names', () => {
  it('leading keys of each schema, in order', () => {
    expect(leadingKeys('default')).toEqual(['level', 'time', '@timestamp', 'service'])
    expect(leadingKeys('ecs')).toEqual(['log.level', 'time', '@timestamp', 'service.name'])
  })

  it('trace fields of each schema (ECS writes no trace flags)', () => {
    expect([DEFAULT_FIELDS.traceId, DEFAULT_FIELDS.spanId, DEFAULT_FIELDS.traceFlags]).toEqual(['trace_id', 'span_id', 'trace_flags'])
    expect([ECS_FIELDS.traceId, ECS_FIELDS.spanId, ECS_FIELDS.traceFlags]).toEqual(['trace.id', 'span.id', undefined])
    expect(lineFields('ecs')).toBe(ECS_FIELDS)
    expect(lineFields('default')).toBe(DEFAULT_FIELDS)
  })

  it.each([
    ['default line', { service: 'orders' }, 'default', 'orders'],
    ['ECS line as written (dotted key)', { 'service.name': 'orders' }, 'ecs', 'orders'],
    ['ECS document with objects', { service: { name: 'orders' } }, 'ecs', 'orders'],
    ['neither', { svc: 'orders' }, undefined, undefined],
    ['a number is not a service', { service: 7 }, undefined, undefined],
  ] as const)('schemaOf / readField: %s', (_name, record, schema, service) => {
    expect(schemaOf(record)).toBe(schema)
    if (schema) expect(readField(record, lineFields(schema).service)).toBe(service)
  })
})

describe('indexMappings', () => {
  it('maps @timestamp as a date, message as text, and every keyword field of both schemas', () => {
    const m = indexMappings({ ignoreAbove: 256 }) as {
      properties: Record<string, { type: string }>
      dynamic_templates: Array<Record<string, { path_match: string; mapping: { type: string; ignore_above: number } }>>
    }
    expect(m.properties['@timestamp']?.type).toBe('date')
    expect(m.properties.message?.type).toBe('text')
    const keywordPaths = [
      ...Object.entries(m.properties).filter(([, v]) => v.type === 'keyword').map(([k]) => k),
      ...m.dynamic_templates.map((t) => Object.values(t)[0]?.path_match),
    ]
    for (const f of [DEFAULT_FIELDS, ECS_FIELDS]) {
      for (const name of [f.level, f.service, f.traceId, f.spanId]) expect(keywordPaths).toContain(name)
    }
    for (const t of m.dynamic_templates) expect(Object.values(t)[0]?.mapping).toEqual({ type: 'keyword', ignore_above: 256 })
    // `service` is a string in one schema and an object in the other: never mapped up front.
    expect(m.properties).not.toHaveProperty('service')
  })
})

describe('withDefaultNames', () => {
  it('copies an ECS line\'s level, service and trace fields to the default names, dotted or nested', () => {
    expect(withDefaultNames({ 'log.level': 'warn', 'service.name': 'b', 'trace.id': 't', 'span.id': 's', message: 'm' })).toMatchObject({ level: 'warn', service: 'b', trace_id: 't', span_id: 's', message: 'm' })
    expect(withDefaultNames({ log: { level: 'error' }, service: { name: 'b' }, trace: { id: 't' } })).toMatchObject({ level: 'error', service: 'b', trace_id: 't' })
  })

  it('returns a default-schema record unchanged', () => {
    const record = { level: 'info', service: 'a', trace_id: 't' }
    expect(withDefaultNames(record)).toBe(record)
  })
})
