/// Dangerous shapes around other programs: commands handed to a service that runs them outside
/// the sandbox, interpreters fed a program nobody can read ahead (`… | base64 -d | sh`,
/// `source <(curl …)`), and `xargs` passing its input on as arguments.
extension CommandSafety {
  /// Programs that hand a command to something running outside the sandbox and the time limit
  /// (systemd, the container daemon, a terminal server, cron), or detach from the command.
  static func sandboxEscapeReason(program: String, args: [String]) -> String? {
    switch program {
    case "systemd-run":
      return "systemd-run starts the command as a service, outside the sandbox and the time limit"
    case "flatpak-spawn":
      return "flatpak-spawn runs the command on the host, outside the sandbox"
    case "nsenter":
      return "nsenter runs the command in another process's namespaces, outside the sandbox"
    case "setsid":
      return "setsid detaches the command, so it can outlive the time limit"
    case "chroot":
      return "chroot runs the command under another root directory, as root"
    case "docker", "podman", "nerdctl":
      guard let verb = containerVerb(args), !readOnlyContainerVerbs.contains(verb) else {
        return nil
      }
      return "\(program) \(verb) acts through the container daemon, outside the sandbox "
        + "(often as root)"
    case "tmux", "screen", "byobu", "zellij":
      let readOnly: Set<String> = [
        "-V", "ls", "list-sessions", "list-windows", "has-session", "-ls",
      ]
      guard args.isEmpty || !args.allSatisfy(readOnly.contains) else { return nil }
      return "\(program) runs commands in a terminal session outside the sandbox"
    case "at", "batch":
      guard args != ["-l"] else { return nil }
      return "\(program) schedules a command to run later, outside the sandbox"
    case "crontab":
      guard args != ["-l"] else { return nil }
      return "crontab installs commands that run later, outside the sandbox"
    default:
      return nil
    }
  }

  static let readOnlyContainerVerbs: Set<String> = [
    "ps", "images", "logs", "inspect", "version", "info", "stats", "top", "port", "history",
    "search", "events", "diff", "ls", "list", "help",
  ]

  /// The subcommand of a docker-like CLI (`docker run`, `docker container ls` → `ls`), skipping
  /// global options and their values.
  static func containerVerb(_ args: [String]) -> String? {
    let valueOptions: Set<String> = [
      "-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--url", "--connection",
    ]
    let groups: Set<String> = [
      "container", "image", "volume", "network", "system", "compose", "buildx", "pod",
    ]
    var index = 0
    while index < args.count {
      let arg = args[index]
      if startsWithDash(arg) {
        index += valueOptions.contains(arg) ? 2 : 1
        continue
      }
      if groups.contains(arg), index + 1 < args.count, !startsWithDash(args[index + 1]) {
        // `docker compose up`, `docker container run`: the action is the next word, and
        // compose and buildx act whatever it is.
        return ["compose", "buildx", "system"].contains(arg) ? arg : args[index + 1]
      }
      return arg
    }
    return nil
  }

  // MARK: interpreters

  /// Programs that run a program they read: shells and the usual script interpreters, also
  /// versioned (`python3.12`, `perl5.36`; not `perldoc` or `nodemon`).
  static func isInterpreterName(_ name: String) -> Bool {
    if dangerShellNames.contains(name) || otherInterpreters.contains(name) { return true }
    let letters = name.prefix { $0.isLetter }
    let version = name.dropFirst(letters.count)
    return versionedInterpreters.contains(String(letters))
      && version.allSatisfy { $0.isNumber || $0 == "." }
  }

  static let versionedInterpreters: Set<String> = [
    "python", "pypy", "perl", "ruby", "node", "nodejs", "php", "lua", "luajit",
  ]
  static let otherInterpreters: Set<String> = [
    "deno", "bun", "tclsh", "wish", "Rscript", "osascript", "pwsh", "jshell", "irb",
  ]

  /// How an interpreter finds its program: in an argument (`-c`, `-e`), in a file, or on its
  /// input (no file, `-`, `/dev/stdin`).
  enum ProgramSource: Equatable {
    /// `-c CODE`, `-e CODE`, `-m MODULE`, `--eval=CODE` (nil when the code is missing).
    case argument(String?)
    case file(String)
    case input
    /// `sh -n`: the program is read but not run.
    case notRun
  }

  static func programSource(interpreter: String, args: [String]) -> ProgramSource {
    let shell = dangerShellNames.contains(interpreter)
    // Letters of a short cluster meaning "the program is in an argument".
    let inlineLetters: Set<Character>
    // Options whose value is the next word.
    let valueOptions: Set<String>
    switch interpreter.prefix(while: { $0.isLetter }) {
    case _ where shell:
      inlineLetters = ["c"]
      valueOptions = ["-o", "+o", "-O", "+O", "--rcfile", "--init-file"]
    case "python", "pypy":
      inlineLetters = ["c", "m"]
      valueOptions = ["-W", "-X", "-Q"]
    case "perl":
      inlineLetters = ["e", "E"]
      valueOptions = []
    case "ruby", "irb":
      inlineLetters = ["e"]
      valueOptions = ["-I", "-r", "-E", "-C"]
    case "node", "nodejs", "deno", "bun":
      inlineLetters = ["e", "p"]
      valueOptions = ["-r", "--require", "--import", "--loader", "-C", "--conditions"]
    case "php":
      inlineLetters = ["r"]
      valueOptions = ["-c", "-d", "-z"]
    default:
      inlineLetters = ["c", "e"]
      valueOptions = []
    }
    var index = 0
    while index < args.count {
      let arg = args[index]
      guard (startsWithDash(arg) || (shell && arg.hasPrefix("+"))) && arg != "-" else { break }
      index += 1
      if arg == "--" { break }
      if valueOptions.contains(arg) {
        index += 1
        continue
      }
      if ["--eval", "--print", "--command"].contains(arg) {
        return .argument(index < args.count ? args[index] : nil)
      }
      if let equals = arg.firstIndex(of: "="),
        ["--eval", "--print", "--command"].contains(String(arg[..<equals]))
      {
        return .argument(String(arg[arg.index(after: equals)...]))
      }
      if arg.hasPrefix("--") { continue }
      let letters = arg.unicodeScalars.dropFirst().map(Character.init)
      if let inline = letters.firstIndex(where: inlineLetters.contains) {
        // `-ec CODE`, or the code glued on: `-e'CODE'`, `-cCODE`.
        let rest = String(letters[(inline + 1)...])
        return .argument(rest.isEmpty ? (index < args.count ? args[index] : nil) : rest)
      }
      if shell && letters.contains("n") { return .notRun }
      if shell && letters.contains("s") { return .input }
      if interpreter == "php" && letters.last == "f", index < args.count {
        return .file(args[index])
      }
    }
    guard index < args.count else { return .input }
    let file = args[index]
    return isStandardInputPath(file) ? .input : .file(file)
  }

  static func isStandardInputPath(_ path: String) -> Bool {
    ["-", "/dev/stdin", "/proc/self/fd/0", "/dev/fd/0"].contains(path)
  }

  /// A path that names an open stream (`/dev/fd/3`, `/proc/self/fd/3`) rather than a file:
  /// what it holds is produced when the command runs.
  static func isStreamPath(_ path: String) -> Bool {
    path.hasPrefix("/dev/fd/") || (path.hasPrefix("/proc/") && path.contains("/fd/"))
      || path.hasPrefix(processSubstitutionPlaceholder)
  }

  /// An interpreter (or `source`) whose program comes from a pipe, a process substitution or
  /// text computed at run time: nobody can read what it will run.
  static func interpreterInputDangerReason(
    program: String, args: [String], scope: DangerScope
  ) -> String? {
    if program == "source" || program == "." {
      guard let file = args.first else { return nil }
      if isStreamPath(file) || scope.isComputed(file)
        || (isStandardInputPath(file) && scope.input != .inherited)
      {
        return "\(program) runs a script produced when the command runs, which cannot be "
          + "checked"
      }
      return nil
    }
    guard isInterpreterName(program) else { return nil }
    switch programSource(interpreter: program, args: args) {
    case .notRun, .argument(nil):
      return nil
    case .argument(let code?):
      return scope.isComputed(code)
        ? "\(program) runs code computed when the command runs, which cannot be checked" : nil
    case .file(let file):
      if isStreamPath(file) || scope.isComputed(file) {
        return "\(program) runs a script produced when the command runs, which cannot be checked"
      }
      return nil
    case .input:
      switch scope.input {
      case .pipe:
        return "it pipes text into \(program), which runs it as a program"
      case .hereString(let text) where scope.isComputed(text):
        return "it feeds \(program) a program computed when the command runs"
      case .file(let file) where scope.isComputed(file) || isStreamPath(file):
        return "it feeds \(program) a program produced when the command runs"
      default:
        return nil
      }
    }
  }

  // MARK: xargs

  /// `xargs CMD`: CMD gets the input as extra arguments (or in place of `-I`'s placeholder), so
  /// the input can add options (`echo -rf ~ | xargs rm`) or become a program (`xargs sh`).
  static func xargsDangerReason(_ args: [String], scope: DangerScope) -> String? {
    // The placeholder that -I, -i and --replace put the input in place of.
    var replace: String? = nil
    for (index, arg) in args.enumerated() {
      if arg == "-I", index + 1 < args.count {
        replace = args[index + 1]
      } else if arg.hasPrefix("-I") {
        replace = String(arg.dropFirst(2))
      } else if arg == "-i" || arg == "--replace" {
        replace = "{}"
      } else if arg.hasPrefix("--replace=") {
        replace = String(arg.dropFirst("--replace=".count))
      } else if arg.hasPrefix("-i") {
        replace = String(arg.dropFirst(2))
      }
    }
    for start in args.indices {
      if scope.isComputed(args[start]) { continue }
      var command = Array(args[start...])
      if let replace, !replace.isEmpty {
        let program = programBaseName(command[0])
        if isInterpreterName(program), command.dropFirst().contains(where: { $0.contains(replace) })
        {
          return "xargs splices its input into a program for \(program)"
        }
        command = command.map { $0.contains(replace) ? substitutionPlaceholder : $0 }
      } else {
        command.append(substitutionPlaceholder)
      }
      if let reason = dangerReason(command, scope: scope.nested()) { return reason }
    }
    return nil
  }
}
