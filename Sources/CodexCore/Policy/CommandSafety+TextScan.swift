/// The fallback for scripts `ShellCommandParser` cannot analyse (substitutions, redirections,
/// here-documents, control flow): a loose, text-level scan for dangerous commands. It errs
/// towards flagging, since its answer only decides whether a human is asked.
extension CommandSafety {
  /// The text-level scan for scripts the parser gives up on: a fork bomb, a dangerous command
  /// in command position of any loosely split segment (also inside quoted strings, which may
  /// be scripts for `sh -c` or `python -c`), a redirection onto a device, and downloading next
  /// to running an interpreter.
  static func unanalysableScriptDangerReason(_ rawScript: String, depth: Int) -> String? {
    let script = removingInertHeredocBodies(rawScript)
    if isForkBomb(script) {
      return "it is a fork bomb: it starts processes until the machine stops responding"
    }
    let segments = looseSegments(script)
    for segment in segments {
      // `then rm -rf x`, `do sudo ...`, `FOO=1 rm -rf x`: the command follows keywords and
      // assignments.
      guard
        let start = segment.firstIndex(where: {
          !ShellCommandParser.reservedWords.contains($0) && !looksLikeAssignment($0)
        })
      else { continue }
      if let reason = dangerReason(Array(segment[start...]), depth: depth + 1) {
        return reason
      }
    }
    if let device = deviceRedirectTarget(script) {
      return "it writes directly to a device (\(device)), which can destroy a disk"
    }
    let downloads = segments.contains { isProgram($0, in: downloaders) }
    let interprets = segments.contains { isProgram($0, in: interpreters) }
    if downloads && interprets {
      return "it downloads a script and runs it with an interpreter"
    }
    return nil
  }

  /// The script split into segments at every shell metacharacter (`$(rm -rf /)` gives a segment
  /// `rm -rf /`), each split into words. Backslashes and quotes are removed (`"rm" -rf`, `r\m`),
  /// a quoted string stays one word, and its contents are split again as segments of their own.
  static func looseSegments(_ script: String, nesting: Int = 0) -> [[String]] {
    var segments: [[String]] = []
    var quotedTexts: [String] = []
    var words: [String] = []
    var word = String.UnicodeScalarView()
    var inWord = false
    func endWord() {
      if inWord { words.append(String(word)) }
      word = String.UnicodeScalarView()
      inWord = false
    }
    func endSegment() {
      endWord()
      if !words.isEmpty { segments.append(words) }
      words = []
    }
    let scalars = Array(script.unicodeScalars)
    var index = 0
    while index < scalars.count {
      let scalar = scalars[index]
      switch scalar {
      case ";", "&", "|", "(", ")", "{", "}", "<", ">", "`", "$", "\n":
        endSegment()
      case " ", "\t", "\r":
        endWord()
      case "\\":
        if index + 1 < scalars.count {
          word.append(scalars[index + 1])
          index += 1
        }
        inWord = true
      case "'", "\"":
        var content = String.UnicodeScalarView()
        var cursor = index + 1
        while cursor < scalars.count && scalars[cursor] != scalar {
          if scalar == "\"" && scalars[cursor] == "\\" && cursor + 1 < scalars.count {
            cursor += 1
          }
          content.append(scalars[cursor])
          cursor += 1
        }
        word.append(contentsOf: content)
        inWord = true
        quotedTexts.append(String(content))
        index = cursor
      default:
        word.append(scalar)
        inWord = true
      }
      index += 1
    }
    endSegment()
    if nesting < 3 {
      for text in quotedTexts { segments += looseSegments(text, nesting: nesting + 1) }
    }
    return segments
  }

  /// Programs that would run a here-document's text as code (`bash <<'EOF'`,
  /// `cat <<'EOF' | sh`, `eval "$(cat <<'EOF' ...)"`).
  static let heredocRunners: Set<String> = interpreters.union([
    "eval", "source", ".", "exec", "xargs", "sudo", "doas", "su", "ssh",
  ])

  /// The script without the bodies of here-documents that are plain text: a quoted delimiter
  /// (`<<'EOF'`, no expansion) on a line where nothing could run the text. Models write files
  /// with `cat > notes.md <<'EOF'`, and prose about `sudo` or a loop that must `halt` is not a
  /// command. Every other body stays: unquoted ones expand `$(...)`, unterminated ones may not
  /// be here-documents at all.
  static func removingInertHeredocBodies(_ script: String) -> String {
    guard script.contains("<<") else { return script }
    let lines = script.split(separator: "\n", omittingEmptySubsequences: false)
    var kept: [Substring] = []
    var quote: Character? = nil
    var index = 0
    while index < lines.count {
      let line = lines[index]
      kept.append(line)
      index += 1
      let heredocs = heredocOperators(in: line, quote: &quote)
      guard !heredocs.isEmpty else { continue }
      // Any word, not just the first: `docker exec -i box sh <<'EOF'` runs the text too.
      let runsText = looseSegments(String(line)).joined().contains {
        heredocRunners.contains(programBaseName($0))
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
        if !(heredoc.quoted && !runsText && terminator != nil) { kept += body }
        if let terminator { kept.append(terminator) }
      }
    }
    return kept.joined(separator: "\n")
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
