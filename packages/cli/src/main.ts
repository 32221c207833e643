/** The `tracewire` executable, started by bin/tracewire.js. All logic lives in `run.ts`. */
import { runCli } from './run.js'

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stderrIsTTY: process.stderr.isTTY === true,
}).then(
  (status) => {
    // exitCode instead of exit(): lets stdout drain when it is a pipe.
    process.exitCode = status
  },
  (err: unknown) => {
    process.stderr.write(`tracewire: unexpected error: ${String(err)} (please report it)\n`)
    process.exitCode = 3
  },
)
