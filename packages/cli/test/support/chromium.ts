/** Where the system's Chromium is (shared by the browser tests and the screenshot script). */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']

/** Path of the system Chromium: `CHROMIUM_PATH`, else the first candidate on `PATH`. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of CANDIDATES) {
      const path = join(dir, name)
      try {
        accessSync(path, constants.X_OK)
        return path
      } catch {
        // not here
      }
    }
  }
  return undefined
}

/** Chromium refuses to start its sandbox as root, which CI containers are; anyone else keeps the sandbox. */
export const CHROMIUM_ARGS = process.getuid?.() === 0 ? ['--no-sandbox'] : []
