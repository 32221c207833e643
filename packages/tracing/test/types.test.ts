// Type tests of the public API (expectTypeOf is checked by tsc in the typecheck step).
import { describe, expectTypeOf, it } from 'vitest'
import type { FastifyPluginCallback } from 'fastify'
import pino from 'pino'
import {
  expressMiddleware,
  fastifyPlugin,
  getTraceContext,
  parseTraceparent,
  parseTracestate,
  propagateOutgoing,
  startTracing,
  withTraceContext,
  type Disposer,
  type LoggerLike,
  type MiddlewareOptions,
  type TraceContext,
  type TraceParent,
  type TraceStateMember,
  type TracingHandle,
} from '../src/index.js'

describe('public types', () => {
  it('parsers return a value or undefined, never throw types', () => {
    expectTypeOf(parseTraceparent).returns.toEqualTypeOf<TraceParent | undefined>()
    expectTypeOf(parseTracestate).returns.toEqualTypeOf<TraceStateMember[] | undefined>()
  })
  it('context helpers', () => {
    expectTypeOf(getTraceContext).returns.toEqualTypeOf<TraceContext | undefined>()
    expectTypeOf(withTraceContext<number>).returns.toEqualTypeOf<number>()
    expectTypeOf(propagateOutgoing).returns.toEqualTypeOf<Disposer>()
    expectTypeOf(startTracing).returns.toEqualTypeOf<Promise<TracingHandle>>()
  })
  it('a pino logger is accepted as the middleware logger', () => {
    expectTypeOf(pino()).toMatchTypeOf<LoggerLike>()
    expectTypeOf<{ logger: pino.Logger }>().toMatchTypeOf<MiddlewareOptions>()
    expectTypeOf(expressMiddleware).parameter(0).toEqualTypeOf<MiddlewareOptions | undefined>()
  })
  it('fastifyPlugin is a Fastify plugin taking the middleware options', () => {
    expectTypeOf(fastifyPlugin).toMatchTypeOf<FastifyPluginCallback<MiddlewareOptions>>()
  })
})
