/// The command line of `codex --sandbox-exec` (everything after that flag):
/// `[--rw ROOT]... [--protect PATH]... [--no-net] [--no-namespaces] [--abi N] [--unsandboxed]
/// [--report] [--env NAME=VALUE]... -- COMMAND ARG...`.
/// The parent renders it with `commandLine`; the child parses it back.
///
/// The helper itself runs with an empty environment: the command's environment travels as
/// `--env` arguments, so nothing in it (`LD_PRELOAD`, `GLIBC_TUNABLES`, ...) acts on the helper
/// before it has restricted itself, and the supervisor that stays behind holds no secrets.
struct SandboxExecArguments: Sendable, Equatable {
  /// Directories (or files) that may be written.
  var writableRoots: [String] = []
  /// Paths inside writable roots that must stay read-only, whether they exist yet or not
  /// (`$CODEX_HOME`, shell start-up files). The child adds what it finds of git itself.
  var protectedPaths: [String] = []
  /// Deny TCP (Landlock ABI >= 4) and every socket but non-datagram Unix ones, and connect()
  /// (seccomp).
  var blockNetwork = false
  /// Protect paths with Landlock rules only, never with a mount or user namespace (tests use this
  /// to exercise the fallback that kernels without user namespaces get).
  var avoidNamespaces = false
  /// Act as if the kernel spoke at most this Landlock ABI (tests of the older-kernel paths).
  var assumedABI: Int?
  /// Only supervise (new process group, every descendant killed at the end); no restriction.
  var unsandboxed = false
  /// Set everything up, then print what is enforced instead of running the command.
  var report = false
  /// The command's complete environment, `NAME=VALUE`.
  var environment: [String] = []
  /// The program and its arguments; the program is searched in the environment's PATH when it
  /// has no slash.
  var command: [String] = []

  init(
    writableRoots: [String] = [], protectedPaths: [String] = [], blockNetwork: Bool = false,
    avoidNamespaces: Bool = false, assumedABI: Int? = nil, unsandboxed: Bool = false,
    report: Bool = false, environment: [String] = [], command: [String]
  ) {
    self.writableRoots = writableRoots
    self.protectedPaths = protectedPaths
    self.blockNetwork = blockNetwork
    self.avoidNamespaces = avoidNamespaces
    self.assumedABI = assumedABI
    self.unsandboxed = unsandboxed
    self.report = report
    self.environment = environment
    self.command = command
  }

  init(parsing arguments: [String]) throws(SandboxError) {
    // A NUL byte cannot arrive through execve, but this parser is also fed in-process; an
    // argument cut short at a NUL would silently mean something else.
    if let bad = arguments.first(where: { $0.utf8.contains(0) }) {
      throw .invalidArguments("an argument contains a NUL byte: \(bad.debugDescription)")
    }
    var index = 0
    func value(for flag: String) throws(SandboxError) -> String {
      index += 1
      guard index < arguments.count, !arguments[index].isEmpty else {
        throw .invalidArguments("\(flag) needs a value")
      }
      return arguments[index]
    }
    func path(for flag: String) throws(SandboxError) -> String {
      let path = try value(for: flag)
      guard path.hasPrefix("/") else {
        throw .invalidArguments("\(flag) needs an absolute path, got \(path)")
      }
      return path
    }
    while index < arguments.count {
      let argument = arguments[index]
      switch argument {
      case "--rw": writableRoots.append(try path(for: argument))
      case "--protect": protectedPaths.append(try path(for: argument))
      case "--no-net": blockNetwork = true
      case "--no-namespaces": avoidNamespaces = true
      case "--unsandboxed": unsandboxed = true
      case "--report": report = true
      case "--abi":
        let text = try value(for: argument)
        guard let abi = Int(text), (1...1000).contains(abi) else {
          throw .invalidArguments("--abi needs a Landlock ABI version, got \(text)")
        }
        assumedABI = abi
      case "--env":
        let entry = try value(for: argument)
        guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
          throw .invalidArguments("--env needs NAME=VALUE, got \(entry)")
        }
        environment.append(entry)
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
    for path in protectedPaths { line += ["--protect", path] }
    if blockNetwork { line.append("--no-net") }
    if avoidNamespaces { line.append("--no-namespaces") }
    if let assumedABI { line += ["--abi", String(assumedABI)] }
    if unsandboxed { line.append("--unsandboxed") }
    if report { line.append("--report") }
    for entry in environment { line += ["--env", entry] }
    return line + ["--"] + command
  }
}
