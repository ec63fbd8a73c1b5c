/// Where a loosely read command's standard input comes from.
enum LooseInput: Equatable, Sendable {
  /// Whatever the script's own input is (the shell tool gives commands /dev/null).
  case inherited
  /// The previous command of a pipeline, or the writer of a `>(...)` substitution.
  case pipe
  /// A here-document; its body is scanned on its own.
  case hereDocument
  /// `<<< WORD`.
  case hereString(String)
  /// `< FILE`.
  case file(String)
}

/// One simple command as `LooseShellScanner` read it.
struct LooseCommand: Equatable, Sendable {
  /// The words after quote removal. Expansions stay as text (`$HOME`, `${x:-y}`); a command or
  /// process substitution becomes `substitutionPlaceholder` or `processSubstitutionPlaceholder`
  /// (its own commands are listed separately). `$'...'` is decoded, as bash does.
  var words: [String]
  var input: LooseInput = .inherited
  /// Read from text that may not be a shell script at all (a quoted string that may be a
  /// script for `sh -c` or `python -c`, a here-document body): only commands that are
  /// dangerous by name count there, not the shape of the words.
  var speculative = false
}

/// The output of a command substitution (`$(...)`, backticks): known only at run time.
let substitutionPlaceholder = "$(…)"
/// The file name bash puts in place of `<(...)` or `>(...)`.
let processSubstitutionPlaceholder = "<(…)"

/// A loose, error-tolerant reading of a script the parser refuses, for the danger check: it
/// never fails, it errs towards finding commands. It splits at every operator, keeps quoted
/// text together (and also scans it on its own, speculatively), reads substitutions as
/// commands of their own, knows which words are redirection targets rather than commands, and
/// where each command's input comes from.
struct LooseShellScanner {
  private(set) var commands: [LooseCommand] = []
  private let speculative: Bool
  private let nesting: Int

  /// Substitutions nested deeper than this are not read; their place is reported as a command
  /// of its own that is computed at run time, so nesting cannot hide anything.
  static let maxNesting = 12

  static func commands(in script: String, speculative: Bool = false) -> [LooseCommand] {
    var scanner = LooseShellScanner(speculative: speculative, nesting: 0)
    scanner.scan(Array(script.unicodeScalars))
    return scanner.commands
  }

  private init(speculative: Bool, nesting: Int) {
    self.speculative = speculative
    self.nesting = nesting
  }

  private enum Pending {
    case none, inputFile, output, hereString, hereDocument
  }

  // The command being read.
  private var words: [String] = []
  private var word = String.UnicodeScalarView()
  private var inWord = false
  private var input = LooseInput.inherited
  private var pending = Pending.none
  /// Quoted texts seen, scanned as speculative scripts at the end.
  private var quotedTexts: [String] = []

  private mutating func endWord() {
    guard inWord else { return }
    let text = String(word)
    switch pending {
    case .none: words.append(text)
    case .inputFile: input = .file(text)
    case .hereString: input = .hereString(text)
    case .hereDocument: input = .hereDocument
    case .output: break
    }
    pending = .none
    word = String.UnicodeScalarView()
    inWord = false
  }

  /// Ends the command. `nextInput` is the input of the next one; `keepInput` keeps the pending
  /// one when nothing was read yet (`curl x | { sh; }` still pipes into `sh`).
  private mutating func endCommand(nextInput: LooseInput = .inherited, keepInput: Bool = false) {
    endWord()
    if words.isEmpty {
      if !keepInput { input = nextInput }
    } else {
      commands.append(LooseCommand(words: words, input: input, speculative: speculative))
      words = []
      input = nextInput
    }
    pending = .none
  }

  private mutating func append(_ text: String) {
    word.append(contentsOf: text.unicodeScalars)
    inWord = true
  }

  /// Reads `text` as a script of its own and adds its commands.
  private mutating func scanNested(_ text: [Unicode.Scalar], input: LooseInput, speculative: Bool) {
    guard nesting < Self.maxNesting else {
      commands.append(LooseCommand(words: [substitutionPlaceholder]))
      return
    }
    var nested = LooseShellScanner(speculative: speculative, nesting: nesting + 1)
    nested.input = input
    nested.scan(text)
    commands += nested.commands
  }

  private mutating func scan(_ s: [Unicode.Scalar]) {
    var i = 0
    while i < s.count {
      let c = s[i]
      switch c {
      case ";", "\n", ")":
        endCommand()
      case "(":
        endCommand(keepInput: true)
      case "{" where !inWord && words.isEmpty, "}" where !inWord:
        // A group `{ ...; }`; inside a word (`-I{}`, `a{b,c}`) a brace is just text.
        endCommand(keepInput: c == "{")
      case "&":
        if i + 1 < s.count && s[i + 1] == "&" {
          endCommand()
          i += 1
        } else if i + 1 < s.count && s[i + 1] == ">" {
          dropFileDescriptorWord()
          endWord()
          pending = .output
          i += (i + 2 < s.count && s[i + 2] == ">") ? 2 : 1
        } else {
          endCommand()
        }
      case "|":
        if i + 1 < s.count && s[i + 1] == "|" {
          endCommand()
          i += 1
        } else {
          if i + 1 < s.count && s[i + 1] == "&" { i += 1 }
          endCommand(nextInput: .pipe)
        }
      case "<", ">":
        if i + 1 < s.count && s[i + 1] == "(" {
          let (content, next) = Self.balanced(s, from: i + 2)
          scanNested(content, input: c == ">" ? .pipe : .inherited, speculative: speculative)
          append(processSubstitutionPlaceholder)
          i = next
          continue
        }
        dropFileDescriptorWord()
        endWord()
        if c == "<" && i + 2 < s.count && s[i + 1] == "<" && s[i + 2] == "<" {
          pending = .hereString
          i += 2
        } else if c == "<" && i + 1 < s.count && s[i + 1] == "<" {
          pending = .hereDocument
          i += 1
          if i + 1 < s.count && s[i + 1] == "-" { i += 1 }
        } else if c == "<" && i + 1 < s.count && s[i + 1] == "&" {
          // `<&3`: input from another open stream, whatever it holds.
          input = .file(processSubstitutionPlaceholder)
          pending = .output
          i += 1
        } else if c == "<" && !(i + 1 < s.count && s[i + 1] == ">") {
          pending = .inputFile
        } else {
          pending = .output
          if i + 1 < s.count && [">", "&", "|"].contains(s[i + 1]) { i += 1 }
        }
      case " ", "\t", "\r":
        endWord()
      case "#" where !inWord:
        while i < s.count && s[i] != "\n" { i += 1 }
        continue
      case "\\":
        if i + 1 < s.count {
          if s[i + 1] != "\n" { word.append(s[i + 1]) }
          inWord = true
          i += 1
        }
      case "'":
        var content = String.UnicodeScalarView()
        var cursor = i + 1
        while cursor < s.count && s[cursor] != "'" {
          content.append(s[cursor])
          cursor += 1
        }
        append(String(content))
        quotedTexts.append(String(content))
        i = cursor
      case "\"":
        i = readDoubleQuoted(s, from: i + 1)
        continue
      case "$":
        i = readDollar(s, at: i, inDoubleQuotes: false)
        continue
      case "`":
        let (content, next) = Self.backquoted(s, from: i + 1)
        scanNested(content, input: .inherited, speculative: speculative)
        append(substitutionPlaceholder)
        i = next
        continue
      default:
        word.append(c)
        inWord = true
      }
      i += 1
    }
    endCommand()
    if nesting < 3 {
      for text in quotedTexts {
        scanNested(Array(text.unicodeScalars), input: .inherited, speculative: true)
      }
    }
  }

  /// `2>file`: the digits glued to a redirection name a file descriptor, not a word.
  private mutating func dropFileDescriptorWord() {
    if inWord, !word.isEmpty, word.allSatisfy({ ("0"..."9").contains($0) }) {
      word = String.UnicodeScalarView()
      inWord = false
    }
  }

  /// After an opening `"`: appends the text (expansions as text, substitutions as
  /// placeholders) and returns the index after the closing quote.
  private mutating func readDoubleQuoted(_ s: [Unicode.Scalar], from start: Int) -> Int {
    var i = start
    var content = String.UnicodeScalarView()
    inWord = true
    while i < s.count && s[i] != "\"" {
      switch s[i] {
      case "\\" where i + 1 < s.count:
        if ["$", "`", "\"", "\\"].contains(s[i + 1]) {
          word.append(s[i + 1])
          content.append(s[i + 1])
        } else if s[i + 1] != "\n" {
          word.append(s[i])
          word.append(s[i + 1])
          content.append(s[i])
          content.append(s[i + 1])
        }
        i += 2
      case "$":
        let before = word.count
        i = readDollar(s, at: i, inDoubleQuotes: true)
        content.append(contentsOf: word.dropFirst(before))
      case "`":
        let (inner, next) = Self.backquoted(s, from: i + 1)
        scanNested(inner, input: .inherited, speculative: speculative)
        word.append(contentsOf: substitutionPlaceholder.unicodeScalars)
        content.append(contentsOf: substitutionPlaceholder.unicodeScalars)
        i = next
      default:
        word.append(s[i])
        content.append(s[i])
        i += 1
      }
    }
    quotedTexts.append(String(content))
    return i + 1
  }

  /// At a `$`: reads the expansion, appends what stands for it, returns the index after it.
  private mutating func readDollar(_ s: [Unicode.Scalar], at start: Int, inDoubleQuotes: Bool)
    -> Int
  {
    inWord = true
    guard start + 1 < s.count else {
      word.append("$")
      return start + 1
    }
    let next = s[start + 1]
    switch next {
    case "'" where !inDoubleQuotes:
      // ANSI-C quoting: `$'\x72\x6d'` is `rm`.
      let (decoded, end) = Self.ansiC(s, from: start + 2)
      append(decoded)
      quotedTexts.append(decoded)
      return end
    case "\"" where !inDoubleQuotes:
      return readDoubleQuoted(s, from: start + 2)
    case "(":
      let (content, end) = Self.balanced(s, from: start + 2)
      scanNested(content, input: .inherited, speculative: speculative)
      append(substitutionPlaceholder)
      return end
    case "{":
      // `${x:-$(cmd)}`: the text stays, and substitutions inside it are read as commands.
      let (content, end) = Self.balanced(s, from: start + 2, open: "{", close: "}")
      append("${" + String(String.UnicodeScalarView(content)) + "}")
      scanNested(content, input: .inherited, speculative: true)
      return end
    default:
      if next == "_" || next.properties.isAlphabetic && next.isASCII {
        var end = start + 1
        var name = "$"
        while end < s.count,
          s[end] == "_"
            || (s[end].isASCII && (s[end].properties.isAlphabetic || ("0"..."9").contains(s[end])))
        {
          name.unicodeScalars.append(s[end])
          end += 1
        }
        append(name)
        return end
      }
      if ("0"..."9").contains(next) || "@*#?$!-".unicodeScalars.contains(next) {
        append("$" + String(next))
        return start + 2
      }
      word.append("$")
      return start + 1
    }
  }

  /// The text up to the bracket that closes one already open (quotes and escapes skipped), and
  /// the index after it. Unclosed: the rest of the text.
  static func balanced(
    _ s: [Unicode.Scalar], from start: Int, open: Unicode.Scalar = "(",
    close: Unicode.Scalar = ")"
  ) -> ([Unicode.Scalar], Int) {
    var depth = 1
    var i = start
    var quote: Unicode.Scalar? = nil
    while i < s.count {
      let c = s[i]
      if let q = quote {
        if c == "\\" && q == "\"" {
          i += 2
          continue
        }
        if c == q { quote = nil }
      } else if c == "\\" {
        i += 2
        continue
      } else if c == "'" || c == "\"" {
        quote = c
      } else if c == open {
        depth += 1
      } else if c == close {
        depth -= 1
        if depth == 0 { return (Array(s[start..<i]), i + 1) }
      }
      i += 1
    }
    return (Array(s[min(start, s.count)...]), s.count)
  }

  /// The text up to the next unescaped backquote, with `\`` unescaped, and the index after it.
  static func backquoted(_ s: [Unicode.Scalar], from start: Int) -> ([Unicode.Scalar], Int) {
    var content: [Unicode.Scalar] = []
    var i = start
    while i < s.count && s[i] != "`" {
      if s[i] == "\\" && i + 1 < s.count && ["`", "\\", "$"].contains(s[i + 1]) {
        content.append(s[i + 1])
        i += 2
        continue
      }
      content.append(s[i])
      i += 1
    }
    return (content, i + 1)
  }

  /// Decodes the body of `$'...'` as bash does; returns it and the index after the quote.
  static func ansiC(_ s: [Unicode.Scalar], from start: Int) -> (String, Int) {
    var out = String.UnicodeScalarView()
    var i = start
    func digits(_ radix: UInt32, max: Int) -> UInt32? {
      var value: UInt32 = 0
      var count = 0
      while count < max, i < s.count, let d = Character(s[i]).hexDigitValue, UInt32(d) < radix {
        value = value * radix + UInt32(d)
        i += 1
        count += 1
      }
      return count == 0 ? nil : value
    }
    while i < s.count && s[i] != "'" {
      guard s[i] == "\\", i + 1 < s.count else {
        out.append(s[i])
        i += 1
        continue
      }
      let e = s[i + 1]
      i += 2
      let simple: [Unicode.Scalar: Unicode.Scalar] = [
        "a": "\u{07}", "b": "\u{08}", "e": "\u{1B}", "E": "\u{1B}", "f": "\u{0C}", "n": "\n",
        "r": "\r", "t": "\t", "v": "\u{0B}", "\\": "\\", "'": "'", "\"": "\"", "?": "?",
      ]
      if let mapped = simple[e] {
        out.append(mapped)
        continue
      }
      var code: UInt32? = nil
      switch e {
      case "0"..."7":
        i -= 1
        code = digits(8, max: 3)
      case "x": code = digits(16, max: 2)
      case "u": code = digits(16, max: 4)
      case "U": code = digits(16, max: 8)
      case "c":
        if i < s.count {
          code = s[i].value & 0x1F
          i += 1
        }
      default:
        out.append("\\")
        out.append(e)
        continue
      }
      if let code, let scalar = Unicode.Scalar(code) {
        out.append(scalar)
      }
    }
    return (String(out), i + 1)
  }
}
