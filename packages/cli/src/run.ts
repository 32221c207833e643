/**
 * Entry of the `tracewire` command: picks the subcommand and turns every failure into one line on
 * stderr and a documented exit status. Runs in-process so tests drive it directly.
 */
import { CliError, EXIT, formatError } from './errors.js'
import type { CliIo } from './io.js'
import { closestName } from '@tracewire/internal'
import { redactText } from '@tracewire/shipper'
import { NEAR_NAME } from './options.js'
import { runSetup } from './setup-command.js'
import { runTrace } from './trace-command.js'
import { runUi } from './ui-command.js'
import { VERSION } from './version.js'

/** Help text of `tracewire` without a command. */
export const USAGE = `Usage: tracewire <command> [options]

Commands:
  trace <trace_id>   print every log line of one trace as a timeline
  setup              install the index template, Kibana objects and the error alert
  ui                 serve a local page: recent traces with errors, each trace as a waterfall

Options:
  -h, --help      print this help
  -v, --version   print the version of @tracewire/cli

Run "tracewire <command> --help" for the options of a command.
`

const COMMANDS = ['trace', 'setup', 'ui', 'help', 'version']

/** Runs the command line `args` (without `node` and the script); resolves to the exit status. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args
  try {
    switch (command) {
      case 'trace':
        return await runTrace(rest, io)
      case 'setup':
        return await runSetup(rest, io)
      case 'ui':
        return await runUi(rest, io)
      case undefined:
        io.stderr(USAGE)
        return EXIT.usage
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE)
        return EXIT.ok
      case 'version':
      case '--version':
      case '-v':
        io.stdout(`${VERSION}\n`)
        return EXIT.ok
      default: {
        const closest = closestName(command, COMMANDS, NEAR_NAME)
        io.stderr(`tracewire: ${JSON.stringify(command)}: unknown command (${closest ? `did you mean ${closest}? ` : ''}see "tracewire --help")\n`)
        return EXIT.usage
      }
    }
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(formatError(err, command))
      return err.exitCode
    }
    // A bug, not a user mistake: the stack is what a bug report needs.
    io.stderr(`tracewire: ${command}: unexpected error: ${redactText(err instanceof Error ? (err.stack ?? err.message) : String(err))} (please report it)\n`)
    return EXIT.failed
  }
}
