/// Commands that always need a human, whatever the policy: they destroy data, act as root,
/// rewrite shared history or take the machine down. This goes beyond codex-rs's
/// `is_dangerous_command.rs` (git reset/rm, rm -f, sudo), and errs towards flagging: a false
/// alarm costs one question, a miss can cost a disk.
extension CommandSafety {
  /// A one-line human reason when `argv` is dangerous (`"rm -rf deletes files recursively
  /// without asking"`), nil otherwise. Looks through `bash -c` scripts, `sudo` and other
  /// wrappers, `find -exec` and `eval`; a script it cannot parse is scanned as text instead.
  public static func dangerReason(_ argv: [String]) -> String? {
    dangerReason(argv, depth: 0)
  }

  /// Wrappers inside wrappers inside shells: past this depth we stop looking and say so, so
  /// that nesting cannot hide a command.
  static let maxDangerNesting = 8

  static func dangerReason(_ argv: [String], depth: Int) -> String? {
    guard !argv.isEmpty else { return nil }
    guard depth <= maxDangerNesting else {
      return "the command nests shells and wrappers too deeply to check"
    }
    if let script = shellScriptForDanger(argv) {
      return scriptDangerReason(script, depth: depth + 1)
    }
    return simpleDangerReason(argv, depth: depth)
  }

  static let dangerShellNames: Set<String> = ["bash", "sh", "zsh", "dash", "ksh", "fish"]

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
      guard (arg.hasPrefix("-") || arg.hasPrefix("+")) && arg.count > 1 else { break }
      if ["-o", "+o", "-O", "+O", "--rcfile", "--init-file"].contains(arg) {
        index += 2
        continue
      }
      if !arg.hasPrefix("--") && arg.dropFirst().contains("c") { sawCommandFlag = true }
      index += 1
    }
    guard sawCommandFlag, index < argv.count else { return nil }
    return argv[index]
  }

  static func scriptDangerReason(_ script: String, depth: Int) -> String? {
    guard let pipelines = ShellCommandParser.parse(script: script) else {
      return unanalysableScriptDangerReason(script, depth: depth)
    }
    for pipeline in pipelines {
      for command in pipeline {
        if let reason = dangerReason(command, depth: depth + 1) { return reason }
      }
      if let reason = downloadPipedToInterpreterReason(pipeline) { return reason }
    }
    return nil
  }

  /// Programs that run the rest of their arguments as a command, with options we do not model:
  /// every later argument is tried as the start of a command.
  static let commandWrappers: Set<String> = [
    "env", "nice", "nohup", "time", "timeout", "command", "exec", "builtin", "xargs", "stdbuf",
    "ionice", "setsid", "chrt", "taskset", "flock", "watch", "unbuffer", "caffeinate", "nsenter",
  ]
  static let rootWrappers: Set<String> = ["sudo", "doas", "pkexec", "su", "run0"]

  static func simpleDangerReason(_ argv: [String], depth: Int) -> String? {
    guard let first = argv.first else { return nil }
    let program = programBaseName(first)
    let args = Array(argv.dropFirst())
    if rootWrappers.contains(program) {
      if let inner = wrappedCommandDangerReason(argv, depth: depth) {
        return "\(program) runs it as root, and \(inner)"
      }
      return "\(program) runs a command as root"
    }
    if commandWrappers.contains(program) {
      return wrappedCommandDangerReason(argv, depth: depth)
    }
    if program.hasPrefix("mkfs") || ["mke2fs", "mkswap", "wipefs"].contains(program) {
      return "\(program) formats a disk, destroying the data on it"
    }
    switch program {
    case "rm":
      return rmDangerReason(args)
    case "dd":
      if let target = args.first(where: { $0.hasPrefix("of=") }),
        isDevicePath(String(target.dropFirst(3)))
      {
        return "dd writes raw data to a device (\(target)), which can destroy a disk"
      }
      return nil
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
    case "git":
      return gitDangerReason(args[...])
    case "eval":
      return scriptDangerReason(args.joined(separator: " "), depth: depth + 1)
    case "find":
      return findExecDangerReason(args, depth: depth)
    default:
      return nil
    }
  }

  /// Tries every later argument as the start of the wrapped command, and arguments with spaces
  /// as scripts (`watch "rm -rf x"`, `su -c "..."`), so wrapper options need no modelling.
  static func wrappedCommandDangerReason(_ argv: [String], depth: Int) -> String? {
    for start in argv.indices.dropFirst() {
      let suffix = Array(argv[start...])
      let program = programBaseName(argv[start])
      if commandWrappers.contains(program) || rootWrappers.contains(program) {
        // The inner wrapper scans the rest itself; scanning it here too would repeat the work
        // once per nesting level.
        return dangerReason(suffix, depth: depth + 1)
      }
      if let reason = dangerReason(suffix, depth: depth + 1) { return reason }
      if argv[start].contains(" "),
        let reason = scriptDangerReason(argv[start], depth: depth + 1)
      {
        return reason
      }
    }
    return nil
  }

  static func findExecDangerReason(_ args: [String], depth: Int) -> String? {
    let execFlags: Set<String> = ["-exec", "-execdir", "-ok", "-okdir"]
    var index = 0
    while index < args.count {
      if execFlags.contains(args[index]) {
        let start = index + 1
        var end = start
        while end < args.count && args[end] != ";" && args[end] != "+" { end += 1 }
        if let reason = dangerReason(Array(args[start..<end]), depth: depth + 1) {
          return reason
        }
        index = end
      }
      index += 1
    }
    return nil
  }

  // MARK: rm, chmod

  static func rmDangerReason(_ args: [String]) -> String? {
    var recursive = false
    var force = false
    var noPreserveRoot = false
    var operands: [String] = []
    var optionsEnded = false
    for arg in args {
      if optionsEnded || arg == "-" || !arg.hasPrefix("-") {
        operands.append(arg)
      } else if arg == "--" {
        optionsEnded = true
      } else if arg.hasPrefix("--") {
        // GNU accepts any unambiguous prefix of a long option (`--rec`, `--for`).
        if arg.count >= 3 && "--recursive".hasPrefix(arg) { recursive = true }
        if arg.count >= 3 && "--force".hasPrefix(arg) { force = true }
        if arg.count >= 4 && "--no-preserve-root".hasPrefix(arg) { noPreserveRoot = true }
      } else {
        for letter in arg.dropFirst() {
          if letter == "r" || letter == "R" { recursive = true }
          if letter == "f" { force = true }
        }
      }
    }
    if noPreserveRoot { return "rm --no-preserve-root can delete the whole filesystem" }
    if recursive && force { return "rm -rf deletes files recursively without asking" }
    if recursive, let target = operands.first(where: isSystemPath) {
      return "rm -r \(target) deletes everything under \(target)"
    }
    return nil
  }

  static func recursiveOwnershipDangerReason(program: String, args: [String]) -> String? {
    let recursive = args.contains {
      $0 == "--recursive" || (!$0.hasPrefix("--") && $0.hasPrefix("-") && $0.contains("R"))
    }
    guard recursive, let target = args.first(where: { !$0.hasPrefix("-") && isSystemPath($0) })
    else { return nil }
    let what = program == "chmod" ? "permissions" : "ownership"
    return "\(program) -R on \(target) changes \(what) across the whole system"
  }

  /// `/`, the home directory, or a top-level system directory, alone or with everything in it.
  static func isSystemPath(_ path: String) -> Bool {
    var trimmed = path
    if trimmed.hasSuffix("/*") { trimmed.removeLast(2) }
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
    let systemDirectories: Set<String> = [
      "", "/", "~", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/opt", "/proc",
      "/root", "/sbin", "/srv", "/sys", "/usr", "/var",
    ]
    return systemDirectories.contains(trimmed)
  }

  /// A device node, not one of the harmless pseudo-files people write to.
  static func isDevicePath(_ path: String) -> Bool {
    guard path.hasPrefix("/dev/") else { return false }
    let harmless: Set<String> = [
      "/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr", "/dev/tty",
    ]
    return !harmless.contains(path) && !path.hasPrefix("/dev/fd/")
  }

  // MARK: git

  static func gitDangerReason(_ args: ArraySlice<String>) -> String? {
    // Skip global options loosely: any unknown flag is assumed to take no value, so a value
    // option we do not know could hide the subcommand, but only behind a flag git rejects.
    var index = args.startIndex
    while index < args.endIndex, args[index].hasPrefix("-") {
      let valueOptions: Set<String> = ["-C", "-c", "--git-dir", "--work-tree", "--namespace"]
      index += valueOptions.contains(args[index]) ? 2 : 1
    }
    guard index < args.endIndex else { return nil }
    let rest = args[(index + 1)...]
    switch args[index] {
    case "push":
      for arg in rest {
        if arg == "--force" || arg.hasPrefix("--force-with-lease") || arg == "--force-if-includes"
          || arg == "--mirror" || shortCluster(arg, contains: "f", valueOptions: ["o"])
          || (arg.hasPrefix("+") && arg.count > 1)
        {
          return "git push --force overwrites history on the remote"
        }
        if arg == "--delete" || arg == "--prune"
          || shortCluster(arg, contains: "d", valueOptions: ["o"])
          || (arg.hasPrefix(":") && arg.count > 1)
        {
          return "git push --delete deletes branches on the remote"
        }
      }
      return nil
    case "reset":
      return rest.contains("--hard") ? "git reset --hard throws away uncommitted changes" : nil
    case "clean":
      let dryRun = rest.contains {
        $0 == "--dry-run" || shortCluster($0, contains: "n", valueOptions: ["e"])
      }
      return dryRun ? nil : "git clean deletes untracked files"
    case "branch":
      let forceDelete =
        rest.contains("-D")
        || (rest.contains { $0 == "-d" || $0 == "--delete" }
          && rest.contains { $0 == "-f" || $0 == "--force" })
      return forceDelete ? "git branch -D deletes a branch even if it is not merged" : nil
    default:
      return nil
    }
  }

  // MARK: download and run

  static let downloaders: Set<String> = ["curl", "wget", "fetch"]
  static let interpreters: Set<String> = [
    "sh", "bash", "zsh", "dash", "ksh", "fish", "python", "python2", "python3", "perl", "ruby",
    "node", "php",
  ]

  /// `curl … | sh`: a later stage of the pipeline runs what an earlier one downloaded.
  static func downloadPipedToInterpreterReason(_ pipeline: [[String]]) -> String? {
    guard let download = pipeline.firstIndex(where: { isProgram($0, in: downloaders) }) else {
      return nil
    }
    let runsIt = pipeline[(download + 1)...].contains { isProgram($0, in: interpreters) }
    return runsIt ? "it pipes a downloaded script straight into an interpreter" : nil
  }

  /// The command's program, looking past `sudo`, `env` and their flags and assignments.
  static func isProgram(_ argv: [String], in names: Set<String>) -> Bool {
    for word in argv {
      let name = programBaseName(word)
      if rootWrappers.contains(name) || name == "env" || word.hasPrefix("-")
        || (word.contains("=") && !word.hasPrefix("/"))
      {
        continue
      }
      return names.contains(name)
    }
    return false
  }
}
