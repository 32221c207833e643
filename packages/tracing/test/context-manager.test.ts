// Runs in its own file (vitest isolates files) so the global context manager starts unregistered.
import { context, ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { expect, it } from 'vitest'
import { expressMiddleware, getTraceContext, startTraceContext, withTraceContext } from '../src/index.js'

class SdkManager extends AsyncLocalStorageContextManager {
  calls = 0
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.calls++
    return super.with(ctx, fn, thisArg, ...args)
  }
}

it('keeps a context manager registered before it (as @opentelemetry/sdk-node registers one)', () => {
  const sdk = new SdkManager().enable()
  expect(context.setGlobalContextManager(sdk as ContextManager)).toBe(true)
  expressMiddleware()
  const tc = startTraceContext()
  withTraceContext(tc, () => {
    expect(getTraceContext()).toEqual(tc)
  })
  expect(sdk.calls).toBeGreaterThan(0)
  // Still the SDK's manager: the API's context.with reaches it (a refused second registration would
  // prove nothing, as it is refused whichever manager holds the slot).
  const before = sdk.calls
  context.with(ROOT_CONTEXT, () => undefined)
  expect(sdk.calls).toBe(before + 1)
  expect(context.active()).toBe(ROOT_CONTEXT)
})
