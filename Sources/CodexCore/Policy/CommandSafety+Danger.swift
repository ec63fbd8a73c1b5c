/// Commands that always need a human, whatever the policy: they destroy data, act as root,
/// rewrite shared history, leave the sandbox or take the machine down. This goes well beyond
/// codex-rs's `is_dangerous_command.rs` (git reset/rm, rm -f, sudo), and errs towards
/// flagging: a false alarm costs one question, a miss can cost a disk.
extension CommandSafety {
  /// A one-line human reason when `argv`, run in `context`, is dangerous (`"rm -rf deletes
  /// files recursively without asking"`), nil otherwise. Looks through `bash -c` scripts,
  /// `sudo` and other wrappers, `find -exec`, `xargs` and `eval`; a script the parser cannot
  /// read is scanned loosely instead (`CommandSafety+TextScan.swift`).
  public static func dangerReason(_ argv: [String], context: CommandContext) -> String? {
    dangerReason(argv, scope: DangerScope(context: context))
  }

  /// What the danger check knows about the place of a command in what runs.
  struct DangerScope {
    var context: CommandContext
    /// Where the command runs; nil when a `cd` went somewhere unknown.
    var cwd: String?
    var depth = 0
    /// The words are exactly what the program gets (an argv, or a script the parser read):
    /// a `$` in them is text. False for loosely scanned scripts, where it is an expansion.
    var literal = true
    var input = LooseInput.inherited
    /// See `LooseCommand.speculative`: only commands dangerous by name count.
    var speculative = false
    /// The words went through a shell, which replaces file-name patterns (`*`, `?`, `[..]`)
    /// with matching names, a file named `-rf` included. False for an argv run as it is.
    var expandsPatterns = false

    init(context: CommandContext) {
      self.context = context
      cwd = context.workdir
    }

    func nested() -> DangerScope {
      var scope = self
      scope.depth += 1
      return scope
    }

    /// True when the shell computes `word` at run time: an expansion, a substitution, or the
    /// stand-in for a command's input (`xargs`).
    func isComputed(_ word: String) -> Bool {
      if word.contains(substitutionPlaceholder) || word.contains(processSubstitutionPlaceholder) {
        return true
      }
      return !literal && (word.contains("$") || word.contains("`"))
    }
  }

  /// Wrappers inside wrappers inside shells: past this depth we stop looking and say so, so
  /// that nesting cannot hide a command.
  static let maxDangerNesting = 8

  static func dangerReason(_ argv: [String], scope: DangerScope) -> String? {
    guard !argv.isEmpty else { return nil }
    guard scope.depth <= maxDangerNesting else {
      return "the command nests shells and wrappers too deeply to check"
    }
    if let script = shellScriptForDanger(argv) {
      return scriptDangerReason(script, scope: scope.nested())
    }
    return simpleDangerReason(argv, scope: scope)
  }

  static let dangerShellNames: Set<String> = [
    "bash", "sh", "zsh", "dash", "ksh", "mksh", "fish", "ash", "yash", "posh",
  ]

  /// The script of any `-c` shell call, in any flag form (`bash -ec`, `sh -o pipefail -c`,
  /// `bash -c script arg0`): unlike safety, danger must not be dodged by an unusual spelling.
  static func shellScriptForDanger(_ argv: [String]) -> String? {
    guard let first = argv.first, dangerShellNames.contains(programBaseName(first)) else {
      return nil
    }
    var sawCommandFlag = false
    var index = 1
    while index < argv.count {
      let arg = argv[index]
      guard (startsWithDash(arg) || arg.hasPrefix("+")) && arg.unicodeScalars.count > 1 else {
        break
      }
      if ["-o", "+o", "-O", "+O", "--rcfile", "--init-file"].contains(arg) {
        index += 2
        continue
      }
      if !arg.hasPrefix("--") && arg.unicodeScalars.dropFirst().contains("c") {
        sawCommandFlag = true
      }
      index += 1
    }
    guard sawCommandFlag, index < argv.count else { return nil }
    return argv[index]
  }

  static func scriptDangerReason(_ script: String, scope: DangerScope) -> String? {
    guard let pipelines = ShellCommandParser.parse(script: script) else {
      return unanalysableScriptDangerReason(script, scope: scope)
    }
    // As in the loose scan: first what is dangerous by name, then the shape (`curl x | sh`
    // should say "downloaded", `wget x | sudo bash` "sudo").
    if let reason = pipelinesDangerReason(pipelines, scope: scope, namesOnly: true) {
      return reason
    }
    for pipeline in pipelines {
      if let reason = downloadPipedToInterpreterReason(pipeline) { return reason }
    }
    if let reason = downloadAndRunReason(pipelines.flatMap { $0 }) { return reason }
    return pipelinesDangerReason(pipelines, scope: scope, namesOnly: false)
  }

  static func pipelinesDangerReason(
    _ pipelines: [[[String]]], scope: DangerScope, namesOnly: Bool
  ) -> String? {
    var commandScope = scope
    commandScope.literal = true
    commandScope.expandsPatterns = true
    commandScope.speculative = namesOnly || scope.speculative
    for pipeline in pipelines {
      for (stage, command) in pipeline.enumerated() {
        var stageScope = commandScope
        stageScope.input = stage > 0 ? .pipe : .inherited
        if let reason = dangerReason(command, scope: stageScope) { return reason }
        commandScope.cwd = directory(after: command, scope: commandScope)
      }
    }
    return nil
  }

  /// Where the next command of a script runs after `argv`: `cd`/`pushd` move it (somewhere
  /// unknown unless the target is a plain path), anything else leaves it.
  static func directory(after argv: [String], scope: DangerScope) -> String? {
    guard let first = argv.first else { return scope.cwd }
    switch programBaseName(first) {
    case "cd", "pushd":
      let args = argv.dropFirst()
      guard let target = args.first else { return scope.context.home }
      guard args.count == 1, !startsWithDash(target), !scope.isComputed(target) else {
        return nil
      }
      return scope.context.resolve(target, from: scope.cwd)
    case "popd":
      return nil
    default:
      return scope.cwd
    }
  }

  /// Programs that run the rest of their arguments as a command, with options we do not model:
  /// every later argument is tried as the start of a command.
  static let commandWrappers: Set<String> = [
    "env", "nice", "nohup", "time", "timeout", "command", "exec", "builtin", "stdbuf", "ionice",
    "setsid", "chrt", "taskset", "flock", "watch", "unbuffer", "caffeinate", "nsenter",
    // Multi-call binaries and sandboxes: `busybox rm -rf /` is `rm -rf /`.
    "busybox", "toybox", "unshare", "chroot", "flatpak-spawn", "systemd-run", "firejail", "bwrap",
    "proot", "fakeroot", "fakechroot", "strace", "ltrace", "script", "parallel", "sg", "run-parts",
  ]
  static let rootWrappers: Set<String> = ["sudo", "doas", "pkexec", "su", "run0", "runuser"]

  static func simpleDangerReason(_ argv: [String], scope: DangerScope) -> String? {
    guard let first = argv.first else { return nil }
    if scope.isComputed(first) && !scope.speculative {
      return "the program it runs is computed when the script runs, so it cannot be checked"
    }
    if scope.expandsPatterns && !scope.speculative && isFileNamePattern(first) {
      return "the program it runs is a file-name pattern (\(first)), which could match any "
        + "program"
    }
    let program = programBaseName(first)
    let args = Array(argv.dropFirst())
    if program == "alias" && args.contains(where: { $0.contains("=") }) {
      return "it defines an alias, which hides the command it runs"
    }
    if rootWrappers.contains(program) {
      if let inner = wrappedCommandDangerReason(argv, scope: scope) {
        return "\(program) runs it as root, and \(inner)"
      }
      return "\(program) runs a command as root"
    }
    if let reason = sandboxEscapeReason(program: program, args: args) { return reason }
    if program == "xargs" { return xargsDangerReason(args, scope: scope) }
    if commandWrappers.contains(program) {
      return wrappedCommandDangerReason(argv, scope: scope)
    }
    if !scope.speculative,
      let reason = interpreterInputDangerReason(program: program, args: args, scope: scope)
    {
      return reason
    }
    if program.hasPrefix("mkfs") || ["mke2fs", "mkswap", "wipefs"].contains(program) {
      return "\(program) formats a disk, destroying the data on it"
    }
    switch program {
    case "rm":
      return rmDangerReason(args, scope: scope)
    case "dd":
      return ddDangerReason(args, scope: scope)
    case "shutdown", "reboot", "halt", "poweroff":
      return "\(program) shuts down or restarts the machine"
    case "init", "telinit":
      return args.contains("0") || args.contains("6")
        ? "\(program) \(args.contains("0") ? "0" : "6") shuts down or restarts the machine" : nil
    case "systemctl":
      let powerVerbs: Set<String> = ["poweroff", "reboot", "halt", "kexec", "soft-reboot"]
      if let verb = args.first(where: { powerVerbs.contains($0) }) {
        return "systemctl \(verb) shuts down or restarts the machine"
      }
      return nil
    case "chmod", "chown", "chgrp":
      return recursiveOwnershipDangerReason(program: program, args: args)
    case "tee", "shred", "truncate", "cp", "mv", "install", "ln":
      // For the copying ones only the destination, the last operand, is written.
      let operands = args.filter { !startsWithDash($0) }
      let written =
        ["tee", "shred", "truncate"].contains(program) ? operands : Array(operands.suffix(1))
      if let device = written.first(where: isDevicePath) {
        return "\(program) writes directly to a device (\(device)), which can destroy a disk"
      }
      return nil
    case "git":
      return gitDangerReason(args[...], scope: scope)
    case "eval":
      return scriptDangerReason(args.joined(separator: " "), scope: scope.nested())
    case "find":
      return findDangerReason(args, scope: scope)
    default:
      return nil
    }
  }

  /// Tries every later argument as the start of the wrapped command, and arguments with spaces
  /// as scripts (`watch "rm -rf x"`, `su -c "..."`), so wrapper options need no modelling. The
  /// wrapped command keeps the wrapper's input (`curl … | sudo sh`).
  static func wrappedCommandDangerReason(_ argv: [String], scope: DangerScope) -> String? {
    for start in argv.indices.dropFirst() {
      // `timeout "$t" make`: a computed option value is not the wrapped program.
      if scope.isComputed(argv[start]) { continue }
      let suffix = Array(argv[start...])
      let program = programBaseName(argv[start])
      if commandWrappers.contains(program) || rootWrappers.contains(program) {
        // The inner wrapper scans the rest itself; scanning it here too would repeat the work
        // once per nesting level.
        return dangerReason(suffix, scope: scope.nested())
      }
      if let reason = dangerReason(suffix, scope: scope.nested()) { return reason }
      if argv[start].contains(" "),
        let reason = scriptDangerReason(argv[start], scope: scope.nested())
      {
        return reason
      }
    }
    return nil
  }

  // MARK: find, dd, chmod

  static func findDangerReason(_ args: [String], scope: DangerScope) -> String? {
    let execFlags: Set<String> = ["-exec", "-execdir", "-ok", "-okdir"]
    // The starting points: what `{}` stands for is below one of them.
    var starts: [String] = []
    var index = 0
    while index < args.count, ["-H", "-L", "-P"].contains(args[index]) { index += 1 }
    while index < args.count, !startsWithDash(args[index]),
      !["(", ")", "!", ","].contains(args[index])
    {
      starts.append(args[index])
      index += 1
    }
    if starts.isEmpty { starts = ["."] }
    index = 0
    while index < args.count {
      let arg = args[index]
      if arg == "-delete" {
        return "find -delete deletes every file it matches without asking"
      }
      let isValue = index > 0 && findValueTests.contains(args[index - 1])
      if scope.isComputed(arg) && !scope.speculative && !isValue {
        return "find gets an expression computed when the script runs, which could be -delete "
          + "or -exec"
      }
      if scope.expandsPatterns && !scope.speculative && !isValue && mayExpandToOption(arg) {
        return "find gets part of its expression from a file-name pattern (\(arg)); a file "
          + "named -delete would make it delete"
      }
      if execFlags.contains(arg) {
        let start = index + 1
        var end = start
        while end < args.count && args[end] != ";" && args[end] != "+" { end += 1 }
        for root in starts {
          let found = root.hasSuffix("/") ? root + "{}" : root + "/{}"
          let command = args[start..<end].map { $0 == "{}" ? found : $0 }
          if let reason = dangerReason(command, scope: scope.nested()) { return reason }
        }
        index = end
      }
      index += 1
    }
    return nil
  }

  static func ddDangerReason(_ args: [String], scope: DangerScope) -> String? {
    guard let target = args.first(where: { $0.hasPrefix("of=") }) else { return nil }
    let path = String(target.dropFirst(3))
    if isDevicePath(path) {
      return "dd writes raw data to a device (\(target)), which can destroy a disk"
    }
    if scope.isComputed(path) && !scope.speculative {
      return "dd writes raw data to a target computed when the script runs (\(target))"
    }
    return nil
  }

  static func recursiveOwnershipDangerReason(program: String, args: [String]) -> String? {
    let recursive = args.contains {
      $0 == "--recursive" || (!$0.hasPrefix("--") && startsWithDash($0) && $0.contains("R"))
    }
    guard recursive, let target = args.first(where: { !startsWithDash($0) && isSystemPath($0) })
    else { return nil }
    let what = program == "chmod" ? "permissions" : "ownership"
    return "\(program) -R on \(target) changes \(what) across the whole system"
  }

  /// `/`, the home directory, or a top-level system directory, alone or with everything in it.
  static func isSystemPath(_ path: String) -> Bool {
    var trimmed = path
    if trimmed.hasSuffix("/*") { trimmed.removeLast(2) }
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
    return systemDirectories.contains(trimmed)
  }

  static let systemDirectories: Set<String> = [
    "", "/", "~", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32",
    "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/usr", "/var",
    "/usr/bin", "/usr/lib", "/usr/local", "/usr/sbin", "/usr/share", "/var/lib",
  ]

  /// A device node, not one of the harmless pseudo-files people write to.
  static func isDevicePath(_ path: String) -> Bool {
    guard path.hasPrefix("/dev/") else { return false }
    let harmless: Set<String> = [
      "/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr", "/dev/tty",
    ]
    return !harmless.contains(path) && !path.hasPrefix("/dev/fd/")
  }

  // MARK: download and run

  static let downloaders: Set<String> = ["curl", "wget", "fetch", "aria2c", "http", "xh"]

  /// `curl … | sh`: a later stage of the pipeline runs what an earlier one downloaded.
  static func downloadPipedToInterpreterReason(_ pipeline: [[String]]) -> String? {
    guard let download = pipeline.firstIndex(where: { isProgram($0, in: downloaders) }) else {
      return nil
    }
    let runsIt = pipeline[(download + 1)...].contains {
      isProgram($0, matching: isInterpreterName)
    }
    return runsIt ? "it pipes a downloaded script straight into an interpreter" : nil
  }

  /// `curl -o x.sh URL && sh x.sh`: a script that downloads something and runs an interpreter.
  static func downloadAndRunReason(_ commands: [[String]]) -> String? {
    let downloads = commands.contains { isProgram($0, in: downloaders) }
    let interprets = commands.contains {
      isProgram($0) { isInterpreterName($0) || ["source", ".", "eval"].contains($0) }
    }
    return downloads && interprets ? "it downloads a script and runs it with an interpreter" : nil
  }

  static func isProgram(_ argv: [String], in names: Set<String>) -> Bool {
    isProgram(argv) { names.contains($0) }
  }

  /// Whether the command's program, looking past `sudo`, `env` and their flags and
  /// assignments, satisfies `matches`.
  static func isProgram(_ argv: [String], matching matches: (String) -> Bool) -> Bool {
    for word in argv {
      let name = programBaseName(word)
      if rootWrappers.contains(name) || name == "env" || startsWithDash(word)
        || (word.contains("=") && !word.hasPrefix("/"))
      {
        continue
      }
      return matches(name)
    }
    return false
  }
}
