/**
 * Option validation in the caller's thread (issue 9 cases 4 and 14): unknown names refused with the
 * closest valid one, every mistake a `ShipperConfigError` with code `TW_SHIPPER_CONFIG`.
 */
import { describe, expect, it } from 'vitest'
import { ShipperConfigError, createShipper, validateShipperOptions, validateTransportOptions } from '../src/index.js'
import type { ShipperOptions } from '../src/index.js'

const NODE = 'http://127.0.0.1:1'

function configError(fn: () => unknown): ShipperConfigError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ShipperConfigError)
    expect((err as ShipperConfigError).code).toBe('TW_SHIPPER_CONFIG')
    return err as ShipperConfigError
  }
  throw new Error('expected a ShipperConfigError')
}

describe('unknown option names', () => {
  it.each([
    ['bufferPath', 'bufferDir'],
    ['flushInterval', 'flushIntervalMs'],
    ['shutdownTimeout', 'shutdownTimeoutMs'],
    ['maxbufferbytes', 'maxBufferBytes'],
    ['deadLetterPath', 'deadLetterDir'],
    ['nodes', 'node'],
  ])('issue 9 case 4: %s is refused naming %s', (wrong, right) => {
    for (const validate of [
      (o: ShipperOptions) => createShipper(o),
      validateShipperOptions,
      (o: ShipperOptions) => validateTransportOptions(o),
    ]) {
      const err = configError(() => validate({ node: NODE, bufferDir: false, [wrong]: 1 } as ShipperOptions))
      expect(err.option).toBe(wrong)
      expect(err.message).toContain(`did you mean "${right}"?`)
    }
  })

  it('a name far from every option lists the valid ones', () => {
    const err = configError(() => validateShipperOptions({ node: NODE, zzzzzzzzzzzzzzzz: 1 } as ShipperOptions))
    expect(err.message).toMatch(/valid options: node, client, auth/)
  })

  it('the transport refuses what a worker thread cannot receive, with the reason', () => {
    const err = configError(() => validateTransportOptions({ node: NODE, onError: () => {} } as never))
    expect(err.option).toBe('onError')
    expect(err.message).toMatch(/worker thread/)
  })
})

describe('values', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['not-a-url node', { node: 'not-a-url' }, /is not a URL/],
    ['scheme-less host:port', { node: '127.0.0.1:9200' }, /is not a URL/],
    ['credentials without a scheme', { node: 'elastic:changeme@127.0.0.1:9200' }, /http: or https:/],
    ['uppercase prefix', { node: NODE, indexPrefix: 'Bad Prefix' }, /indexPrefix/],
    ['unknown policy', { node: NODE, overflowPolicy: 'drop' }, /overflowPolicy must be one of/],
    ['auth as a string', { node: NODE, auth: 'elastic:changeme' }, /auth must be/],
    ['a number node', { node: 9200 }, /node must be a URL string/],
    ['a string flag', { node: NODE, retryRandomize: 'yes' }, /retryRandomize must be true or false/],
    ['a callback that is not a function', { node: NODE, onError: 'log' }, /onError must be a function/],
    ['a client without transport', { client: {} }, /client must be an @elastic\/elasticsearch client/],
  ])('refuses %s at construction', (_name, options, message) => {
    const err = configError(() => createShipper({ bufferDir: false, ...options } as ShipperOptions))
    expect(err.message).toMatch(message)
    expect(err.message).not.toContain('changeme')
  })

  it('issue 9 case 14: fsyncIntervalMs 0 (fsync after every write) is accepted, as disk-buffer/README.md documents', async () => {
    expect(() => validateShipperOptions({ node: NODE, fsyncIntervalMs: 0 })).not.toThrow()
    configError(() => validateShipperOptions({ node: NODE, fsyncIntervalMs: -1 }))
  })

  it('validateTransportOptions resolves the default bufferDir in the calling thread and keeps an explicit one', () => {
    const resolved = validateTransportOptions({ node: NODE })
    expect(typeof resolved.bufferDir).toBe('string')
    expect(resolved.bufferDir).toMatch(/tracewire-shipper[/\\]fluentd-[0-9a-f]{10}$/)
    expect(validateTransportOptions({ node: NODE, bufferDir: false }).bufferDir).toBe(false)
    expect(validateTransportOptions({ node: NODE, bufferDir: '/x/y' }).bufferDir).toBe('/x/y')
  })
})
