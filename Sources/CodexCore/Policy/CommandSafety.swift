/// Classifies commands the model wants to run: known-safe (read-only, may run without asking)
/// and dangerous (always needs a human; see `CommandSafety+Danger.swift`). Pure functions.
///
/// The known-safe list follows codex-rs `is_safe_command.rs`: the same programs and the same
/// flag rules, plus a few read-only tools it lacks (`date`, `file`, `tree`, `du`, `df`, `sort`,
/// `basename`, ...), each with the flags that would write or run something excluded. Unlike
/// codex-rs, a program is taken at its name only when it is a bare name or sits in a standard
/// binary directory: `./cat` may be a script the model wrote a moment ago.
public enum CommandSafety {
  /// True when running `argv` cannot change anything: every simple command in it (also inside
  /// `bash -lc "<script>"`) is on the read-only list with only read-only flags. An empty argv,
  /// an empty script or one we cannot analyse is not known-safe.
  public static func isKnownSafe(_ argv: [String]) -> Bool {
    isKnownSafe(argv, depth: 0)
  }

  /// Nested `bash -lc "bash -lc '...'"` is read to this depth; deeper is not known-safe.
  static let maxNesting = 3

  static func isKnownSafe(_ argv: [String], depth: Int) -> Bool {
    guard depth <= maxNesting, !argv.isEmpty else { return false }
    if ShellCommandParser.shellScript(of: argv) != nil {
      guard let commands = ShellCommandParser.simpleCommands(of: argv), !commands.isEmpty else {
        return false
      }
      return commands.allSatisfy { isKnownSafe($0, depth: depth + 1) }
    }
    return isSafeSimpleCommand(argv)
  }

  /// Programs that only read, whatever their arguments.
  static let alwaysSafePrograms: Set<String> = [
    "cat", "cd", "cut", "echo", "expr", "false", "grep", "head", "id", "ls", "nl", "paste", "pwd",
    "rev", "seq", "stat", "tail", "tr", "true", "uname", "wc", "which", "whoami",
    // GNU-only in codex-rs (macOS lacks them); we run on Linux.
    "numfmt", "tac",
    // Read-only additions of ours.
    "basename", "dirname", "realpath", "readlink", "du", "df", "printenv",
  ]

  static func isSafeSimpleCommand(_ argv: [String]) -> Bool {
    guard let first = argv.first, let program = trustedCommandName(first) else { return false }
    let args = argv.dropFirst()
    if alwaysSafePrograms.contains(program) { return true }
    switch program {
    case "base64":
      // GNU base64 has no output file, but the BSD one on macOS does; keep codex-rs's rule.
      return !args.contains {
        $0 == "--output" || $0.hasPrefix("--output=") || $0.hasPrefix("-o")
          || shortCluster($0, contains: "o", valueOptions: ["b", "i", "w"])
      }
    case "find":
      return !args.contains { unsafeFindOptions.contains($0) }
    case "rg":
      return isSafeRipgrep(args)
    case "git":
      return isSafeGit(args)
    case "sed":
      // Only `sed -n 'N[,M]p' [file]`: any other script can write files (`w`) or run commands (`e`).
      return argv.count <= 4 && argv.count >= 3 && argv[1] == "-n" && isSedPrintRange(argv[2])
    case "date":
      // `-s`/`--set` sets the clock.
      return !args.contains {
        $0 == "--set" || $0.hasPrefix("--set=")
          || shortCluster($0, contains: "s", valueOptions: ["d", "f", "r", "s", "I"])
      }
    case "file":
      // `-C` compiles a magic file and writes it to disk.
      return !args.contains {
        $0 == "--compile"
          || shortCluster($0, contains: "C", valueOptions: ["e", "F", "f", "m", "P"])
      }
    case "tree":
      // `-o FILE` writes the listing to a file; `-R` writes an index file into each directory.
      return !args.contains {
        $0 == "--output" || $0.hasPrefix("--output=")
          || shortCluster($0, contains: "o", valueOptions: ["L", "P", "I", "H", "T"])
          || shortCluster($0, contains: "R", valueOptions: ["L", "P", "I", "H", "T", "o"])
      }
    case "sort":
      // `-o FILE` writes a file; `--compress-program` runs a program of the caller's choosing.
      return !args.contains {
        $0 == "--output" || $0.hasPrefix("--output=") || $0.hasPrefix("--compress-program")
          || shortCluster($0, contains: "o", valueOptions: ["k", "t", "S", "T"])
      }
    case "uniq":
      // `uniq IN OUT` writes OUT: safe only with at most one file operand.
      return uniqOperandCount(args) <= 1
    default:
      return false
    }
  }

  /// `find` options that run programs, delete files or write file lists.
  static let unsafeFindOptions: Set<String> = [
    "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf",
  ]

  static func isSafeRipgrep(_ args: ArraySlice<String>) -> Bool {
    // `--pre CMD` runs CMD on every file; `--hostname-bin CMD` runs CMD; `-z` runs
    // decompressors. Short options that take a value end a cluster (`-ez` searches for "z").
    let valueOptions: Set<Character> = [
      "A", "B", "C", "E", "M", "T", "d", "e", "f", "g", "j", "m", "r", "t",
    ]
    for arg in args {
      if arg == "--" { break }
      if arg == "--pre" || arg.hasPrefix("--pre=") { return false }
      if arg == "--hostname-bin" || arg.hasPrefix("--hostname-bin=") { return false }
      if arg == "--search-zip" { return false }
      if shortCluster(arg, contains: "z", valueOptions: valueOptions) { return false }
    }
    return true
  }

  // MARK: git

  /// Global options (before the subcommand) that only choose what to read.
  static let gitGlobalFlags: Set<String> = [
    "--no-pager", "-P", "--bare", "--no-replace-objects", "--literal-pathspecs",
    "--glob-pathspecs", "--noglob-pathspecs", "--icase-pathspecs", "--no-optional-locks",
  ]
  static let gitGlobalOptionsWithValue: Set<String> = [
    "-C", "--git-dir", "--work-tree", "--namespace",
  ]

  /// The index of the git subcommand in `argv`, skipping global options. Nil if there is none,
  /// or if a global option could make git run something (`-c core.pager=...`,
  /// `--config-env`, `--exec-path`) or is unknown to us.
  static func gitSubcommandIndex(_ argv: ArraySlice<String>) -> Int? {
    var index = argv.startIndex
    while index < argv.endIndex {
      let arg = argv[index]
      if gitGlobalOptionsWithValue.contains(arg) {
        index += 2
        continue
      }
      if gitGlobalFlags.contains(arg)
        || ["--git-dir=", "--work-tree=", "--namespace="].contains(where: { arg.hasPrefix($0) })
      {
        index += 1
        continue
      }
      if arg.hasPrefix("-") { return nil }
      return index
    }
    return nil
  }

  static func isSafeGit(_ args: ArraySlice<String>) -> Bool {
    guard let index = gitSubcommandIndex(args) else { return false }
    let subcommandArgs = args[(index + 1)...]
    // Flags that write files or run external tools, whatever the subcommand.
    let writesOrRuns = subcommandArgs.contains {
      $0 == "--output" || $0.hasPrefix("--output=") || $0 == "--ext-diff" || $0 == "--textconv"
        || $0 == "--exec" || $0.hasPrefix("--exec=") || $0 == "--paginate"
    }
    if writesOrRuns { return false }
    switch args[index] {
    case "status", "log", "diff", "show":
      return true
    case "branch":
      return isReadOnlyGitBranch(subcommandArgs)
    default:
      return false
    }
  }

  /// `git branch` lists only with no arguments or listing flags; a name creates, renames or
  /// deletes a branch.
  static func isReadOnlyGitBranch(_ args: ArraySlice<String>) -> Bool {
    let listingFlags: Set<String> = [
      "--list", "-l", "--show-current", "-a", "--all", "-r", "--remotes", "-v", "-vv",
      "--verbose",
    ]
    return args.allSatisfy { listingFlags.contains($0) || $0.hasPrefix("--format=") }
  }

  // MARK: helpers

  /// `N p` or `N,M p` with decimal numbers, the only `sed -n` scripts we accept.
  static func isSedPrintRange(_ script: String) -> Bool {
    guard script.hasSuffix("p") else { return false }
    let parts = script.dropLast().split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count == 1 || parts.count == 2 else { return false }
    return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
  }

  /// Whether the short-option cluster `arg` (`-nrz`) sets `flag`. Letters after an option
  /// that takes a value are that value (`-ez` is `-e z`), so scanning stops there.
  static func shortCluster(
    _ arg: String, contains flag: Character, valueOptions: Set<Character>
  ) -> Bool {
    guard arg.hasPrefix("-"), !arg.hasPrefix("--"), arg.count > 1 else { return false }
    for letter in arg.dropFirst() {
      if letter == flag { return true }
      if valueOptions.contains(letter) { return false }
    }
    return false
  }

  /// File operands of `uniq`, skipping the values of its options.
  static func uniqOperandCount(_ args: ArraySlice<String>) -> Int {
    let separateValueOptions: Set<String> = [
      "-f", "-s", "-w", "--skip-fields", "--skip-chars", "--check-chars",
    ]
    var count = 0
    var index = args.startIndex
    var optionsEnded = false
    while index < args.endIndex {
      let arg = args[index]
      index += 1
      if optionsEnded || arg == "-" || !arg.hasPrefix("-") {
        count += 1
      } else if arg == "--" {
        optionsEnded = true
      } else if separateValueOptions.contains(arg) {
        index += 1
      }
    }
    return count
  }
}
