#!/usr/bin/env node
// `pnpm search-server --engine elasticsearch|opensearch [--port N] [--data DIR] [--verbose]`
// Builds the embedded server (Maven, offline when ~/.m2 is warm), starts it, prints the URL when
// it is ready and stops it on Ctrl-C / SIGTERM.
import { parseArgs } from 'node:util'
import { ENGINES, buildEngine, findJava, isBuilt, mavenAvailable, spawnServer, stopServer } from './launch.mjs'

const usage = 'usage: pnpm search-server --engine elasticsearch|opensearch [--port N] [--data DIR] [--verbose]'

let values
try {
  ;({ values } = parseArgs({
    // pnpm forwards a literal `--` separator when the user writes `pnpm search-server -- --engine ...`.
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      engine: { type: 'string', short: 'e' },
      port: { type: 'string', short: 'p' },
      data: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  }))
} catch (err) {
  console.error(`${err.message}\n${usage}`)
  process.exit(2)
}
if (values.help) {
  console.log(usage)
  process.exit(0)
}
const engine = values.engine
if (!ENGINES.includes(engine)) {
  console.error(usage)
  process.exit(2)
}
const port = values.port === undefined ? 0 : Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}\n${usage}`)
  process.exit(2)
}

const java = findJava()
if (!java) {
  console.error('Java 17 not found: install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME')
  process.exit(1)
}
if (!isBuilt(engine) && !mavenAvailable()) {
  console.error('Maven not found: install Maven 3.8+ (e.g. apt-get install maven)')
  process.exit(1)
}

let server
let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  // Before the server exists (still building/starting) there is nothing to stop: the JVM, if any,
  // exits on its own when our stdin pipe to it closes.
  if (server) await stopServer(server.child)
  process.exit(server ? 0 : 130)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

const t0 = performance.now()
await buildEngine(engine, { log: (m) => console.error(`[search-server] ${m}`) })
const t1 = performance.now()
server = await spawnServer({ engine, port, dataDir: values.data, java: java.bin, inheritLogs: values.verbose })
const t2 = performance.now()
console.log(`${engine} ready at ${server.url} (build ${Math.round(t1 - t0)} ms, start ${Math.round(t2 - t1)} ms, Java ${java.major}); Ctrl-C to stop`)
server.child.on('exit', (code) => {
  if (stopping) return
  console.error(`${engine} exited unexpectedly (code ${code})\n${server.logTail().slice(-4000)}`)
  process.exit(1)
})
