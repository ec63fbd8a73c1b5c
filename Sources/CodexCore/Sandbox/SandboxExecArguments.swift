/// The command line of `codex --sandbox-exec` (everything after that flag):
/// `--rw ROOT ... [--ro-hole PATH]... [--no-net] [--no-namespaces] -- COMMAND ARG...`.
/// The parent renders it with `commandLine`; the child parses it back.
struct SandboxExecArguments: Sendable, Equatable {
  /// Directories (or files) that may be written.
  var writableRoots: [String] = []
  /// Paths inside writable roots that must stay read-only (`.git`).
  var readOnlyHoles: [String] = []
  /// Deny TCP (Landlock ABI >= 4) and AF_INET/AF_INET6 sockets (seccomp).
  var blockNetwork = false
  /// Protect holes with Landlock rules only, never with a mount or user namespace (tests use this
  /// to exercise the fallback that kernels without user namespaces get).
  var avoidNamespaces = false
  /// The program and its arguments; the program is searched in PATH when it has no slash.
  var command: [String] = []

  init(
    writableRoots: [String] = [], readOnlyHoles: [String] = [], blockNetwork: Bool = false,
    avoidNamespaces: Bool = false, command: [String]
  ) {
    self.writableRoots = writableRoots
    self.readOnlyHoles = readOnlyHoles
    self.blockNetwork = blockNetwork
    self.avoidNamespaces = avoidNamespaces
    self.command = command
  }

  init(parsing arguments: [String]) throws(SandboxError) {
    var index = 0
    func value(for flag: String) throws(SandboxError) -> String {
      index += 1
      guard index < arguments.count, !arguments[index].isEmpty else {
        throw .invalidArguments("\(flag) needs a path")
      }
      guard arguments[index].hasPrefix("/") else {
        throw .invalidArguments("\(flag) needs an absolute path, got \(arguments[index])")
      }
      return arguments[index]
    }
    while index < arguments.count {
      let argument = arguments[index]
      switch argument {
      case "--rw": writableRoots.append(try value(for: argument))
      case "--ro-hole": readOnlyHoles.append(try value(for: argument))
      case "--no-net": blockNetwork = true
      case "--no-namespaces": avoidNamespaces = true
      case "--":
        command = Array(arguments[(index + 1)...])
        guard !command.isEmpty, !command[0].isEmpty else {
          throw .invalidArguments("no command after --")
        }
        return
      default:
        throw .invalidArguments("unknown option \(argument)")
      }
      index += 1
    }
    throw .invalidArguments("missing -- before the command")
  }

  /// The arguments that follow `--sandbox-exec`.
  var commandLine: [String] {
    var line: [String] = []
    for root in writableRoots { line += ["--rw", root] }
    for hole in readOnlyHoles { line += ["--ro-hole", hole] }
    if blockNetwork { line.append("--no-net") }
    if avoidNamespaces { line.append("--no-namespaces") }
    return line + ["--"] + command
  }
}
