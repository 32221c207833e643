/**
 * Property test of the shipper's buffer and retry logic: random write/flush sequences against a
 * sink that answers each request with a random fault. Model: every line ends up either indexed
 * exactly once or dead-lettered, and dead-lettered only if the server refused it with a 4xx;
 * accepted = delivered + dead-lettered + dropped + buffered at every step; memory stays bounded.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createShipper } from '../src/index.js'
import type { DeadLetter } from '../src/index.js'
import type { SinkAction } from './support/bulk-sink.js'
import { logLine, startBulkSink } from './support/bulk-sink.js'

const faultArb: fc.Arbitrary<SinkAction | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant<SinkAction>({ kind: 'status', status: 429 }),
  fc.constant<SinkAction>({ kind: 'status', status: 503 }),
  fc.constant<SinkAction>({ kind: 'status', status: 413 }),
  fc.constant<SinkAction>({ kind: 'destroy' }),
  fc.constant<SinkAction>({ kind: 'raw', body: '<html>bad gateway</html>' }),
  fc.constant<SinkAction>({ kind: 'delay', ms: 150 }),
  fc.array(fc.tuple(fc.nat(40), fc.constantFrom(429, 503, 400)), { maxLength: 6 }).map<SinkAction>((pairs) => ({ kind: 'items', statuses: new Map(pairs) })),
)

const opArb = fc.oneof(
  fc.record({ op: fc.constant('write' as const), count: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ op: fc.constant('flush' as const) }),
  fc.record({ op: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 30 }) }),
)

describe('shipper property: conservation under random faults', () => {
  it('every line is indexed once or dead-lettered for a 4xx; the counters always add up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(faultArb, { minLength: 1, maxLength: 12 }), fc.array(opArb, { minLength: 1, maxLength: 15 }), async (faults, ops) => {
        const sink = await startBulkSink()
        let request = 0
        const refusedIds = new Set<string>()
        sink.script = (req) => {
          let action = faults[request++ % faults.length]
          if (request > faults.length * 3) return undefined // heal eventually: the property is about the end state
          if (action?.kind === 'items') {
            // A real server answers 409 for a document it already holds, whatever else is wrong: keep the fake honest.
            const statuses = new Map([...action.statuses].filter(([i]) => req.items[i] && !sink.docs.has(req.items[i]!.id)))
            for (const [i, status] of statuses) if (status === 400) refusedIds.add(req.items[i]!.id)
            action = { kind: 'items', statuses }
          }
          if (action?.kind === 'status' && action.status === 413 && req.items.length === 1) return undefined // a single line is never too large here
          return action
        }
        const dead: DeadLetter[] = []
        const shipper = createShipper({
          node: sink.url,
          bufferDir: false,
          flushBytes: 4096,
          flushIntervalMs: 10,
          retryWaitMs: 5,
          maxRetryIntervalMs: 20,
          requestTimeoutMs: 100,
          maxConcurrentRequests: 3,
          reportDropsToStderr: false,
          onDeadLetter: (d) => dead.push(d),
        })
        try {
          let seq = 0
          for (const op of ops) {
            if (op.op === 'write') for (let i = 0; i < op.count; i++) shipper.write(logLine(seq++))
            else if (op.op === 'flush') await shipper.flush()
            else await new Promise((r) => setTimeout(r, op.ms))
            const st = shipper.stats()
            expect(st.accepted).toBe(st.delivered + st.deadLettered + st.dropped + st.bufferedDocs)
            expect(st.inFlight).toBeLessThanOrEqual(3)
          }
          await shipper.flush()
          const st = shipper.stats()
          expect(st).toMatchObject({ accepted: seq, bufferedDocs: 0, bufferedBytes: 0, dropped: 0 })
          const indexed = [...sink.docs.values()].map((d) => (JSON.parse(d.source) as { seq: number }).seq)
          const deadSeqs = dead.map((d) => (JSON.parse(d.document) as { seq: number }).seq)
          expect(new Set(indexed).size).toBe(indexed.length) // no duplicates
          expect([...indexed, ...deadSeqs].sort((a, b) => a - b)).toEqual(Array.from({ length: seq }, (_, i) => i))
          for (const d of dead) expect(d.status).toBe(400)
          expect(dead.length).toBeLessThanOrEqual(refusedIds.size)
        } finally {
          await shipper.close()
          await sink.close()
        }
      }),
      { numRuns: 25 },
    )
  }, 120_000)
})
