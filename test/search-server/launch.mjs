// Build (Maven) and spawn the embedded search server. Plain ESM JavaScript so that both the
// `pnpm search-server` CLI (plain node, no TS loader) and the TypeScript test harness in
// test/support/search-server.ts share one implementation; types live in launch.d.mts.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const MODULE_DIR = dirname(fileURLToPath(import.meta.url))
export const ENGINES = /** @type {const} */ (['elasticsearch', 'opensearch'])

/** Heap of one node (`-Xms` = `-Xmx`) unless `spawnServer({ heap })` says otherwise. */
const DEFAULT_HEAP = '512m'

/** JVM flags of both engines besides the heap; why each one: test/search-server/README.md ("JVM flags"). */
const COMMON_JVM_FLAGS = [
  '-Xss1m',
  // ES 7.x / OpenSearch 2.x launchers set this on JDK 9+; date formats differ subtly without it.
  '-Djava.locale.providers=SPI,COMPAT',
  '-Dlog4j.shutdownHookEnabled=false',
  '-Dlog4j2.disable.jmx=true',
  // 7.10.2 pairs with log4j 2.11.1 (Log4Shell era): disable lookups even though we only bind loopback.
  '-Dlog4j2.formatMsgNoLookups=true',
  '-Dio.netty.allocator.numDirectArenas=0',
  '-Dio.netty.noUnsafe=true',
  '-Dfile.encoding=UTF-8',
  '-Djava.awt.headless=true',
]

/**
 * C1-only JIT and the serial GC: on the 2-core machines this runs on, C2 compiler threads and G1's
 * concurrent threads compete with start-up and with the test run itself. `node measure.mjs` compares
 * both settings in one run (numbers in README.md).
 */
const FAST_START_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC']

const ENGINE_JVM_FLAGS = {
  // `default` flavor: the official @elastic/elasticsearch 7.14-7.17 client refuses 7.10 servers
  // that do not report build_flavor=default.
  elasticsearch: ['-Des.distribution.flavor=default', '-Des.set.netty.runtime.available.processors=false'],
  opensearch: ['-Dopensearch.set.netty.runtime.available.processors=false'],
}

/** @param {string} cmd @param {string[]} args */
function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', ...opts })
}

/** Java major version of a `java` binary, or undefined when it does not run. */
function javaMajor(bin) {
  const r = run(bin, ['-version'])
  if (r.status !== 0) return undefined
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr ?? '')
  if (!m) return undefined
  const major = Number(m[1])
  return major === 1 ? Number(m[2]) : major
}

/**
 * Finds a JDK 17-21 `java`: TRACEWIRE_JAVA_HOME (exclusively, when set), else JAVA_HOME, the Debian
 * JDK 17 path, then PATH.
 * JDK 23+ removed the COMPAT locale provider ES 7.x expects, so newer JDKs are only a last resort.
 * @returns {{ bin: string, major: number } | undefined}
 */
export function findJava() {
  const candidates = []
  if (process.env.TRACEWIRE_JAVA_HOME) {
    // Explicit choice: use exactly this JDK (also how tests simulate a machine without Java).
    candidates.push(join(process.env.TRACEWIRE_JAVA_HOME, 'bin', 'java'))
  } else {
    for (const home of [process.env.JAVA_HOME, '/usr/lib/jvm/java-17-openjdk-amd64', '/usr/lib/jvm/java-17-openjdk-arm64']) {
      if (home) candidates.push(join(home, 'bin', 'java'))
    }
    candidates.push('java')
  }
  let fallback
  for (const bin of candidates) {
    if (bin !== 'java' && !existsSync(bin)) continue
    const major = javaMajor(bin)
    if (major === undefined) continue
    if (major >= 17 && major <= 21) return { bin, major }
    if (major > 21 && !fallback) fallback = { bin, major }
  }
  return fallback
}

/** @returns {boolean} */
export function mavenAvailable() {
  const r = run('mvn', ['-v'])
  return r.status === 0
}

function buildDir(engine) {
  return join(MODULE_DIR, 'target', engine)
}

/**
 * Content hash of the module's inputs (pom, launcher source, log4j config). Content, not mtimes:
 * Maven does not touch an unchanged class when only a resource changed, and git checkouts reset mtimes.
 */
function inputsHash() {
  const hash = createHash('sha256')
  const add = (p) => hash.update(relative(MODULE_DIR, p)).update('\0').update(readFileSync(p)).update('\0')
  add(join(MODULE_DIR, 'pom.xml'))
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else add(p)
    }
  }
  walk(join(MODULE_DIR, 'src'))
  return hash.digest('hex')
}

function stampFile(engine) {
  return join(buildDir(engine), 'inputs.sha256')
}

/**
 * True when target/<engine> was built from the current inputs (stamp written after a successful
 * Maven run) and every jar on its class path still exists: then no Maven run is needed at all.
 */
export function isBuilt(engine) {
  const cpFile = join(buildDir(engine), 'classpath.txt')
  if (!existsSync(cpFile) || !existsSync(stampFile(engine))) return false
  if (readFileSync(stampFile(engine), 'utf8').trim() !== inputsHash()) return false
  const jars = readFileSync(cpFile, 'utf8').trim().split(delimiter).filter(Boolean)
  return jars.length > 0 && jars.every((j) => existsSync(j))
}

/** @returns {string} the runtime class path (launcher classes first) */
function classPath(engine) {
  const jars = readFileSync(join(buildDir(engine), 'classpath.txt'), 'utf8').trim()
  return `${join(buildDir(engine), 'classes')}${delimiter}${jars}`
}

function mvn(engine, offline, log) {
  return new Promise((resolve) => {
    const args = ['-B', '-q', '-Dstyle.color=never', `-P${engine}`, 'compile', 'dependency:build-classpath']
    if (offline) args.unshift('-o')
    log?.(`mvn ${args.join(' ')}`)
    const child = spawn('mvn', args, { cwd: MODULE_DIR, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', (err) => resolve({ ok: false, output: String(err) }))
    child.on('close', (code) => resolve({ ok: code === 0, output }))
  })
}

// One lock around every Maven run: Maven 3.8's local repository is not safe for concurrent
// downloads, and two processes building the same target/<engine> would clobber it. (Running the two
// engines' offline builds in parallel was measured: no faster on 2 cores, 22-24 s either way under
// load.) The lock is a promise chain within this process plus an atomic mkdir across processes,
// recording its owner's pid so that a lock left by a killed process is taken over at once.
const chains = new Map()

function lockOwnerDead(lockDir) {
  let pid
  try {
    pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'))
  } catch {
    // No pid file yet: either its owner is between mkdir and write (fresh) or died right there (old).
    try {
      return Date.now() - statSync(lockDir).mtimeMs > 10_000
    } catch {
      return false
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return true
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return err.code === 'ESRCH'
  }
}

async function acquireDirLock(lockDir) {
  const deadline = Date.now() + 15 * 60_000
  for (;;) {
    try {
      mkdirSync(lockDir)
      writeFileSync(join(lockDir, 'pid'), String(process.pid))
      return
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
      if (lockOwnerDead(lockDir)) {
        rmSync(lockDir, { recursive: true, force: true })
        continue
      }
      if (Date.now() > deadline) throw new Error(`search-server build lock ${lockDir} held for too long`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

function withLock(name, fn) {
  const run = async () => {
    mkdirSync(join(MODULE_DIR, 'target'), { recursive: true })
    const lockDir = join(MODULE_DIR, 'target', `.lock-${name}`)
    await acquireDirLock(lockDir)
    try {
      return await fn()
    } finally {
      rmSync(lockDir, { recursive: true, force: true })
    }
  }
  const next = (chains.get(name) ?? Promise.resolve()).then(run)
  chains.set(name, next.catch(() => undefined))
  return next
}

/**
 * Builds the launcher and the engine's class path unless it is already up to date. Tries Maven
 * offline first (no network once ~/.m2 is warm) and falls back to an online build.
 * @param {'elasticsearch'|'opensearch'} engine
 * @param {{ log?: (msg: string) => void }} [opts]
 */
export function buildEngine(engine, opts = {}) {
  return withLock('maven', async () => {
    if (isBuilt(engine)) return
    const stamp = inputsHash()
    // Remove the stamp first: a build interrupted half-way must not look complete.
    rmSync(stampFile(engine), { force: true })
    const offline = await mvn(engine, true, opts.log)
    if (!offline.ok) {
      opts.log?.(`offline build failed, retrying online`)
      const online = await mvn(engine, false, opts.log)
      if (!online.ok) throw new Error(`Maven build of the ${engine} search server failed:\n${online.output.slice(-4000)}`)
    }
    writeFileSync(stampFile(engine), `${stamp}\n`)
    if (!isBuilt(engine)) throw new Error(`Maven built the ${engine} search server but ${buildDir(engine)}/classpath.txt is missing or stale`)
  })
}

/**
 * Spawns the launcher JVM (the engine must be built). Resolves with the child and its URL once the
 * READY line arrives; rejects with the tail of the server log if it fails or exits first.
 * Cluster members also pass `cluster` (see `clusterPlan`): node and cluster name, fixed transport
 * port, seed hosts, initial master nodes, home directory and thread pool size.
 * @param {import('./launch.d.mts').SpawnServerOptions} opts
 */
export function spawnServer(opts) {
  const java = opts.java ?? findJava()?.bin
  if (!java) return Promise.reject(new Error('no Java (17-21) found: install a JDK 17 or set JAVA_HOME'))
  if (opts.heap !== undefined && !/^\d+[mg]$/.test(opts.heap)) return Promise.reject(new Error(`heap must look like 256m or 1g, got ${JSON.stringify(opts.heap)}`))
  const heap = opts.heap ?? DEFAULT_HEAP
  // Extra options last so they win (e.g. TRACEWIRE_SEARCH_SERVER_JAVA_OPTS="-Xms1g -Xmx1g").
  const extra = (process.env.TRACEWIRE_SEARCH_SERVER_JAVA_OPTS ?? '').split(/\s+/).filter(Boolean)
  const args = [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    ...COMMON_JVM_FLAGS,
    ...(opts.fastStart === false ? [] : FAST_START_FLAGS),
    ...ENGINE_JVM_FLAGS[opts.engine],
    ...extra,
    '-cp',
    classPath(opts.engine),
    'dev.tracewire.searchserver.Launcher',
    '--engine',
    opts.engine,
    '--port',
    String(opts.port ?? 0),
  ]
  if (opts.dataDir) args.push('--data', opts.dataDir)
  const c = opts.cluster
  if (c) {
    args.push('--cluster-name', c.clusterName, '--node-name', c.nodeName, '--transport-port', String(c.transportPort))
    args.push('--seed-hosts', c.seedHosts.join(','), '--initial-master-nodes', c.initialMasterNodes.join(','))
    args.push('--home', c.home)
    if (c.processors !== undefined) args.push('--processors', String(c.processors))
  }
  // stdin stays a pipe we never write to: when this process dies the pipe closes and the JVM exits.
  const child = spawn(java, args, { stdio: ['pipe', 'pipe', opts.inheritLogs ? 'inherit' : 'pipe'] })
  // Keep only the last 64 KiB of server logs for error messages: a bounded buffer.
  let logTail = ''
  child.stderr?.on('data', (d) => {
    logTail = (logTail + d).slice(-65_536)
  })
  const startTimeoutMs = opts.startTimeoutMs ?? 120_000
  return new Promise((resolve, reject) => {
    let stdoutBuf = ''
    let settled = false
    const fail = (msg) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${opts.engine} search server${c ? ` node ${c.nodeName}` : ''} ${msg}\n--- server log (tail) ---\n${logTail.slice(-8000)}`))
    }
    const timer = setTimeout(() => fail(`not ready after ${startTimeoutMs} ms`), startTimeoutMs)
    timer.unref()
    child.on('error', (err) => fail(`could not be spawned: ${err.message}`))
    child.on('exit', (code, signal) => fail(`exited before ready (code ${code}, signal ${signal})`))
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d) => {
      stdoutBuf += d
      let nl
      while ((nl = stdoutBuf.indexOf('\n')) >= 0) {
        const line = stdoutBuf.slice(0, nl).trim()
        stdoutBuf = stdoutBuf.slice(nl + 1)
        if (line.startsWith('READY ') && !settled) {
          settled = true
          clearTimeout(timer)
          resolve({ child, url: line.slice('READY '.length), logTail: () => logTail })
        } else if (line.startsWith('FAILED')) {
          fail(`failed to start: ${line.slice('FAILED'.length).trim()}`)
        }
      }
    })
  })
}

/**
 * Stops a spawned server: SIGTERM (the JVM's shutdown hook closes the node and deletes its
 * temporary home), SIGKILL after `timeoutMs`.
 * @param {import('node:child_process').ChildProcess} child
 */
export function stopServer(child, timeoutMs = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
