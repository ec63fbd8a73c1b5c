/// Reads a command the model wants to run and lists the simple commands it would execute, so
/// each can be classified. It understands only the plain subset of shell that classification can
/// trust: words, quotes, escapes, `&&`, `||`, `;`, `|`, newlines, comments and the harmless
/// redirections `2>&1` and `>/dev/null`. Anything that could run or write something we cannot
/// see (command or process substitution, variables, redirection to files, subshells, groups,
/// here-docs, background jobs, assignments, control flow) makes it answer nil: "cannot analyse".
/// A nil is never "safe"; callers treat it as unknown.
public enum ShellCommandParser {
  /// Shells whose `-c` script we read. zsh's extra expansions (`=cmd`, extended globs) only
  /// rename files or paths, so treating it like bash keeps classification conservative enough.
  static let shellNames: Set<String> = ["bash", "sh", "zsh", "dash"]
  /// The flag forms models use (`bash -lc`, `sh -c`). Others (`-ec`, `-o x -c`) are left to the
  /// cautious path: not analysable, so never known-safe.
  static let scriptFlags: Set<String> = ["-c", "-lc", "-cl"]

  /// The script of a `bash -lc "<script>"`-style call, or nil when argv is not exactly that.
  /// A fourth argument would become `$0` and change what runs, so it is not accepted here.
  public static func shellScript(of argv: [String]) -> String? {
    guard argv.count == 3, let name = trustedCommandName(argv[0]), shellNames.contains(name),
      scriptFlags.contains(argv[1])
    else { return nil }
    return argv[2]
  }

  /// The simple commands `argv` runs, each as its own argv, in order. A plain argv (not a shell
  /// script) is one command. Nil when a shell script cannot be analysed.
  public static func simpleCommands(of argv: [String]) -> [[String]]? {
    guard let script = shellScript(of: argv) else {
      if let first = argv.first, let name = trustedCommandName(first), shellNames.contains(name),
        argv.count > 1, argv[1].hasPrefix("-")
      {
        // A shell call in a form we do not read (`bash -c script extra`, `bash -ec ...`).
        return nil
      }
      return [argv]
    }
    return parse(script: script)?.flatMap { $0 }
  }

  /// Parses a script into its pipelines (split at `&&`, `||`, `;` and newlines), each a list of
  /// commands joined by `|`. Allowed redirections are dropped from the argv. Nil when the script
  /// uses anything outside the plain subset described on the type.
  public static func parse(script: String) -> [[[String]]]? {
    parseWords(script: script)?.map { $0.map { $0.map(\.value) } }
  }

  /// `parse(script:)` with each word as the lexer read it: where it ends in the script and
  /// whether the shell expands it as a file-name pattern.
  static func parseWords(script: String) -> [[[ShellWord]]]? {
    guard let tokens = ShellLexer.tokens(of: script) else { return nil }
    return assemble(tokens)
  }

  // MARK: - Grammar

  /// Words that start compound commands or change how a pipeline runs. As a command's first
  /// word they mean the script is more than a list of simple commands.
  static let reservedWords: Set<String> = [
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "in", "function", "select", "time", "coproc", "!", "[[", "]]", "{", "}",
  ]

  private static func assemble(_ tokens: [ShellToken]) -> [[[ShellWord]]]? {
    var pipelines: [[[ShellWord]]] = []
    var pipeline: [[ShellWord]] = []
    var command: [ShellWord] = []
    var commandHasRedirect = false
    // True after `&&`, `||` or `|`: another command must follow (newlines may come first).
    var needsCommand = false

    func finishCommand() -> Bool {
      if command.isEmpty { return false }
      pipeline.append(command)
      command = []
      commandHasRedirect = false
      return true
    }

    var index = 0
    while index < tokens.count {
      let token = tokens[index]
      index += 1
      switch token {
      case .word(let word):
        if command.isEmpty {
          if word.isUnquoted && reservedWords.contains(word.value) { return nil }
          if word.startsWithAssignment { return nil }
        }
        command.append(word)
        needsCommand = false
      case .redirect(let fd, let op):
        guard index < tokens.count, case .word(let target) = tokens[index] else { return nil }
        index += 1
        guard isHarmlessRedirect(fd: fd, op: op, target: target.value) else { return nil }
        commandHasRedirect = true
      case .pipe:
        guard !needsCommand, finishCommand() else { return nil }
        needsCommand = true
      case .and, .or:
        guard finishCommand() else { return nil }
        pipelines.append(pipeline)
        pipeline = []
        needsCommand = true
      case .semicolon:
        // `;` must end a command: `; ls` and `ls;;` are syntax errors (or `case` arms).
        guard !needsCommand, finishCommand() else { return nil }
        pipelines.append(pipeline)
        pipeline = []
      case .newline:
        if needsCommand { continue }  // bash lets a newline follow `&&`, `||` and `|`.
        if command.isEmpty {
          if commandHasRedirect { return nil }
          continue  // blank line
        }
        _ = finishCommand()
        pipelines.append(pipeline)
        pipeline = []
      }
    }
    if needsCommand { return nil }
    // A lone redirection with no command creates or truncates its target; not plain.
    if command.isEmpty && commandHasRedirect { return nil }
    if finishCommand() || !pipeline.isEmpty {
      pipelines.append(pipeline)
    }
    return pipelines
  }

  /// `2>&1`, `>&2` and output thrown away into `/dev/null` move or drop output without touching
  /// a file, so a script using them is still a plain list of commands.
  private static func isHarmlessRedirect(fd: Int?, op: String, target: String) -> Bool {
    guard fd == nil || fd == 1 || fd == 2 else { return false }
    switch op {
    case ">&": return target == "1" || target == "2"
    case ">", ">>", ">|", "&>", "&>>": return target == "/dev/null"
    default: return false
    }
  }
}

/// The directories whose programs we take at their name: `/usr/bin/git` is git, `./git` is not
/// (it could be a script the model just wrote).
let trustedBinaryDirectories: Set<String> = [
  "/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/opt/homebrew/bin",
]

/// The program name of a command word when we can trust it: a bare ASCII name, or a path into
/// one of the standard binary directories. Nil otherwise. ASCII only, because Swift compares
/// strings by canonical equivalence (`"\u{212A}s"` equals `"Ks"`) while exec compares bytes.
func trustedCommandName(_ word: String) -> String? {
  guard !word.isEmpty, word.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
  guard let slash = word.lastIndex(of: "/") else { return word }
  let directory = String(word[..<slash])
  let name = String(word[word.index(after: slash)...])
  guard !name.isEmpty, trustedBinaryDirectories.contains(directory) else { return nil }
  return name
}

/// The last path component, whatever the directory: for spotting dangerous programs, where a
/// look-alike path (`./rm`) should count as the real thing.
func programBaseName(_ word: String) -> String {
  guard let slash = word.lastIndex(of: "/") else { return word }
  return String(word[word.index(after: slash)...])
}
