/// One token of a plain shell script.
enum ShellToken: Equatable {
  case word(ShellWord)
  /// `>`, `>>`, `>|`, `>&`, `&>`, `&>>`, with the file descriptor written before it (`2>`).
  case redirect(fd: Int?, op: String)
  case pipe
  case and
  case or
  case semicolon
  case newline
}

/// A word after quote removal, with what the parser needs to know about how it was written.
struct ShellWord: Equatable {
  var value: String
  /// No quotes or backslashes anywhere: only then can it be a reserved word like `if`.
  var isUnquoted: Bool
  /// Written as `NAME=...` with an unquoted name: a variable assignment, not a command.
  var startsWithAssignment: Bool
  /// For a word with an unquoted `*`, `?` or `[`, the text before the first of them: the shell
  /// replaces such a word with the matching file names (any number of them, `-delete`
  /// included), so only this prefix is certain. Nil for a word that is taken as written.
  var globPrefix: String? = nil
  /// The offset, in Unicode scalars of the script, just past the word: where text can be
  /// inserted after it.
  var end: Int = 0
}

/// Splits a script into tokens, or answers nil at the first construct the plain subset does not
/// cover (see `ShellCommandParser`). Works on Unicode scalars: every shell metacharacter is ASCII,
/// and scalars keep multi-byte text in words intact.
enum ShellLexer {
  static func tokens(of script: String) -> [ShellToken]? {
    var lexer = Cursor(Array(script.unicodeScalars))
    var tokens: [ShellToken] = []
    while let scalar = lexer.peek() {
      switch scalar {
      case " ", "\t":
        lexer.advance()
      case "\\" where lexer.peek(1) == "\n":
        lexer.advance(2)  // line continuation between words
      case "\n":
        lexer.advance()
        tokens.append(.newline)
      case "#":
        // A comment runs to the end of the line; the newline itself still separates commands.
        while let c = lexer.peek(), c != "\n" { lexer.advance() }
      case ";":
        // `;;`, `;&` and `;;&` only exist inside `case`.
        if lexer.peek(1) == ";" || lexer.peek(1) == "&" { return nil }
        lexer.advance()
        tokens.append(.semicolon)
      case "&":
        if lexer.peek(1) == "&" {
          lexer.advance(2)
          tokens.append(.and)
        } else if lexer.peek(1) == ">" {
          let op = lexer.peek(2) == ">" ? "&>>" : "&>"
          lexer.advance(op.unicodeScalars.count)
          tokens.append(.redirect(fd: nil, op: op))
        } else {
          return nil  // background job: runs on after we have looked away
        }
      case "|":
        if lexer.peek(1) == "|" {
          lexer.advance(2)
          tokens.append(.or)
        } else if lexer.peek(1) == "&" {
          return nil  // `|&` pipes stderr too; rare, and not worth a special case
        } else {
          lexer.advance()
          tokens.append(.pipe)
        }
      case ">", "<":
        guard let op = lexer.redirectOperator() else { return nil }
        tokens.append(.redirect(fd: nil, op: op))
      case "(", ")":
        return nil  // subshell, or a function definition
      default:
        guard let token = lexer.word() else { return nil }
        tokens.append(token)
      }
    }
    return tokens
  }

  private struct Cursor {
    let scalars: [Unicode.Scalar]
    var index = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
      let i = index + offset
      return i < scalars.count ? scalars[i] : nil
    }

    mutating func advance(_ count: Int = 1) { index += count }

    /// At `>` or `<`: the output redirection operator, or nil for anything else (input
    /// redirection, here-docs and here-strings, process substitution, `<>`).
    mutating func redirectOperator() -> String? {
      guard peek() == ">" else { return nil }
      switch peek(1) {
      case ">":
        advance(2)
        return ">>"
      case "&":
        advance(2)
        return ">&"
      case "|":
        advance(2)
        return ">|"
      case "(":
        return nil  // process substitution `>(...)`
      default:
        advance()
        return ">"
      }
    }

    /// Reads one word with quote removal; also recognises `2>` (digits glued to a redirection).
    mutating func word() -> ShellToken? {
      var value = String.UnicodeScalarView()
      var quoted = false
      var sawBrace = false
      var globPrefix: String? = nil
      let start = index
      wordLoop: while let c = peek() {
        switch c {
        case " ", "\t", "\n", ";", "&", "|", "(", ")":
          break wordLoop
        case ">", "<":
          let text = String(value)
          if !quoted, !text.isEmpty, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) {
            guard let op = redirectOperator(), let fd = Int(text) else { return nil }
            return .redirect(fd: fd, op: op)
          }
          break wordLoop
        case "\\":
          guard let next = peek(1) else { return nil }  // a trailing backslash
          advance(2)
          if next != "\n" {
            value.append(next)
            quoted = true
          }
        case "'":
          advance()
          while let q = peek(), q != "'" {
            value.append(q)
            advance()
          }
          guard peek() == "'" else { return nil }  // unterminated
          advance()
          quoted = true
        case "\"":
          advance()
          guard readDoubleQuoted(into: &value) else { return nil }
          quoted = true
        case "$", "`":
          return nil  // expansion or command substitution: the real argv is unknowable here
        case "{", "}":
          // Brace expansion can turn one word into several (`-r{f,}` is `-rf -r`); only the
          // literal `{}` of `find -exec` is plain.
          sawBrace = true
          value.append(c)
          advance()
        case "*", "?", "[":
          if globPrefix == nil { globPrefix = String(value) }
          value.append(c)
          advance()
        default:
          value.append(c)
          advance()
        }
      }
      let raw = String(String.UnicodeScalarView(scalars[start..<index]))
      if sawBrace && raw != "{}" { return nil }
      return .word(
        ShellWord(
          value: String(value), isUnquoted: !quoted,
          startsWithAssignment: looksLikeAssignment(raw), globPrefix: globPrefix, end: index))
    }

    /// After an opening `"`: appends the quoted text, consuming the closing quote. False when
    /// the string expands something or never ends.
    private mutating func readDoubleQuoted(into value: inout String.UnicodeScalarView) -> Bool {
      while let c = peek() {
        switch c {
        case "\"":
          advance()
          return true
        case "$", "`":
          return false
        case "\\":
          guard let next = peek(1) else { return false }
          advance(2)
          switch next {
          case "$", "`", "\"", "\\": value.append(next)
          case "\n": break
          default:
            value.append("\\")
            value.append(next)
          }
        default:
          value.append(c)
          advance()
        }
      }
      return false
    }
  }
}

/// `NAME=` or `NAME+=` at the start of a word, NAME a shell identifier: a variable assignment
/// when it comes before the command.
func looksLikeAssignment(_ word: String) -> Bool {
  var sawName = false
  var scalars = word.unicodeScalars.makeIterator()
  while let c = scalars.next() {
    switch c {
    case "a"..."z", "A"..."Z", "_":
      sawName = true
    case "0"..."9":
      if !sawName { return false }
    case "=":
      return sawName
    case "+":
      return sawName && scalars.next() == "="
    default:
      return false
    }
  }
  return false
}
