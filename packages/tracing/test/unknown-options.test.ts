// Misspelt option names are refused by every options object of @tracewire/tracing (issue 13 item 6), with
// the unknown key and the closest valid name in the message, at construction.
import fastify5 from 'fastify'
import fastify4 from 'fastify4'
import { describe, expect, it } from 'vitest'
import { expressMiddleware, extractTraceContext, fastifyPlugin, injectTraceHeaders, propagateOutgoing, startTracing, TracingError } from '../src/index.js'

function refusal(act: () => unknown): TracingError {
  try {
    act()
  } catch (err) {
    expect(err).toBeInstanceOf(TracingError)
    return err as TracingError
  }
  throw new Error('no error thrown')
}

function expectNames(err: TracingError, unknown: string, closest: string): void {
  expect(err.code).toBe('TW_TRACING_INVALID_OPTION')
  expect(err.message).toContain(`Unknown option "${unknown}"`)
  expect(err.message).toContain(`did you mean "${closest}"?`)
}

describe('unknown option names are refused with the closest valid name', () => {
  it('expressMiddleware({ skipPath })', () => {
    expectNames(refusal(() => expressMiddleware({ skipPath: ['/healthz'] } as never)), 'skipPath', 'skipPaths')
  })

  it('expressMiddleware({ trustedHeader })', () => {
    expectNames(refusal(() => expressMiddleware({ trustedHeader: ['b3'] } as never)), 'trustedHeader', 'trustedHeaders')
  })

  it.each([['Fastify 5', fastify5], ['Fastify 4', fastify4 as unknown as typeof fastify5]])('%s: register(fastifyPlugin, { skipPath }) fails at ready()', async (_name, factory) => {
    const app = factory()
    app.register(fastifyPlugin, { skipPath: ['/healthz'] } as never)
    const err = await app.ready().then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(TracingError)
    expectNames(err as TracingError, 'skipPath', 'skipPaths')
    await app.close()
  })

  it('Fastify: register options Fastify itself reserves (prefix, logLevel) are not refused', async () => {
    const app = fastify5()
    app.register(fastifyPlugin, { prefix: '/api', logLevel: 'info', sampled: true } as never)
    await expect(app.ready()).resolves.toBeDefined()
    await app.close()
  })

  it('propagateOutgoing({ nodehttp: false })', () => {
    expectNames(refusal(() => propagateOutgoing({ nodehttp: false } as never)), 'nodehttp', 'nodeHttp')
  })

  it('propagateOutgoing(null) is a TracingError, not a TypeError', () => {
    expect(refusal(() => propagateOutgoing(null as never)).code).toBe('TW_TRACING_INVALID_OPTION')
  })

  it('startTracing({ serviceNmae }) rejects before loading anything', async () => {
    const err = await startTracing({ serviceNmae: 'orders' } as never).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(TracingError)
    expectNames(err as TracingError, 'serviceNmae', 'serviceName')
  })

  it('startTracing({ instrumentations: { expres: false } })', async () => {
    const err = await startTracing({ instrumentations: { expres: false } } as never).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(TracingError)
    expectNames(err as TracingError, 'expres', 'express')
  })

  it('extractTraceContext(headers, { trustedHeader })', () => {
    expectNames(refusal(() => extractTraceContext({}, { trustedHeader: ['b3'] } as never)), 'trustedHeader', 'trustedHeaders')
  })

  it('extractTraceContext(undefined, { requestIdHeadr }) refuses the typo even without headers', () => {
    expectNames(refusal(() => extractTraceContext(undefined, { requestIdHeadr: 'x-id' } as never)), 'requestIdHeadr', 'requestIdHeader')
  })

  it('injectTraceHeaders(headers, { B3 }) refuses the typo even outside a trace', () => {
    expectNames(refusal(() => injectTraceHeaders({}, { B3: 'single' } as never)), 'B3', 'b3')
  })
})
