import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createLogger, LoggerConfigError, type LoggerOptions } from '../src/index.js'
import { captureLines, distEntry, ensureBuilt, tempDir } from './helpers.js'

function configError(options: unknown): LoggerConfigError {
  try {
    createLogger(options as LoggerOptions)
  } catch (err) {
    expect(err).toBeInstanceOf(LoggerConfigError)
    return err as LoggerConfigError
  }
  throw new Error('createLogger did not throw')
}

const badServices: Array<[string, unknown]> = [
  ['missing', undefined],
  ['a number', 42],
  ['empty', ''],
  ['uppercase', 'Orders'],
  ['a space', 'my service'],
  ['a colon', 'a:b'],
  ['a slash', 'a/b'],
  ['a star', 'a*'],
  ['a comma', 'a,b'],
  ['a hash', 'a#b'],
  ['leading -', '-orders'],
  ['leading _', '_orders'],
  ['leading +', '+orders'],
  ['leading .', '.orders'],
  ['"."', '.'],
  ['".."', '..'],
  ['over 100 bytes', 'a'.repeat(101)],
  ['non-ASCII', 'commandes-é'],
]

describe('configuration errors (thrown at construction, typed, naming the value and the rule)', () => {
  it.each(badServices)('service %s', (_name, service) => {
    const err = configError({ service, stdout: false, handleExit: false })
    expect(err.code).toBe('TW_LOGGER_INVALID_SERVICE')
    expect(err.message).toContain('[a-z0-9][a-z0-9._-]*')
    if (typeof service === 'string' && service.length < 20) expect(err.message).toContain(JSON.stringify(service))
  })

  it.each(['orders', 'a', '0', 'orders-api.v2_x', 'a'.repeat(100)])('accepts service %s', async (service) => {
    const logger = createLogger({ service, stdout: false, handleExit: false })
    await logger.close()
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['unknown level', { level: 'verbose' }, 'TW_LOGGER_INVALID_LEVEL'],
    ['unknown schema', { schema: 'otel' }, 'TW_LOGGER_INVALID_OPTION'],
    ['rotate without file', { rotate: { maxBytes: 10 } }, 'TW_LOGGER_INVALID_OPTION'],
    ['rotate without a trigger', { file: '/tmp/x.log', rotate: {} }, 'TW_LOGGER_INVALID_OPTION'],
    ['negative maxBytes', { file: '/tmp/x.log', rotate: { maxBytes: -1 } }, 'TW_LOGGER_INVALID_OPTION'],
    ['zero maxLineBytes', { maxLineBytes: 0 }, 'TW_LOGGER_INVALID_OPTION'],
    ['fractional maxDepth', { maxDepth: 1.5 }, 'TW_LOGGER_INVALID_OPTION'],
    ['empty trace field name', { traceFields: { traceId: '' } }, 'TW_LOGGER_INVALID_OPTION'],
    ['empty file', { file: '' }, 'TW_LOGGER_INVALID_OPTION'],
    ['elasticsearch without node', { elasticsearch: { node: '' } }, 'TW_LOGGER_INVALID_OPTION'],
  ])('%s', (_name, extra, code) => {
    const err = configError({ service: 'orders', stdout: false, handleExit: false, ...extra })
    expect(err.code).toBe(code)
  })

  it('invalid LOG_LEVEL names the variable', () => {
    const saved = process.env.LOG_LEVEL
    try {
      process.env.LOG_LEVEL = 'loud'
      const e = configError({ service: 'orders', stdout: false, handleExit: false })
      expect(e.code).toBe('TW_LOGGER_INVALID_LEVEL')
      expect(e.message).toContain('LOG_LEVEL')
      expect(e.message).toContain('"loud"')
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL
      else process.env.LOG_LEVEL = saved
    }
  })

  it('a file that cannot be opened is a config error', () => {
    const dir = tempDir()
    const err = configError({ service: 'orders', handleExit: false, file: dir })
    expect(err.code).toBe('TW_LOGGER_FILE_OPEN')
  })

  it('stream option: every line also goes to the given stream, and stdout is then off by default', async () => {
    const got: string[] = []
    const logger = createLogger({ service: 'orders', stream: { write: (line: string) => got.push(line) }, handleExit: false })
    logger.info('a')
    logger.child({ k: 1 }).warn('b')
    await logger.close()
    expect(got).toHaveLength(2)
    expect(got.every((l) => l.endsWith('}\n') && l.startsWith('{"level":'))).toBe(true)
    logger.info('after close is dropped, not thrown')
    expect(got).toHaveLength(2)
  })

  it('rejects a stream without write()', () => {
    expect(configError({ service: 'orders', stream: {}, handleExit: false }).code).toBe('TW_LOGGER_INVALID_OPTION')
  })

  it('maxLineBytes must leave room for the fixed head', () => {
    expect(configError({ service: 'orders', stdout: false, maxLineBytes: 512, handleExit: false }).code).toBe('TW_LOGGER_INVALID_OPTION')
  })

  it.runIf(fs.existsSync('/dev/full'))('a failing disk never throws into the log call; it is reported once as a process warning', async () => {
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      const logger = createLogger({ service: 'orders', file: '/dev/full', handleExit: false })
      expect(() => {
        for (let i = 0; i < 10; i++) logger.info('x'.repeat(10_000))
      }).not.toThrow()
      await logger.close()
      await new Promise((r) => setImmediate(r))
      const ours = warnings.filter((w) => (w as Error & { code?: string }).code === 'TW_LOGGER_WRITE_FAILED')
      expect(ours).toHaveLength(1)
      expect(ours[0]?.message).toContain('/dev/full')
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('creates the folder of the file', async () => {
    const file = path.join(tempDir(), 'a', 'b', 'orders.log')
    const logger = createLogger({ service: 'orders', file, handleExit: false })
    logger.info('x')
    await logger.close()
    expect(fs.readFileSync(file, 'utf8')).toContain('"message":"x"')
  })
})

describe('elasticsearch option', () => {
  beforeAll(ensureBuilt)

  it('without @tracewire/shipper installed, throws a config error saying how to install it', () => {
    const dir = tempDir()
    const script = `import { createLogger } from ${JSON.stringify(distEntry)}
try { createLogger({ service: 'orders', elasticsearch: { node: 'http://127.0.0.1:9200' }, handleExit: false }) ; console.log('no error') }
catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })) }`
    fs.writeFileSync(path.join(dir, 'es.mjs'), script)
    // pnpm puts its whole store on NODE_PATH; a user's process would not have it.
    const env = { ...process.env, NODE_PATH: '' }
    const run = spawnSync(process.execPath, ['es.mjs'], { cwd: dir, encoding: 'utf8', env })
    const result = JSON.parse(run.stdout) as { name: string; code: string; message: string }
    expect(result).toMatchObject({ name: 'LoggerConfigError', code: 'TW_LOGGER_SHIPPER_MISSING' })
    expect(result.message).toContain('@tracewire/shipper')
    expect(result.message).toMatch(/install/)
  })
})

describe('shutdown wait', () => {
  it('covers the shipper final-delivery budget when lines also go to Elasticsearch', async () => {
    const { resolveOptions } = await import('../src/options.js')
    expect(resolveOptions({ service: 'orders' }).shutdownTimeoutMs).toBe(5000)
    expect(resolveOptions({ service: 'orders', elasticsearch: { node: 'http://127.0.0.1:9200' } }).shutdownTimeoutMs).toBe(9000)
    expect(resolveOptions({ service: 'orders', elasticsearch: { node: 'http://127.0.0.1:9200' }, shutdownTimeoutMs: 2000 }).shutdownTimeoutMs).toBe(2000)
  })
})

describe('misspelt options are refused, naming the unknown key and the closest valid one (issue 13 item 6)', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['createLogger({ files })', { service: 'orders', files: '/tmp/x.log' }, 'files', 'file'],
    ['createLogger({ servce })', { servce: 'orders' }, 'servce', 'service'],
    ['createLogger({ levle })', { service: 'orders', levle: 'debug' }, 'levle', 'level'],
    ['createLogger({ shutdownTimeout })', { service: 'orders', shutdownTimeout: 100 }, 'shutdownTimeout', 'shutdownTimeoutMs'],
    ['rotate: { maxByte }', { service: 'orders', file: '/tmp/x.log', rotate: { maxByte: 10 } }, 'maxByte', 'maxBytes'],
    ['traceFields: { traceID }', { service: 'orders', traceFields: { traceID: 'tid' } }, 'traceID', 'traceId'],
    ['redact: { path }', { service: 'orders', redact: { path: ['a'] } }, 'path', 'paths'],
  ])('%s', (_name, options, unknown, closest) => {
    const err = configError({ stdout: false, handleExit: false, ...options })
    expect(err.code).toBe('TW_LOGGER_INVALID_OPTION')
    expect(err.message).toContain(`Unknown option "${unknown}"`)
    expect(err.message).toContain(`did you mean "${closest}"?`)
  })

  it.each<[string, Record<string, unknown>]>([
    ['rotate: null', { file: '/tmp/x.log', rotate: null }],
    ['traceFields: null', { traceFields: null }],
    ['redact: a string', { redact: 'password' }],
  ])('%s is a config error, not a TypeError', (_name, extra) => {
    expect(configError({ service: 'orders', stdout: false, handleExit: false, ...extra }).code).toBe('TW_LOGGER_INVALID_OPTION')
  })
})

describe('messages name the missing thing (issue 13 item 10)', () => {
  it.each<[string, unknown]>([['createLogger()', undefined], ['createLogger(null)', null], ['createLogger("orders")', 'orders']])('%s', (_name, options) => {
    const err = configError(options)
    expect(err.code).toBe('TW_LOGGER_INVALID_OPTION')
    expect(err.message).toContain('createLogger needs an options object with a service name')
    expect(err.message).not.toContain('undefined undefined')
  })

  it('createLogger({}) says the service name is missing', () => {
    const err = configError({ stdout: false, handleExit: false })
    expect(err.code).toBe('TW_LOGGER_INVALID_SERVICE')
    expect(err.message).toContain('createLogger needs a service name')
  })
})

describe('level names are case-insensitive everywhere (issue 13 item 10)', () => {
  it('level: "INFO" is accepted like LOG_LEVEL=DEBUG', async () => {
    const logger = createLogger({ service: 'orders', level: 'INFO', stdout: false, handleExit: false })
    expect(logger.level).toBe('info')
    await logger.close()
    const saved = process.env.LOG_LEVEL
    try {
      process.env.LOG_LEVEL = 'DEBUG'
      const fromEnv = createLogger({ service: 'orders', stdout: false, handleExit: false })
      expect(fromEnv.level).toBe('debug')
      await fromEnv.close()
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL
      else process.env.LOG_LEVEL = saved
    }
  })

  it('logger.level = "WARN", child({}, { level: "ERROR" }) and isLevelEnabled("INFO") take any case', async () => {
    const lines = await captureLines({ level: 'Debug' as 'debug' }, (logger) => {
      expect(logger.isLevelEnabled('DEBUG')).toBe(true)
      logger.level = 'WARN'
      expect(logger.level).toBe('warn')
      expect(logger.isLevelEnabled('INFO')).toBe(false)
      logger.info('dropped')
      logger.warn('kept warn')
      const child = logger.child({ c: 1 }, { level: 'ERROR' })
      expect(child.level).toBe('error')
      child.warn('dropped')
      child.error('kept error')
      child.level = 'Trace'
      child.trace('kept trace')
    })
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['kept warn', 'kept error', 'kept trace'])
  })
})
