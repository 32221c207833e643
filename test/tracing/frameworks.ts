// Express and Fastify are dev dependencies of @tracewire/tracing, not of the @tracewire/test workspace
// package; load them from there so this folder needs no change to test/package.json.
import { createRequire } from 'node:module'

const fromTracing = createRequire(new URL('../../packages/tracing/package.json', import.meta.url))

export const express = fromTracing('express') as typeof import('express')
export const fastify = fromTracing('fastify') as typeof import('fastify').default
