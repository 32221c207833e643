// Child process for the SIGKILL test: appends numbered entries forever, syncing after each batch,
// and tells the parent on stdout what is durable ("synced N": entries 0..N are on disk) and what
// it acknowledged ("acked N": entries 0..N are done). The parent kills it with SIGKILL at a random
// point and checks what a restart recovers.
const [entryModule, dir] = process.argv.slice(2)
const { openSegmentLog } = await import(entryModule)

const log = await openSegmentLog({ dir, maxDiskBytes: 64 * 1024 * 1024, segmentMaxBytes: 32 * 1024, fsyncIntervalMs: 20 })
const pad = 'x'.repeat(200)
const tickets = []
let next = 0
let ackedUpTo = -1
for (;;) {
  for (let i = 0; i < 50; i++, next++) {
    const t = log.append({ id: `id-${next}`, line: Buffer.from(`{"service":"child","n":${next},"pad":"${pad}"}`) })
    if (t === undefined) throw new Error(`append ${next} refused`)
    tickets.push(t)
  }
  await log.sync()
  process.stdout.write(`synced ${next - 1}\n`)
  // Pretend everything up to two batches ago was delivered, so segments get deleted as we go.
  while (ackedUpTo < next - 101) log.ack(tickets[++ackedUpTo])
  process.stdout.write(`acked ${ackedUpTo}\n`)
  // Keep appending between syncs too, so the kill can land with unsynced data in flight.
  await new Promise((r) => setImmediate(r))
}
