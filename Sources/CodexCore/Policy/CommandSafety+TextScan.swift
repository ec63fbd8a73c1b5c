/// The fallback for scripts `ShellCommandParser` cannot analyse (substitutions, redirections,
/// here-documents, control flow): a loose, text-level scan for dangerous commands. It errs
/// towards flagging, since its answer only decides whether a human is asked.
extension CommandSafety {
  /// The loose scan for scripts the parser gives up on: a fork bomb; commands that are
  /// dangerous by name anywhere (also in quoted strings, which may be scripts for `sh -c` or
  /// `python -c`, and in here-document bodies); a redirection onto a device; downloading next to
  /// running an interpreter; and then the shape of what runs: a program name computed at run
  /// time, an interpreter fed from a pipe or a substitution, `rm` with computed arguments.
  static func unanalysableScriptDangerReason(_ rawScript: String, scope: DangerScope) -> String? {
    let (script, bodies, computedHeredoc) = splittingHeredocBodies(rawScript)
    if isForkBomb(rawScript) {
      return "it is a fork bomb: it starts processes until the machine stops responding"
    }
    let commands =
      LooseShellScanner.commands(in: script, speculative: scope.speculative)
      + bodies.flatMap { LooseShellScanner.commands(in: $0, speculative: true) }
    // First what is dangerous by name, then the shape: `cat <<'EOF' | sh` with `rm -rf /` in
    // the body should say "rm -rf", not "pipes text into sh".
    if let reason = looseCommandsDangerReason(commands, scope: scope, namesOnly: true) {
      return reason
    }
    if let device = deviceRedirectTarget(rawScript) {
      return "it writes directly to a device (\(device)), which can destroy a disk"
    }
    if let reason = downloadAndRunReason(commands.map { commandWords($0.words) }) {
      return reason
    }
    if computedHeredoc && !scope.speculative {
      return "it feeds an interpreter a here-document with text computed when the script runs"
    }
    return looseCommandsDangerReason(commands, scope: scope, namesOnly: false)
  }

  static func looseCommandsDangerReason(
    _ commands: [LooseCommand], scope: DangerScope, namesOnly: Bool
  ) -> String? {
    var commandScope = scope
    commandScope.literal = false
    commandScope.expandsPatterns = true
    for command in commands {
      let words = commandWords(command.words)
      guard !words.isEmpty else { continue }
      var thisScope = commandScope.nested()
      thisScope.input = command.input
      thisScope.speculative = namesOnly || command.speculative || scope.speculative
      if let reason = dangerReason(words, scope: thisScope) { return reason }
      commandScope.cwd = directory(after: words, scope: commandScope)
    }
    return nil
  }

  /// The words from the command's program on: `then rm -rf x`, `do sudo ...`, `FOO=1 rm -rf x`
  /// have keywords and assignments first.
  static func commandWords(_ words: [String]) -> [String] {
    guard
      let start = words.firstIndex(where: {
        !ShellCommandParser.reservedWords.contains($0) && !looksLikeAssignment($0)
      })
    else { return [] }
    return Array(words[start...])
  }

  /// Programs that would run a here-document's text as code (`bash <<'EOF'`,
  /// `cat <<'EOF' | sh`, `eval "$(cat <<'EOF' ...)"`).
  static func isHeredocRunner(_ name: String) -> Bool {
    isInterpreterName(name)
      || ["eval", "source", ".", "exec", "xargs", "sudo", "doas", "su", "ssh"].contains(name)
  }

  /// The script without its here-document bodies, and the bodies worth scanning. Bodies that
  /// are plain text are dropped: a quoted delimiter (`<<'EOF'`, no expansion) on a line where
  /// nothing could run the text. Models write files with `cat > notes.md <<'EOF'`, and prose
  /// about `sudo` or a loop that must `halt` is not a command. Every other body is kept for a
  /// speculative scan (it may be Python, not shell): unquoted ones expand `$(...)`, and what a
  /// runner reads is code. An unterminated one may not be a here-document at all, so it stays
  /// in the script.
  static func splittingHeredocBodies(_ script: String) -> (
    script: String, bodies: [String], computedProgram: Bool
  ) {
    guard script.contains("<<") else { return (script, [], false) }
    var computedProgram = false
    let lines = script.split(separator: "\n", omittingEmptySubsequences: false)
    var kept: [Substring] = []
    var bodies: [String] = []
    var quote: Character? = nil
    var index = 0
    while index < lines.count {
      let line = lines[index]
      kept.append(line)
      index += 1
      let heredocs = heredocOperators(in: line, quote: &quote)
      guard !heredocs.isEmpty else { continue }
      // Any word, not just the first: `docker exec -i box sh <<'EOF'` runs the text too.
      let runsText = LooseShellScanner.commands(in: String(line)).contains {
        $0.words.contains { isHeredocRunner(programBaseName($0)) }
      }
      for heredoc in heredocs {
        var body: [Substring] = []
        var terminator: Substring? = nil
        while index < lines.count {
          let bodyLine = lines[index]
          index += 1
          let compared = heredoc.stripsTabs ? bodyLine.drop(while: { $0 == "\t" }) : bodyLine[...]
          if compared == heredoc.delimiter {
            terminator = bodyLine
            break
          }
          body.append(bodyLine)
        }
        let text = body.joined(separator: "\n")
        if terminator == nil {
          kept += body
        } else if !heredoc.quoted || runsText {
          bodies.append(text)
        }
        // `bash <<EOF` with `$X` in it: the shell expands the body before the runner reads it.
        if runsText && !heredoc.quoted && (text.contains("$") || text.contains("`")) {
          computedProgram = true
        }
        if let terminator { kept.append(terminator) }
      }
    }
    return (kept.joined(separator: "\n"), bodies, computedProgram)
  }

  /// The `<<WORD` / `<<-'WORD'` operators on one line, outside quotes. `quote` carries an open
  /// quote from line to line.
  static func heredocOperators(in line: Substring, quote: inout Character?)
    -> [(delimiter: String, quoted: Bool, stripsTabs: Bool)]
  {
    var found: [(delimiter: String, quoted: Bool, stripsTabs: Bool)] = []
    let characters = Array(line)
    var index = 0
    while index < characters.count {
      let character = characters[index]
      if let open = quote {
        if character == "\\" && open == "\"" {
          index += 2
          continue
        }
        if character == open { quote = nil }
        index += 1
        continue
      }
      switch character {
      case "\\":
        index += 2
        continue
      case "'", "\"":
        quote = character
      case "<" where index + 1 < characters.count && characters[index + 1] == "<":
        if index + 2 < characters.count && characters[index + 2] == "<" {
          index += 3  // a here-string, not a here-document
          continue
        }
        var cursor = index + 2
        let stripsTabs = cursor < characters.count && characters[cursor] == "-"
        if stripsTabs { cursor += 1 }
        while cursor < characters.count && (characters[cursor] == " " || characters[cursor] == "\t")
        {
          cursor += 1
        }
        var delimiter = ""
        var quoted = false
        while cursor < characters.count, !" \t;&|<>()".contains(characters[cursor]) {
          let c = characters[cursor]
          if c == "'" || c == "\"" || c == "\\" {
            quoted = true
          } else {
            delimiter.append(c)
          }
          cursor += 1
        }
        if !delimiter.isEmpty { found.append((delimiter, quoted, stripsTabs)) }
        index = cursor
        continue
      default:
        break
      }
      index += 1
    }
    return found
  }

  /// `:(){ :|:& };:` and its renamed variants: a function that pipes itself into itself in
  /// the background.
  static func isForkBomb(_ script: String) -> Bool {
    var compact = String.UnicodeScalarView()
    compact.append(contentsOf: script.unicodeScalars.filter { !$0.properties.isWhitespace })
    let text = String(compact)
    for definition in text.ranges(of: "(){") {
      var nameStart = definition.lowerBound
      while nameStart > text.startIndex {
        let previous = text.index(before: nameStart)
        if ";&|(){}".contains(text[previous]) { break }
        nameStart = previous
      }
      let name = text[nameStart..<definition.lowerBound]
      let body = text[definition.upperBound...].prefix { $0 != "}" }
      if !name.isEmpty && body.contains("\(name)|\(name)&") { return true }
    }
    return false
  }

  /// The target of a `>`/`>>` redirection onto a device node, if any.
  static func deviceRedirectTarget(_ script: String) -> String? {
    let scalars = Array(script.unicodeScalars)
    var index = 0
    while index < scalars.count {
      defer { index += 1 }
      guard scalars[index] == ">" else { continue }
      var cursor = index + 1
      while cursor < scalars.count, [">", "|", "&", " ", "\t", "'", "\""].contains(scalars[cursor])
      {
        cursor += 1
      }
      var target = String.UnicodeScalarView()
      while cursor < scalars.count,
        !" \t\n;&|<>()'\"".unicodeScalars.contains(scalars[cursor])
      {
        target.append(scalars[cursor])
        cursor += 1
      }
      let path = String(target)
      if isDevicePath(path) { return path }
    }
    return nil
  }
}
