/**
 * `tracewire trace <id> --html FILE`: the trace as one self-contained waterfall page.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { CliError } from './errors.js'
import type { Timeline } from './timeline.js'
import { buildTraceView } from './trace-view/spans.js'
import { renderTracePage } from './trace-view/trace-page.js'

/**
 * Writes the waterfall of a timeline read with whole documents. Written beside the target and renamed, so
 * an existing page is replaced whole or not at all.
 */
export function writeTraceHtml(file: string, timeline: Timeline, source: string): void {
  const view = buildTraceView(timeline.traceId, timeline.entries.map((e) => e.source))
  const html = renderTracePage(view, { total: timeline.total, source })
  const temporary = `${file}.${process.pid}.tmp`
  try {
    writeFileSync(temporary, html)
    renameSync(temporary, file)
  } catch (err) {
    rmSync(temporary, { force: true })
    const code = (err as { code?: unknown }).code
    throw new CliError('TW_CLI_OUTPUT', `--html ${file}: cannot write (${typeof code === 'string' ? code : 'unknown error'})`, {
      cause: err,
      hint: 'does the folder exist and can you write there?',
    })
  }
}
