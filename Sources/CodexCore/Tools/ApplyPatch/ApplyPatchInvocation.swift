/// Recognises a patch sent through the shell tool, as codex-rs does, so the caller can apply it
/// with the engine (planned, approved, sandbox-checked) instead of running a program.
public enum ApplyPatchInvocation: Sendable, Equatable {
  /// Apply `text` (still to be parsed with `PatchParser`), with relative paths resolved against
  /// `workingDirectory` when set (from `cd DIR && apply_patch …`; itself relative to the
  /// command's working directory unless absolute).
  case patch(text: String, workingDirectory: String?)
  /// A bare patch given as the command itself (`["*** Begin Patch…"]`, or as a `bash -lc`
  /// script) without `apply_patch`: codex-rs refuses it, telling the model to call
  /// `apply_patch` explicitly. `message` says so.
  case implicitPatch(message: String)
  /// The script calls `apply_patch` in a shape that cannot be taken apart safely (more
  /// commands around it, no heredoc, arguments); `message` tells the model the shapes that work.
  case malformed(message: String)
  /// Anything else: an ordinary command.
  case notAPatch

  static let commandNames: Set<String> = ["apply_patch", "applypatch"]
  static let shells: Set<String> = ["bash", "sh", "zsh"]

  static let usage =
    "call it as [\"apply_patch\", PATCH], or as a shell script that is only "
    + "\"apply_patch <<'EOF'\\n…\\nEOF\" (optionally \"cd DIR && apply_patch <<'EOF'…\")"

  /// Classifies a shell tool's argv:
  /// - `["apply_patch", PATCH]` or `["applypatch", PATCH]`;
  /// - `[bash|sh|zsh (any directory), "-lc"|"-c", SCRIPT]` where SCRIPT is exactly
  ///   `apply_patch <<'EOF'` (any delimiter, quoted or not, `<<-` too) then the patch then the
  ///   delimiter line, optionally preceded by `cd DIR &&` with one plain or quoted word for DIR.
  ///   Nothing may come before or after; the heredoc body is taken literally (no expansion).
  public static func recognize(_ argv: [String]) -> ApplyPatchInvocation {
    if argv.count == 2, commandNames.contains(argv[0]) {
      return .patch(text: argv[1], workingDirectory: nil)
    }
    if argv.count == 1, commandNames.contains(argv[0]) { return malformed("no patch was given") }
    if argv.count == 1, looksLikePatch(argv[0]) { return implicit }
    guard argv.count == 3, shells.contains(baseName(argv[0])), argv[1] == "-lc" || argv[1] == "-c"
    else {
      return .notAPatch
    }
    if looksLikePatch(argv[2]) { return implicit }
    return recognize(script: argv[2])
  }

  /// The directory to plan a recognised patch in: `cwd` (the command's working directory), or
  /// the `cd` directory of the script resolved against it.
  public static func directory(for workingDirectory: String?, in cwd: String) -> String {
    guard let workingDirectory else { return cwd }
    return PatchPaths.absolute(workingDirectory, in: cwd)
  }

  private static var implicit: ApplyPatchInvocation {
    .implicitPatch(
      message: "patch detected without a call to apply_patch; \(usage)")
  }

  private static func looksLikePatch(_ text: String) -> Bool {
    guard
      let first = text.split(whereSeparator: \.isNewline).first(where: {
        !$0.allSatisfy(\.isWhitespace)
      })
    else {
      return false
    }
    return PatchParser.isMarker(String(first).trimmingWhitespace(), PatchParser.beginMarker)
  }

  private static func baseName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
  }

  static func recognize(script: String) -> ApplyPatchInvocation {
    let lines = script.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
      .map(String.init)
    guard let firstLine = lines.first, let heredoc = firstLine.firstIndex(of: "<") else {
      return callsApplyPatch(script)
        ? malformed("the patch must be given as a heredoc") : .notAPatch
    }
    guard let tokens = ShellLexer.tokens(of: String(firstLine[..<heredoc])) else {
      return callsApplyPatch(script)
        ? malformed("the command before the heredoc is not plain") : .notAPatch
    }
    guard let workingDirectory = Self.workingDirectory(of: tokens) else {
      return callsApplyPatch(script)
        ? malformed("apply_patch must be the only command of the script") : .notAPatch
    }
    guard let (delimiter, stripsTabs) = heredocOpener(firstLine[heredoc...]) else {
      return malformed("the line must end with the heredoc opener, such as <<'EOF'")
    }
    var body: [String] = []
    var rest = lines.dropFirst()
    while let line = rest.first {
      rest = rest.dropFirst()
      let text = stripsTabs ? String(line.drop(while: { $0 == "\t" })) : line
      if text == delimiter {
        guard rest.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) else {
          return malformed("nothing may follow the heredoc's closing \(delimiter) line")
        }
        return .patch(text: body.joined(separator: "\n"), workingDirectory: workingDirectory)
      }
      body.append(text)
    }
    // bash would read to the end of the script, but a missing delimiter line more often means
    // something was glued onto it (`EOF && echo done`), which must not be dropped silently.
    return malformed("the heredoc is not closed by a line holding only \(delimiter)")
  }

  private static func malformed(_ problem: String) -> ApplyPatchInvocation {
    .malformed(message: "apply_patch was not run: \(problem); \(usage)")
  }

  /// `<<EOF`, `<<'EOF'`, `<<"EOF"`, `<<-EOF` and nothing after: the delimiter, and whether
  /// leading tabs are stripped from the body (`<<-`).
  private static func heredocOpener(_ text: Substring) -> (String, Bool)? {
    var rest = text
    guard rest.hasPrefix("<<") else { return nil }
    rest = rest.dropFirst(2)
    let stripsTabs = rest.first == "-"
    if stripsTabs { rest = rest.dropFirst() }
    rest = rest.drop(while: { $0 == " " || $0 == "\t" })
    while let last = rest.last, last.isWhitespace { rest.removeLast() }
    var word = rest
    if let quote = rest.first, quote == "'" || quote == "\"" {
      guard rest.count >= 3, rest.last == quote else { return nil }
      word = rest.dropFirst().dropLast()
    }
    guard !word.isEmpty,
      word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." })
    else {
      return nil
    }
    return (String(word), stripsTabs)
  }

  /// For `apply_patch` alone: `.some(nil)`; for `cd DIR && apply_patch`: `.some(DIR)`; for any
  /// other command line: nil.
  private static func workingDirectory(of tokens: [ShellToken]) -> String?? {
    func isApplyPatch(_ token: ShellToken) -> Bool {
      if case .word(let word) = token { return commandNames.contains(word.value) }
      return false
    }
    if tokens.count == 1 && isApplyPatch(tokens[0]) { return .some(nil) }
    guard tokens.count == 4, case .word(let cd) = tokens[0], cd.value == "cd", cd.isUnquoted,
      case .word(let directory) = tokens[1], !directory.value.isEmpty,
      !directory.value.hasPrefix("-"), tokens[2] == .and, isApplyPatch(tokens[3])
    else {
      return nil
    }
    return .some(directory.value)
  }

  /// Whether `apply_patch` is the command name of one of the commands on the script's first
  /// line (so a mistake deserves an explanation rather than "command not found").
  private static func callsApplyPatch(_ script: String) -> Bool {
    var firstLine = String(script.prefix(while: { $0 != "\n" && $0 != "\r\n" }))
    for separator in ["&&", "||", ";", "|", "<"] {
      firstLine = firstLine.split(separator: separator, omittingEmptySubsequences: false)
        .joined(separator: " \u{0} ")
    }
    var commandStart = true
    for word in firstLine.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
      if commandStart && commandNames.contains(String(word)) { return true }
      commandStart = word == "\u{0}"
    }
    return false
  }
}
