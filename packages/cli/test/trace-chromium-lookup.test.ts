import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findChromium } from './support/chromium.js'

describe('findChromium (the browser tests never download one)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-bin-'))
  const fake = join(dir, 'chromium')
  writeFileSync(fake, '#!/bin/sh\n')
  chmodSync(fake, 0o755)
  const notExecutable = mkdtempSync(join(tmpdir(), 'tw-bin-'))
  writeFileSync(join(notExecutable, 'chromium'), '')

  it.each<[string, NodeJS.ProcessEnv, string | undefined]>([
    ['an executable chromium on PATH', { PATH: `${notExecutable}:${dir}` }, fake],
    ['CHROMIUM_PATH first', { PATH: dir, CHROMIUM_PATH: '/opt/chrome/chrome' }, '/opt/chrome/chrome'],
    ['nothing', { PATH: notExecutable }, undefined],
    ['no PATH at all', {}, undefined],
  ])('%s', (_case, env, found) => {
    expect(findChromium(env)).toBe(found)
  })
})
