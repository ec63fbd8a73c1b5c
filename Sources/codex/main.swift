import CodexCore
import CodexTerminal

// The sandbox child must run before anything else: it needs a single-threaded process.
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "--sandbox-exec" {
  Platform.exit(SandboxExec.run(arguments: Array(CommandLine.arguments.dropFirst(2))))
}

// A patch applied inside the sandbox (started through --sandbox-exec, see ShellTool+Patch).
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == PatchHelper.flag {
  Platform.exit(PatchHelper.run(arguments: Array(CommandLine.arguments.dropFirst(2))))
}

// Everything else lives in CodexTerminal; main.swift only dispatches (top-level code here is
// main-actor isolated, which C callbacks and signal handlers must not touch).
Platform.exit(await CLI.main(CommandLine.arguments))
