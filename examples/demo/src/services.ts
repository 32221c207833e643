import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

/** One example service running as its own process. */
export interface RunningService {
  name: string
  url: string
  child: ChildProcess
}

const examplesDir = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Starts `examples/<name>/src/main.ts` in a child process (through tsx) on a free port and resolves once it
 * reports the port it listens on. Its own output goes to the file in `LOG_FILE`, never to our terminal.
 */
export async function startService(name: 'orders' | 'payments', env: Record<string, string>): Promise<RunningService> {
  const child = fork(`${examplesDir}${name}/src/main.ts`, [], {
    cwd: `${examplesDir}${name}`,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const ready = new Promise<number>((resolve, reject) => {
    child.on('message', (m: { ready?: number }) => {
      if (typeof m.ready === 'number') resolve(m.ready)
    })
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)))
  })
  const port = await withTimeout(ready, 30_000, `${name} did not start within 30 s`)
  return { name, url: `http://127.0.0.1:${port}`, child }
}

/** SIGTERM, the way an orchestrator stops a service; the logger flushes its file (and shipper) on the way out. */
export async function stopService(service: RunningService): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return
  const exited = once(service.child, 'exit')
  service.child.kill('SIGTERM')
  await withTimeout(exited, 15_000, `${service.name} did not exit within 15 s of SIGTERM`).catch((err) => {
    service.child.kill('SIGKILL')
    throw err
  })
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
