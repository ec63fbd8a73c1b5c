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

  /// Reads `words` (the arguments after the program) as this tool would and returns its
  /// operands, or nil when any of the options is not allowed.
  func operands(_ words: ArraySlice<CommandWord>) -> [CommandWord]? {
    var operands: [CommandWord] = []
    var index = words.startIndex
    var optionsEnded = false

    /// Takes the next word as an option's value; false when there is none, or when it is a
    /// pattern that may expand into options (only its first expansion would be the value).
    func takeValue() -> Bool {
      guard index < words.endIndex, globSafe || !words[index].mayExpandToOptions else {
        return false
      }
      index += 1
      return true
    }

    while index < words.endIndex {
      let word = words[index]
      index += 1
      if word.mayExpandToOptions && !optionsEnded {
        // Whatever it expands to, this tool only reads; otherwise it could become `-o FILE`.
        guard globSafe else { return nil }
        operands.append(word)
        continue
      }
      if optionsEnded || !startsWithDash(word.text) || word.text == "-" {
        operands.append(word)
        continue
      }
      let text = word.text
      if text == "--" {
        optionsEnded = true
        continue
      }
      if isDashNumber(text) && numericOption {
        continue
      }
      if isDashNumber(text) && negativeNumberOperands {
        operands.append(word)
        continue
      }
      if text.hasPrefix("--") {
        let body = text.dropFirst(2)
        let name = String(body.prefix { $0 != "=" })
        let hasValue = body.contains("=")
        guard isPlainOptionName(name) else { return nil }
        if hasValue {
          guard longValues.contains(name) || longOptionalValues.contains(name) else { return nil }
        } else if longValues.contains(name) {
          guard takeValue() else { return nil }
        } else if !longFlags.contains(name) && !longOptionalValues.contains(name) {
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
        if shortFlags.contains(letter) { continue }
        if shortOptionalValues.contains(letter) { break }  // the rest is its value
        guard shortValues.contains(letter) else { return nil }
        switch valueStyle {
        case .getopt:
          // The rest of the cluster is the value, or else the next word.
          if position == letters.count { guard takeValue() else { return nil } }
          position = letters.count
        case .nextWordPerLetter:
          guard takeValue() else { return nil }
        }
      }
    }
    return operands
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
