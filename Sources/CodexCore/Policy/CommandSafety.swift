/// Classifies commands the model wants to run: known-safe (read-only, may run without asking)
/// and dangerous (always needs a human; see `CommandSafety+Danger.swift`). Pure functions.
///
/// Known-safe starts from codex-rs `is_safe_command.rs` (the same programs, plus a few read-only
/// tools it lacks) but is an allow-list all the way down: each tool's options are listed
/// (`CommandSafety+ReadOnlyTools.swift`), so an option we do not know, an abbreviation of one
/// (`sort --compress-prog=sh`) or a file-name pattern that could expand into one (`find . -de*`
/// with a file named `-delete`) is not known-safe. Unlike codex-rs, a program is taken at its
/// name only when it is a bare name or sits in a standard binary directory (`./cat` may be a
/// script the model wrote), and git only in the workspace itself (see `CommandSafety+Git.swift`).
public enum CommandSafety {
  /// True when running `argv` in `context` cannot change anything: every simple command in it
  /// (also inside `bash -lc "<script>"`) is on the read-only list with only read-only options.
  /// An empty argv, an empty script or one we cannot analyse is not known-safe.
  public static func isKnownSafe(_ argv: [String], context: CommandContext) -> Bool {
    knownSafeCommand(argv, context: context) != nil
  }

  /// The argv to run for a known-safe command, or nil when `argv` is not known-safe. It is
  /// `argv` itself, except that git's diff-producing commands get `--no-ext-diff --no-textconv`
  /// right after the subcommand (in the script text for `bash -lc`): those two run programs
  /// named in a repository's own config, and no environment setting turns them off; and that
  /// a shell script runs without startup files (`startupFileFreeScriptFlag`). Run it with
  /// `CommandHardening.environment(_:context:)`.
  static func knownSafeCommand(_ argv: [String], context: CommandContext) -> [String]? {
    // The child sees each argument cut at its first NUL; we would judge the whole string.
    guard !argv.contains(where: { $0.utf8.contains(0) }) else { return nil }
    var cwd: String? = context.workdir
    return knownSafeCommand(argv, cwd: &cwd, context: context, depth: 0)
  }

  /// Nested `bash -lc "bash -c '...'"` is read to this depth; deeper is not known-safe.
  static let maxNesting = 3

  /// What the git diff commands get, so that a repository cannot make them run programs.
  static let gitDiffHardeningFlags = ["--no-ext-diff", "--no-textconv"]

  /// The flag a known-safe shell script runs with: `-c` without `-l`, which would first run
  /// the login profiles (`~/.profile`, `~/.bash_profile`), and `-fc` for zsh, which reads
  /// `~/.zshenv` even then. Where HOME is writable those files may be the model's.
  static func startupFileFreeScriptFlag(_ shell: String) -> String {
    shell == "zsh" ? "-fc" : "-c"
  }

  /// `cwd` is where the command starts (nil: unknown) and, after it, where a following command
  /// of the same script would start (`cd` moves it).
  static func knownSafeCommand(
    _ argv: [String], cwd: inout String?, context: CommandContext, depth: Int
  ) -> [String]? {
    guard depth <= maxNesting, !argv.isEmpty else { return nil }
    if let script = ShellCommandParser.shellScript(of: argv) {
      guard let pipelines = ShellCommandParser.parseWords(script: script), !pipelines.isEmpty
      else { return nil }
      // The script runs in its own shell: its `cd`s do not move the caller.
      var scriptCwd = cwd
      var insertions: [Int] = []
      for command in pipelines.joined() {
        let words = command.map { CommandWord($0.value, globPrefix: $0.globPrefix) }
        guard let verdict = safeVerdict(words, cwd: &scriptCwd, context: context, depth: depth)
        else { return nil }
        if let index = verdict.hardenAfter { insertions.append(command[index].end) }
      }
      if depth > 0 {
        // Only the outermost script is rewritten; a nested one would need re-quoting.
        return insertions.isEmpty ? argv : nil
      }
      let program = trustedCommandName(argv[0]) ?? ""
      return [
        argv[0], startupFileFreeScriptFlag(program),
        inserting(gitDiffHardeningFlags, into: script, at: insertions),
      ]
    }
    // A shell call in a form we do not read (`bash -c script extra`, `bash -ec ...`).
    guard ShellCommandParser.simpleCommands(of: argv) != nil else { return nil }
    guard
      let verdict = safeVerdict(
        argv.map { CommandWord($0) }, cwd: &cwd, context: context, depth: depth)
    else { return nil }
    guard let index = verdict.hardenAfter else { return argv }
    guard depth == 0 else { return nil }
    return Array(argv[...index]) + gitDiffHardeningFlags + Array(argv[(index + 1)...])
  }

  /// A simple command found known-safe, and where it needs `gitDiffHardeningFlags`.
  struct SafeVerdict {
    /// The index of the word after which the flags go.
    var hardenAfter: Int? = nil
  }

  static func safeVerdict(
    _ words: [CommandWord], cwd: inout String?, context: CommandContext, depth: Int
  ) -> SafeVerdict? {
    guard let first = words.first, first.globPrefix == nil,
      let program = trustedCommandName(first.text)
    else { return nil }
    let args = words.dropFirst()
    if ShellCommandParser.shellNames.contains(program) {
      let argv = words.map(\.text)
      // A nested shell cannot be rewritten to skip its startup files, so only the forms that
      // read none are accepted: `bash -c`, `sh -c` (not `-lc`; not zsh, which reads .zshenv).
      guard !args.contains(where: { $0.globPrefix != nil }), program != "zsh", argv.count == 3,
        argv[1] == "-c", ShellCommandParser.shellScript(of: argv) != nil
      else { return nil }
      var nestedCwd = cwd
      guard knownSafeCommand(argv, cwd: &nestedCwd, context: context, depth: depth + 1) != nil
      else { return nil }
      return SafeVerdict()
    }
    if program == "cd" {
      cwd = cdTarget(args, from: cwd, context: context)
      return SafeVerdict()
    }
    if anyArgumentPrograms.contains(program) { return SafeVerdict() }
    switch program {
    case "git":
      return gitSafeVerdict(args, cwd: cwd, context: context)
    case "find":
      return isReadOnlyFind(args) ? SafeVerdict() : nil
    case "sed":
      return isSedPrint(args) ? SafeVerdict() : nil
    default:
      guard let spec = readOnlyTools[program], let operands = spec.operands(args) else {
        return nil
      }
      switch program {
      case "date":
        // `date MMDDhhmm` sets the clock; only `+FORMAT` operands print.
        guard operands.allSatisfy({ $0.globPrefix == nil && $0.text.hasPrefix("+") })
        else { return nil }
      case "uniq":
        // `uniq IN OUT` writes OUT, and a pattern may expand to two files.
        guard operands.count <= 1, operands.allSatisfy({ $0.globPrefix == nil })
        else { return nil }
      default:
        break
      }
      return SafeVerdict()
    }
  }

  /// Where `cd ARGS` goes: `cd` alone goes home; one literal path is resolved; anything else
  /// (options, `cd -`, patterns, CDPATH lookups we cannot see) is unknown.
  static func cdTarget(
    _ args: ArraySlice<CommandWord>, from cwd: String?, context: CommandContext
  ) -> String? {
    guard let target = args.first else { return context.home }
    guard args.count == 1, target.globPrefix == nil, !startsWithDash(target.text) else {
      return nil
    }
    let path = target.text
    // CDPATH can send a plain relative name elsewhere; `./x`, `../x` and absolute paths not.
    if !path.hasPrefix("/") && !path.hasPrefix("./") && !path.hasPrefix("../") && path != "."
      && path != ".." && !path.hasPrefix("~")
    {
      return context.resolve(path, from: cwd).flatMap { $0 == context.workspace ? nil : $0 }
    }
    return context.resolve(path, from: cwd)
  }

  // MARK: find and sed

  /// `find` primaries that take no value and only test or print.
  static let findFlags: Set<String> = [
    "-print", "-print0", "-ls", "-prune", "-quit", "-true", "-false", "-empty", "-readable",
    "-writable", "-executable", "-nouser", "-nogroup", "-depth", "-d", "-xdev", "-mount",
    "-follow", "-noleaf", "-ignore_readdir_race", "-noignore_readdir_race", "-daystart",
    "-warn", "-nowarn", "(", ")", "!", ",", "-not", "-a", "-and", "-o", "-or",
  ]
  /// `find` primaries that take one value and only test or print. Left out: `-exec`,
  /// `-execdir`, `-ok`, `-okdir` (run programs), `-delete`, `-fls`, `-fprint`, `-fprint0`,
  /// `-fprintf` (write files).
  static let findValueTests: Set<String> = [
    "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
    "-regextype", "-type", "-xtype", "-size", "-newer", "-anewer", "-cnewer", "-mtime", "-mmin",
    "-atime", "-amin", "-ctime", "-cmin", "-perm", "-user", "-group", "-uid", "-gid", "-links",
    "-inum", "-samefile", "-lname", "-ilname", "-fstype", "-used", "-maxdepth", "-mindepth",
    "-printf", "-context",
  ]

  static func isReadOnlyFind(_ args: ArraySlice<CommandWord>) -> Bool {
    var index = args.startIndex
    // Options before the starting points: -H, -L, -P, -D DEBUGOPTS, -O LEVEL.
    while index < args.endIndex, args[index].globPrefix == nil {
      let text = args[index].text
      if ["-H", "-L", "-P"].contains(text)
        || (text.hasPrefix("-O") && isDashNumber("-" + text.dropFirst(2)))
      {
        index += 1
      } else if text == "-D" {
        index += 2
      } else {
        break
      }
    }
    // Starting points run up to the first word that starts an expression.
    while index < args.endIndex, !startsWithDash(args[index].text),
      !["(", ")", "!", ","].contains(args[index].text)
    {
      if args[index].mayExpandToOptions { return false }
      index += 1
    }
    while index < args.endIndex {
      let word = args[index]
      index += 1
      guard word.globPrefix == nil else { return false }
      if findFlags.contains(word.text) { continue }
      guard findValueTests.contains(word.text) || isFindNewerXY(word.text),
        index < args.endIndex, !args[index].mayExpandToOptions
      else { return false }
      index += 1
    }
    return true
  }

  /// `-newerXY`, X and Y among `a`, `B`, `c`, `m`, `t`.
  static func isFindNewerXY(_ text: String) -> Bool {
    guard text.hasPrefix("-newer") else { return false }
    let suffix = text.dropFirst("-newer".count)
    return suffix.count == 2 && suffix.allSatisfy { "aBcmt".contains($0) }
  }

  /// Only `sed -n 'N[,M]p' [FILE]`: any other script can write files (`w`) or run commands
  /// (`e`), and an option among the files (`sed -n 1p '-ew FILE'`) would turn `1p` into a file
  /// and itself into the script.
  static func isSedPrint(_ args: ArraySlice<CommandWord>) -> Bool {
    let args = Array(args)
    guard args.count == 2 || args.count == 3, args[0].text == "-n", args[0].globPrefix == nil,
      args[1].globPrefix == nil, isSedPrintRange(args[1].text)
    else { return false }
    if args.count == 3 {
      return !startsWithDash(args[2].text) && !args[2].mayExpandToOptions
    }
    return true
  }

  /// `N p` or `N,M p` with decimal numbers, the only `sed -n` scripts we accept.
  static func isSedPrintRange(_ script: String) -> Bool {
    guard script.hasSuffix("p") else { return false }
    let parts = script.dropLast().split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count == 1 || parts.count == 2 else { return false }
    return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
  }

  // MARK: helpers

  /// A word the shell would treat as a file-name pattern: with `*` or `?`, or a `[...]`
  /// bracket expression (a lone `[` is the test command).
  static func isFileNamePattern(_ word: String) -> Bool {
    if word.contains("*") || word.contains("?") { return true }
    guard let open = word.firstIndex(of: "[") else { return false }
    return word[word.index(after: open)...].contains("]")
  }

  /// A pattern whose expansion can start with `-`: nothing literal before its first pattern
  /// character, or a literal `-`.
  static func mayExpandToOption(_ word: String) -> Bool {
    guard isFileNamePattern(word) else { return false }
    let prefix = word.prefix { !"*?[".contains($0) }
    return prefix.isEmpty || prefix.hasPrefix("-")
  }

  /// `script` with `words` inserted (space-separated) at each scalar offset in `offsets`.
  static func inserting(_ words: [String], into script: String, at offsets: [Int]) -> String {
    let text = " " + words.joined(separator: " ")
    var scalars = Array(script.unicodeScalars)
    for offset in offsets.sorted(by: >) {
      scalars.insert(contentsOf: text.unicodeScalars, at: offset)
    }
    return String(String.UnicodeScalarView(scalars))
  }

  /// Whether the short-option cluster `arg` (`-nrz`) sets `flag`. Letters after an option
  /// that takes a value are that value (`-ez` is `-e z`), so scanning stops there. Works on
  /// Unicode scalars, as the program does: a combining accent does not hide a letter.
  static func shortCluster(
    _ arg: String, contains flag: Character, valueOptions: Set<Character>
  ) -> Bool {
    let scalars = Array(arg.unicodeScalars)
    guard scalars.count > 1, scalars[0] == "-", scalars[1] != "-" else { return false }
    for scalar in scalars.dropFirst() {
      let letter = Character(scalar)
      guard scalar.isASCII else { continue }
      if letter == flag { return true }
      if valueOptions.contains(letter) { return false }
    }
    return false
  }
}
