// Type tests of the public API (expectTypeOf is checked by tsc in the typecheck step).
import { describe, expectTypeOf, it } from 'vitest'
import type { Request as ExpressRequest } from 'express-serve-static-core'
import type { ServerResponse } from 'node:http'
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import * as expressEntry from '../src/express-entry.js'
import * as fastifyEntry from '../src/fastify-entry.js'
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
  type ExpressLikeRequest,
  type LoggerLike,
  type MiddlewareOptions,
  type RequestLogger,
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
    // The access-line hooks get Express's req/res, Fastify's request/reply.
    expectTypeOf(expressMiddleware).parameter(0).toEqualTypeOf<MiddlewareOptions<ExpressLikeRequest, ServerResponse> | undefined>()
  })
  it('fastifyPlugin is a Fastify plugin taking the middleware options, from both entries', () => {
    expectTypeOf(fastifyPlugin).toMatchTypeOf<FastifyPluginCallback<MiddlewareOptions<unknown, unknown>>>()
    expectTypeOf(fastifyEntry.fastifyPlugin).toMatchTypeOf<FastifyPluginCallback<MiddlewareOptions<FastifyRequest, FastifyReply>>>()
    expectTypeOf<FastifyRequest['traceContext']>().toEqualTypeOf<TraceContext | null>()
  })
  it('the express entry types req.log as a whole pino-compatible logger and req.traceContext', () => {
    expectTypeOf<ExpressRequest['log']>().toEqualTypeOf<RequestLogger>()
    expectTypeOf<ExpressRequest['traceContext']>().toEqualTypeOf<TraceContext>()
    expectTypeOf(pino()).toMatchTypeOf<RequestLogger>()
    expectTypeOf(expressEntry.expressMiddleware).toEqualTypeOf(expressMiddleware)
  })
})
