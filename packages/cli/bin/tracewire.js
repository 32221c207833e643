#!/usr/bin/env node
// The `tracewire` bin. A file that exists before the build, so package managers can link it at
// install time in a workspace (pnpm skips a bin whose target is not built yet); the command is dist/cli.js.
import '../dist/cli.js'
