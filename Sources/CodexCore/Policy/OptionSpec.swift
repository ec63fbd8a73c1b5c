/// One argument of a command as the known-safe check sees it.
struct CommandWord: Equatable, Sendable {
  var text: String
  /// Set when the shell expands the word as a file-name pattern: the text before the first
  /// pattern character (see `ShellWord.globPrefix`).
  var globPrefix: String?

  init(_ text: String, globPrefix: String? = nil) {
    self.text = text
    self.globPrefix = globPrefix
  }

  /// True when the shell may turn this word into words that start with `-` (a file named
  /// `-delete` matches `*`), or into several words.
  var mayExpandToOptions: Bool {
    guard let prefix = globPrefix else { return false }
    return prefix.isEmpty || prefix.utf8.first == UInt8(ascii: "-")
  }
}

/// The options of one read-only tool that only read: an allow-list. An option that is not on
/// it (one that writes or runs something, one we do not know, a GNU abbreviation such as
/// `--compress-prog` for `--compress-program`, a non-ASCII look-alike) makes the command not
/// known-safe. Exact names only: `getopt_long` and git take an exact match over any
/// abbreviation, so an exact name always means what we think it means.
///
/// When in doubt whether an option takes its value from the next word, it is listed as taking
/// an attached value only: then the next word is checked on its own, never skipped as a value.
struct OptionSpec: Sendable {
  enum ValueStyle: Sendable {
    /// getopt: `-k2` or `-k 2`; a letter that takes a value ends its cluster.
    case getopt
    /// tree: each letter that takes a value takes the next word, and the cluster goes on
    /// (`-Lo 2 out` is `-L 2 -o out`).
    case nextWordPerLetter
  }

  var shortFlags: Set<Character> = []
  /// Short options whose value is attached or the next word.
  var shortValues: Set<Character> = []
  /// Short options whose optional value can only be attached (`-I[FMT]`).
  var shortOptionalValues: Set<Character> = []
  var longFlags: Set<String> = []
  /// Long options whose value follows `=` or is the next word.
  var longValues: Set<String> = []
  /// Long options whose value can only follow `=` (`--color[=WHEN]`).
  var longOptionalValues: Set<String> = []
  /// `-NUM` is an option (`head -5`, `git log -3`).
  var numericOption = false
  /// `-NUM` is an operand (`seq -5 5`).
  var negativeNumberOperands = false
  var valueStyle = ValueStyle.getopt
  /// No option of the tool writes or runs anything, so a file-name pattern that expands into
  /// options (or into many words) cannot make it do so.
  var globSafe = false

  init(
    flags: String = "", values: String = "", optionalValues: String = "",
    long: Set<String> = [], longValues: Set<String> = [], longOptionalValues: Set<String> = [],
    numericOption: Bool = false, negativeNumberOperands: Bool = false,
    valueStyle: ValueStyle = .getopt, globSafe: Bool = false
  ) {
    shortFlags = Set(flags)
    shortValues = Set(values)
    shortOptionalValues = Set(optionalValues)
    // --help and --version only print.
    longFlags = long.union(["help", "version"])
    self.longValues = longValues
    self.longOptionalValues = longOptionalValues
    self.numericOption = numericOption
    self.negativeNumberOperands = negativeNumberOperands
    self.valueStyle = valueStyle
    self.globSafe = globSafe
  }

  /// A command line read under this spec.
  struct Parsed {
    /// Option names as written without dashes (`"n"`, `"lines"`), with their values.
    var options: [(name: String, value: String?)] = []
    var operands: [CommandWord] = []
  }

  /// Reads `words` (the arguments after the program) as this tool would, or nil when any of
  /// them is not allowed.
  func parse(_ words: ArraySlice<CommandWord>) -> Parsed? {
    var parsed = Parsed()
    var index = words.startIndex
    var optionsEnded = false

    /// The next word as an option's value. A pattern that may expand into options is refused
    /// (only its first expansion would be the value).
    func takeValue() -> String? {
      guard index < words.endIndex else { return nil }
      let word = words[index]
      guard globSafe || !word.mayExpandToOptions else { return nil }
      index += 1
      return word.text
    }

    while index < words.endIndex {
      let word = words[index]
      index += 1
      if word.mayExpandToOptions && !optionsEnded {
        // Whatever it expands to, this tool only reads; otherwise it could become `-o FILE`.
        guard globSafe else { return nil }
        parsed.operands.append(word)
        continue
      }
      if optionsEnded || !startsWithDash(word.text) || word.text == "-" {
        parsed.operands.append(word)
        continue
      }
      let text = word.text
      if text == "--" {
        optionsEnded = true
        continue
      }
      if isDashNumber(text) && numericOption {
        parsed.options.append(("NUM", String(text.dropFirst())))
        continue
      }
      if isDashNumber(text) && negativeNumberOperands {
        parsed.operands.append(word)
        continue
      }
      if text.hasPrefix("--") {
        let body = text.dropFirst(2)
        let name: String
        let attached: String?
        if let equals = body.firstIndex(of: "=") {
          name = String(body[..<equals])
          attached = String(body[body.index(after: equals)...])
        } else {
          name = String(body)
          attached = nil
        }
        guard isPlainOptionName(name) else { return nil }
        if let attached {
          guard longValues.contains(name) || longOptionalValues.contains(name) else { return nil }
          parsed.options.append((name, attached))
        } else if longFlags.contains(name) || longOptionalValues.contains(name) {
          parsed.options.append((name, nil))
        } else if longValues.contains(name) {
          guard let value = takeValue() else { return nil }
          parsed.options.append((name, value))
        } else {
          return nil
        }
        continue
      }
      // A cluster of short options: `-nrz`, `-k2`, `-n 5`.
      let letters = Array(text.unicodeScalars.dropFirst())
      var position = 0
      while position < letters.count {
        let scalar = letters[position]
        position += 1
        guard scalar.isASCII else { return nil }
        let letter = Character(scalar)
        let rest = String(String.UnicodeScalarView(letters[position...]))
        if shortFlags.contains(letter) {
          parsed.options.append((String(letter), nil))
        } else if shortOptionalValues.contains(letter) {
          parsed.options.append((String(letter), rest.isEmpty ? nil : rest))
          break
        } else if shortValues.contains(letter) {
          switch valueStyle {
          case .getopt:
            if !rest.isEmpty {
              parsed.options.append((String(letter), rest))
            } else {
              guard let value = takeValue() else { return nil }
              parsed.options.append((String(letter), value))
            }
            position = letters.count
          case .nextWordPerLetter:
            guard let value = takeValue() else { return nil }
            parsed.options.append((String(letter), value))
          }
        } else {
          return nil
        }
      }
    }
    return parsed
  }
}

/// Whether `word` starts with an ASCII `-`, byte-wise: Swift's `hasPrefix("-")` is false for
/// `"-\u{301}rf"` (the dash and the accent are one Character), but a C program sees a dash.
func startsWithDash(_ word: String) -> Bool {
  word.utf8.first == UInt8(ascii: "-")
}

/// `-` followed by ASCII digits only.
func isDashNumber(_ word: String) -> Bool {
  let bytes = Array(word.utf8)
  return bytes.count > 1 && bytes[0] == UInt8(ascii: "-")
    && bytes.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
}

/// A long option name as programs spell them: ASCII letters, digits and dashes.
func isPlainOptionName(_ name: String) -> Bool {
  !name.isEmpty
    && name.utf8.allSatisfy {
      ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
        || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
        || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
    }
}
