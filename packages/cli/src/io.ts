/** What a CLI run reads and writes, injected so tests run commands in-process. */
export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  env: NodeJS.ProcessEnv
  /** Whether stderr is a terminal: only then a slow request shows a spinner (see `progress.ts`). */
  stderrIsTTY?: boolean
}
