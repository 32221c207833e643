/**
 * The Compose files cannot run here (no Docker engine), so this pins what can be checked: the files
 * parse, the paths the services write are the paths Fluentd tails, and the Fluentd config is the
 * reference pipeline of FORMAT.md (plus read_from_head true).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const stackDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repoRoot = resolve(stackDir, '../..')
const read = (path: string): string => readFileSync(join(stackDir, path), 'utf8')

// ---- a small reader for Fluentd's config syntax: <section args> … </section>, "key value" -----
interface Section {
  name: string
  arg: string
  params: Record<string, string>
  sections: Section[]
}

function parseFluentConf(text: string): Section {
  const root: Section = { name: 'root', arg: '', params: {}, sections: [] }
  const stack = [root]
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const top = stack.at(-1) as Section
    const close = /^<\/([\w@]+)>$/.exec(line)
    if (close) {
      if (top.name !== close[1]) throw new Error(`unbalanced </${close[1]}> inside <${top.name}>`)
      stack.pop()
      continue
    }
    const open = /^<([\w@]+)\s*(.*?)>$/.exec(line)
    if (open) {
      const section: Section = { name: open[1] ?? '', arg: open[2] ?? '', params: {}, sections: [] }
      top.sections.push(section)
      stack.push(section)
      continue
    }
    const param = /^(\S+)\s+(.*)$/.exec(line)
    if (!param) throw new Error(`cannot read line ${JSON.stringify(line)}`)
    top.params[param[1] ?? ''] = param[2] ?? ''
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)?.name}>`)
  return root
}

function only(sections: Section[], name: string, arg?: string): Section {
  const found = sections.filter((s) => s.name === name && (arg === undefined || s.arg === arg))
  expect(found, `<${name}${arg ? ` ${arg}` : ''}>`).toHaveLength(1)
  return found[0] as Section
}

/** Fluentd's in_tail glob (`*` within one path segment) as a RegExp. */
function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`)
}

// The reference pipeline, FORMAT.md "The reference pipeline".
const REFERENCE_SOURCE = { '@type': 'tail', format: 'json', path: '/var/log/*.log', tag: 'fluentdlog.*', refresh_interval: '5s' }
const REFERENCE_MATCH = { '@type': 'elasticsearch', index_name: 'fluentd-${service}-%Y%m%d' }
/**
 * Reference settings the stack leaves out on purpose, each found by running it on the real Fluentd
 * (test/pipeline/sidecar.pipeline.test.ts): the tag is not a chunk key of <buffer service, time>, so
 * they wrote `"@log_name": null` on every document (FORMAT.md "Where the stack differs from the reference").
 */
const LEFT_OUT_OF_MATCH = ['include_tag_key', 'tag_key']
/** Settings the stack adds to the reference buffer: without it Fluentd ignores flush_interval (lazy mode). */
const ADDED_TO_BUFFER = { flush_mode: 'interval' }
const REFERENCE_BUFFER = {
  '@type': 'file',
  timekey: '30s',
  flush_interval: '5s',
  flush_thread_count: '5',
  retry_type: 'exponential_backoff',
  retry_wait: '1',
  retry_exponential_backoff_base: '2',
  retry_randomize: 'true',
  retry_max_interval: '5m',
  retry_timeout: '72h',
}

const conf = parseFluentConf(read('fluentd/fluent.conf'))
const source = only(conf.sections, 'source')
const match = only(conf.sections, 'match', '**')
const buffer = only(match.sections, 'buffer')

interface ComposeVolume {
  type?: string
  source?: string
  target?: string
  read_only?: boolean
  volume?: { nocopy?: boolean }
}
interface ComposeService {
  image?: string
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> } | string
  environment?: Record<string, string>
  ports?: string[]
  volumes?: Array<ComposeVolume | string>
  command?: string[]
  profiles?: string[]
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> }
const stackPackage = JSON.parse(read('package.json')) as { dependencies?: Record<string, string> }

function logsMount(service: ComposeService): ComposeVolume | undefined {
  return (service.volumes ?? []).find((v): v is ComposeVolume => typeof v === 'object' && v.source === 'logs')
}

describe('docker-compose.yml', () => {
  it('parses and has the whole reference stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['elasticsearch', 'fluentd', 'kibana', 'orders', 'payments', 'setup'])
    expect(Object.keys(compose.volumes)).toContain('logs')
  })

  it.each([
    ['orders', '3001', '/var/log/orders.log'],
    ['payments', '3002', '/var/log/payments.log'],
  ])('%s listens on %s and writes %s on the shared logs volume', (name, port, logFile) => {
    const service = compose.services[name] as ComposeService
    expect(service.environment?.PORT).toBe(port)
    expect(service.environment?.LOG_FILE).toBe(logFile)
    expect(service.ports).toContain(`${port}:${port}`)
    const mount = logsMount(service)
    expect(mount?.target).toBe(dirname(logFile))
    // The node image's own /var/log files (dpkg.log …) must not be copied into the volume, or Fluentd would tail them.
    expect(mount?.volume?.nocopy).toBe(true)
    // FORMAT.md: Fluentd tails /var/log/*.log; the file each service writes must match that glob.
    expect(globToRegExp(source.params.path ?? '').test(logFile)).toBe(true)
    // …and its rotated name (FORMAT.md "rename to orders.log.1") must not, or every line is read twice.
    expect(globToRegExp(source.params.path ?? '').test(`${logFile}.1`)).toBe(false)
    const build = service.build as { context: string; dockerfile: string; args: Record<string, string> }
    expect(build.args.SERVICE).toBe(name)
    expect(existsSync(resolve(stackDir, build.context, build.dockerfile))).toBe(true)
  })

  it('ships through Fluentd only: the services get no ES_URL (direct mode would index every line twice)', () => {
    expect(compose.services.orders?.environment).not.toHaveProperty('ES_URL')
    expect(compose.services.payments?.environment).not.toHaveProperty('ES_URL')
  })

  it('orders reaches payments by its compose name and port', () => {
    expect(compose.services.orders?.environment?.PAYMENTS_URL).toBe('http://payments:3002')
  })

  it('Fluentd sees the same volume at the same path, read-only, and keeps its state elsewhere', () => {
    const fluentd = compose.services.fluentd as ComposeService
    expect(logsMount(fluentd)).toMatchObject({ target: '/var/log', read_only: true })
    expect(dirname(source.params.pos_file ?? '')).not.toBe('/var/log')
    expect(fluentd.volumes).toContain('fluentd-state:/fluentd/state')
    expect(source.params.pos_file?.startsWith('/fluentd/state/')).toBe(true)
    expect(buffer.params.path?.startsWith('/fluentd/state/')).toBe(true)
    expect(fluentd.build).toBe('./fluentd')
  })

  it('runs Elasticsearch 7.10.2 with OpenDistro alerting and Kibana OSS 7.10.2, and points Fluentd at it', () => {
    // amazon/opendistro-for-elasticsearch 1.13.x = Elasticsearch OSS 7.10.2 + alerting + job scheduler.
    expect(compose.services.elasticsearch?.image).toBe('amazon/opendistro-for-elasticsearch:1.13.3')
    expect(compose.services.kibana?.image).toBe('docker.elastic.co/kibana/kibana-oss:7.10.2')
    expect(compose.services.kibana?.environment?.ELASTICSEARCH_HOSTS).toContain('http://elasticsearch:9200')
    expect(match.params.host).toBe('elasticsearch')
    expect(match.params.port).toBe('9200')
  })

  it('has a setup job that runs the tracewire CLI against the stack', () => {
    const setup = compose.services.setup as ComposeService
    expect(setup.profiles).toEqual(['setup'])
    // The bin of @tracewire/cli, a dependency of this example (never a path into a package's dist).
    expect(setup.command).toEqual(['pnpm', '--dir', 'examples/stack', 'exec', 'tracewire', 'setup'])
    expect(stackPackage.dependencies?.['@tracewire/cli']).toBe('workspace:*')
    expect(setup.environment).toMatchObject({ ES_URL: 'http://elasticsearch:9200', KIBANA_URL: 'http://kibana:5601' })
  })
})

describe('fluentd/fluent.conf', () => {
  it('keeps the reference <source> and adds read_from_head true', () => {
    expect(source.params).toMatchObject(REFERENCE_SOURCE)
    expect(source.params.read_from_head).toBe('true')
    expect(source.params.pos_file).toBeDefined()
  })

  it('names indices fluentd-${service}-%Y%m%d, the name the shipper writes, and writes no @log_name', () => {
    expect(match.params).toMatchObject(REFERENCE_MATCH)
    expect(match.params.index_name).toBe('fluentd-${service}-%Y%m%d')
    for (const key of LEFT_OUT_OF_MATCH) expect(match.params, key).not.toHaveProperty(key)
  })

  it('buffers by service and time with the reference flush and retry settings, flushing every 5 s for real', () => {
    expect(buffer.arg.split(',').map((k) => k.trim())).toEqual(['service', 'time'])
    expect(buffer.params).toMatchObject({ ...REFERENCE_BUFFER, ...ADDED_TO_BUFFER })
    // Nothing beyond the reference except the file buffer's required path and the flush mode.
    expect(Object.keys(buffer.params).sort()).toEqual([...Object.keys(REFERENCE_BUFFER), ...Object.keys(ADDED_TO_BUFFER), 'path'].sort())
  })

  it('routes Fluentd’s own logs to stdout, not into Elasticsearch', () => {
    const label = only(conf.sections, 'label', '@FLUENT_LOG')
    expect(only(label.sections, 'match', '**').params['@type']).toBe('stdout')
  })

  // Read the reference block from the repository's FORMAT.md so the two cannot drift apart.
  it('matches the reference block of docs/FORMAT.md, except the documented differences', () => {
    const text = readFileSync(join(repoRoot, 'docs', 'FORMAT.md'), 'utf8')
    const block = /## The reference pipeline\n```\n([\s\S]*?)```/.exec(text)?.[1] ?? ''
    const [sourcePart = '', rest = ''] = block.split('<match **>')
    const [matchPart = '', bufferPart = ''] = rest.split('<buffer service, time>')
    const settingsOf = (part: string): Map<string, string> => {
      const settings = new Map<string, string>()
      for (const item of part.replace('<source>', '').split(/,\s*|\n/)) {
        const m = /^\s*(\S+)\s+(.+?)\s*$/.exec(item)
        // `pos_file …` is left to the deployment.
        if (m && m[2] !== '…') settings.set(m[1] ?? '', m[2] ?? '')
      }
      return settings
    }
    const pairs: Array<[Map<string, string>, Section]> = [
      [settingsOf(sourcePart), source],
      [settingsOf(matchPart), match],
      [settingsOf(bufferPart), buffer],
    ]
    expect(pairs.map(([settings]) => settings.size)).toEqual([5, 4, 10])
    for (const [settings, section] of pairs) {
      for (const [key, value] of settings) {
        if (section === match && LEFT_OUT_OF_MATCH.includes(key)) continue
        expect(section.params[key], key).toBe(value)
      }
    }
    expect(LEFT_OUT_OF_MATCH.every((key) => settingsOf(matchPart).has(key))).toBe(true)
  })
})

describe('fluentd/Dockerfile', () => {
  const dockerfile = read('fluentd/Dockerfile')

  it('pins the elasticsearch gem below 7.14 and fluent-plugin-elasticsearch 5.x', () => {
    const gem = /gem install[^\n]*\belasticsearch -v (\d+)\.(\d+)\.(\d+)/.exec(dockerfile)
    expect(gem, 'elasticsearch gem pin').not.toBeNull()
    expect(Number(gem?.[1]) * 100 + Number(gem?.[2])).toBeLessThan(714)
    expect(dockerfile).toMatch(/--conservative fluent-plugin-elasticsearch -v 5\.\d+\.\d+/)
    expect(dockerfile).toMatch(/^FROM fluent\/fluentd:v1\.1[678]/m)
    expect(dockerfile).toContain('COPY fluent.conf /fluentd/etc/fluent.conf')
  })
})

describe('the example services', () => {
  it.each(['orders', 'payments'])('examples/%s has a start script for the image to run', (name) => {
    const pkgPath = join(repoRoot, 'examples', name, 'package.json')
    if (!existsSync(pkgPath)) {
      // The services are added by the demo work (issue 4 parts 1-2); until then there is nothing to run.
      expect.soft(existsSync(pkgPath), `${pkgPath} does not exist yet`).toBe(false)
      return
    }
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { scripts?: Record<string, string> }
    expect(pkg.scripts?.start, `${name} needs a "start" script (service.Dockerfile runs pnpm --dir examples/${name} start)`).toBeDefined()
  })
})
