/// Reads `config.json` (the older Codex CLI's format) into the shared config tree, with the
/// line:column of every key and value so the loader can name `config.json:3:12` in its messages.
///
/// Separate from `JSON` in Support/: that parser is tuned for wire payloads and has no
/// positions. Config files are small and written by hand, so this one favours exact positions and
/// messages that say how to fix the file over speed. Columns count Unicode scalars, 1-based.
///
/// `null` means "unset" in the older CLI's files, so a key whose value is `null` is left out of the
/// table (it still counts for the duplicate-key check).
public enum JSONConfigReader {
  /// Nesting cap so hostile input cannot overflow the stack; real configs nest three or four deep.
  public static let maxDepth = 256

  public static func parse(_ text: String) throws(ConfigSyntaxError) -> ConfigTable {
    try parse(scalars: Array(text.unicodeScalars))
  }

  /// Reads raw file bytes, so a file that is not valid UTF-8 is an error with its position rather
  /// than silently repaired with U+FFFD as `String(decoding:as:)` would.
  public static func parse(_ bytes: [UInt8]) throws(ConfigSyntaxError) -> ConfigTable {
    try parse(scalars: configSourceScalars(utf8: bytes))
  }

  static func parse(scalars: [Unicode.Scalar]) throws(ConfigSyntaxError) -> ConfigTable {
    var parser = JSONConfigParser(scalars)
    return try parser.document()
  }
}

private struct JSONConfigParser {
  let s: [Unicode.Scalar]
  var i = 0
  var line = 1
  var lineStart = 0

  init(_ scalars: [Unicode.Scalar]) {
    s = scalars
    // A byte-order mark is invisible in editors; accept it rather than report column 1.
    if s.first == "\u{FEFF}" {
      i = 1
      lineStart = 1
    }
  }

  var position: SourcePosition { position(of: i) }

  /// Only valid for an index on the current line, which holds for every caller: strings cannot
  /// span lines, and whitespace is the only thing that advances `line`.
  func position(of index: Int) -> SourcePosition {
    SourcePosition(line: line, column: index - lineStart + 1)
  }

  func error(_ message: String, at index: Int? = nil) -> ConfigSyntaxError {
    ConfigSyntaxError(message, at: position(of: index ?? i))
  }

  var atEnd: Bool { i >= s.count }
  var current: Unicode.Scalar? { i < s.count ? s[i] : nil }

  mutating func document() throws(ConfigSyntaxError) -> ConfigTable {
    try skipWhitespace()
    guard let c = current else {
      throw error("empty file: a JSON config must be an object, e.g. {\"model\": \"llama3\"}")
    }
    guard c == "{" else {
      let start = i
      let what = describeValueStart(c)
      throw error(
        "the top level of a JSON config must be an object { ... }, found \(what)", at: start)
    }
    let root = try object(depth: 1)
    try skipWhitespace()
    if !atEnd {
      throw error("unexpected \(describe(s[i])) after the top-level object")
    }
    guard case .table(let table) = root.value else { return ConfigTable() }
    return table
  }

  func describeValueStart(_ c: Unicode.Scalar) -> String {
    switch c {
    case "[": return "an array"
    case "\"": return "a string"
    case "t", "f": return "a boolean"
    case "n": return "null"
    case "-", "0"..."9": return "a number"
    default: return describe(c)
    }
  }

  func describe(_ c: Unicode.Scalar) -> String {
    if c.value < 0x20 || c.value == 0x7F {
      return "control character U+\(hex4(c.value))"
    }
    return "'\(Character(c))'"
  }

  mutating func skipWhitespace() throws(ConfigSyntaxError) {
    while let c = current {
      switch c {
      case " ", "\t", "\r":
        i += 1
      case "\n":
        i += 1
        line += 1
        lineStart = i
      case "/" where i + 1 < s.count && (s[i + 1] == "/" || s[i + 1] == "*"):
        throw error(
          "comments are not allowed in JSON; remove them or use config.yaml or config.toml")
      default:
        return
      }
    }
  }

  /// Returns nil for `null`, which the caller drops.
  mutating func value(depth: Int) throws(ConfigSyntaxError) -> ConfigNode? {
    guard let c = current else { throw error("unexpected end of file, expected a value") }
    let start = position
    switch c {
    case "{": return try object(depth: depth + 1)
    case "[": return try array(depth: depth + 1)
    case "\"": return ConfigNode(.string(try string()), at: start)
    case "-", "0"..."9": return ConfigNode(try number(), at: start)
    case "'":
      throw error("strings must use double quotes in JSON")
    case "]", "}", ",", ":":
      throw error("expected a value, found '\(Character(c))'")
    default:
      break
    }
    let word = readWord()
    switch word {
    case "true": return ConfigNode(.bool(true), at: start)
    case "false": return ConfigNode(.bool(false), at: start)
    case "null": return nil
    case "":
      throw error("expected a value, found \(describe(c))")
    default:
      i -= word.unicodeScalars.count
      let lower = word.lowercased()
      if lower == "true" || lower == "false" || lower == "null" {
        throw error("unknown literal '\(word)'; JSON literals are lowercase: \(lower)")
      }
      throw error("unexpected '\(word)'; strings must be in double quotes")
    }
  }

  /// Letters, digits and a few punctuation marks that commonly make up a mistyped bare word.
  mutating func readWord() -> String {
    var word = String.UnicodeScalarView()
    while let c = current,
      c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "."
    {
      word.append(c)
      i += 1
    }
    return String(word)
  }

  mutating func object(depth: Int) throws(ConfigSyntaxError) -> ConfigNode {
    guard depth <= JSONConfigReader.maxDepth else {
      throw error("nesting deeper than \(JSONConfigReader.maxDepth) levels")
    }
    let start = position
    i += 1
    var table = ConfigTable()
    var seen: [String: SourcePosition] = [:]
    // Kept to point a trailing-comma error at the comma, which may be lines above the '}'.
    var comma: SourcePosition?
    try skipWhitespace()
    if current == "}" {
      i += 1
      return ConfigNode(.table(table), at: start)
    }
    while true {
      try skipWhitespace()
      guard let c = current else { throw error("unexpected end of file, expected a key or '}'") }
      if c == "}", let comma {
        throw ConfigSyntaxError(
          "trailing comma before '}'; JSON does not allow one, remove it", at: comma)
      }
      guard c == "\"" else {
        if c == "'" { throw error("keys must use double quotes in JSON") }
        if c.properties.isAlphabetic || c == "_" {
          throw error("keys must be in double quotes in JSON, e.g. \"\(peekWord())\"")
        }
        throw error("expected a key in double quotes, found \(describe(c))")
      }
      let keyPosition = position
      let key = try string()
      try skipWhitespace()
      guard current == ":" else {
        if atEnd { throw error("unexpected end of file, expected ':' after key \"\(key)\"") }
        throw error("expected ':' after key \"\(key)\"")
      }
      i += 1
      try skipWhitespace()
      let node = try value(depth: depth)
      if let first = seen[key] {
        throw ConfigSyntaxError(
          "duplicate key \"\(key)\" (first defined at \(first))", at: keyPosition)
      }
      seen[key] = keyPosition
      if let node {
        table.entries.append(ConfigTable.Entry(key: key, keyPosition: keyPosition, node: node))
      }
      try skipWhitespace()
      guard let next = current else {
        throw error("unexpected end of file, expected ',' or '}' after value")
      }
      if next == "," {
        comma = position
        i += 1
        continue
      }
      if next == "}" {
        i += 1
        return ConfigNode(.table(table), at: start)
      }
      throw error("expected ',' or '}' after value")
    }
  }

  func peekWord() -> String {
    var j = i
    var word = String.UnicodeScalarView()
    while j < s.count, s[j].properties.isAlphabetic || ("0"..."9").contains(s[j]) || s[j] == "_" {
      word.append(s[j])
      j += 1
    }
    return String(word)
  }

  mutating func array(depth: Int) throws(ConfigSyntaxError) -> ConfigNode {
    guard depth <= JSONConfigReader.maxDepth else {
      throw error("nesting deeper than \(JSONConfigReader.maxDepth) levels")
    }
    let start = position
    i += 1
    var items: [ConfigNode] = []
    var comma: SourcePosition?
    try skipWhitespace()
    if current == "]" {
      i += 1
      return ConfigNode(.array(items), at: start)
    }
    while true {
      try skipWhitespace()
      if current == "]", let comma {
        throw ConfigSyntaxError(
          "trailing comma before ']'; JSON does not allow one, remove it", at: comma)
      }
      let itemStart = position
      guard let item = try value(depth: depth) else {
        throw ConfigSyntaxError(
          "null is not allowed inside an array in a config; remove the element", at: itemStart)
      }
      items.append(item)
      try skipWhitespace()
      guard let next = current else {
        throw error("unexpected end of file, expected ',' or ']' after array element")
      }
      if next == "," {
        comma = position
        i += 1
        continue
      }
      if next == "]" {
        i += 1
        return ConfigNode(.array(items), at: start)
      }
      throw error("expected ',' or ']' after array element")
    }
  }

  func isDigit(_ c: Unicode.Scalar?) -> Bool {
    guard let c else { return false }
    return ("0"..."9").contains(c)
  }

  mutating func number() throws(ConfigSyntaxError) -> ConfigValue {
    let start = i
    var isFloat = false
    if current == "-" { i += 1 }
    guard isDigit(current) else { throw error("expected a digit after '-'") }
    if current == "0" {
      i += 1
      if isDigit(current) {
        throw error("leading zeros are not allowed in JSON numbers", at: start)
      }
    } else {
      while isDigit(current) { i += 1 }
    }
    if current == "." {
      isFloat = true
      i += 1
      guard isDigit(current) else { throw error("expected a digit after '.' in number") }
      while isDigit(current) { i += 1 }
    }
    if current == "e" || current == "E" {
      isFloat = true
      i += 1
      if current == "+" || current == "-" { i += 1 }
      guard isDigit(current) else { throw error("expected a digit in the exponent of number") }
      while isDigit(current) { i += 1 }
    }
    var text = String.UnicodeScalarView()
    text.append(contentsOf: s[start..<i])
    let literal = String(text)
    if !isFloat {
      guard let n = Int64(literal) else {
        throw error("integer \(literal) does not fit in 64 bits", at: start)
      }
      return .integer(n)
    }
    guard let d = Double(literal), d.isFinite else {
      throw error("number \(literal) is out of range", at: start)
    }
    return .float(d)
  }

  mutating func string() throws(ConfigSyntaxError) -> String {
    let open = i
    i += 1
    var out = String.UnicodeScalarView()
    while let c = current {
      switch c {
      case "\"":
        i += 1
        return String(out)
      case "\\":
        try escape(into: &out)
      case "\n":
        throw error("unterminated string (the line ends before the closing '\"')", at: open)
      default:
        if c.value < 0x20 {
          throw error("control character U+\(hex4(c.value)) in string must be escaped")
        }
        out.append(c)
        i += 1
      }
    }
    throw error("unterminated string", at: open)
  }

  mutating func escape(into out: inout String.UnicodeScalarView) throws(ConfigSyntaxError) {
    let backslash = i
    i += 1
    guard let e = current else { throw error("unterminated string") }
    i += 1
    switch e {
    case "\"": out.append("\"")
    case "\\": out.append("\\")
    case "/": out.append("/")
    case "b": out.append("\u{08}")
    case "f": out.append("\u{0C}")
    case "n": out.append("\n")
    case "r": out.append("\r")
    case "t": out.append("\t")
    case "u":
      let high = try hexEscape(startingAt: backslash)
      if (0xDC00..<0xE000).contains(high) {
        throw error("invalid \\u escape: lone low surrogate", at: backslash)
      }
      guard (0xD800..<0xDC00).contains(high) else {
        // Every non-surrogate value below 0x10000 is a valid scalar.
        out.append(Unicode.Scalar(high) ?? "\u{FFFD}")
        return
      }
      guard current == "\\", i + 1 < s.count, s[i + 1] == "u" else {
        throw error("invalid \\u escape: high surrogate without a low surrogate", at: backslash)
      }
      let lowStart = i
      i += 2
      let low = try hexEscape(startingAt: lowStart)
      guard (0xDC00..<0xE000).contains(low) else {
        throw error("invalid \\u escape: high surrogate without a low surrogate", at: backslash)
      }
      out.append(Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}")
    case "\n":
      throw error("invalid escape '\\' at the end of a line", at: backslash)
    default:
      throw error("invalid escape '\\\(Character(e))' in string", at: backslash)
    }
  }

  mutating func hexEscape(startingAt backslash: Int) throws(ConfigSyntaxError) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<4 {
      guard let c = current, let d = hexDigitValue(c) else {
        throw error("invalid \\u escape: expected 4 hex digits", at: backslash)
      }
      v = v << 4 | d
      i += 1
    }
    return v
  }
}

func hexDigitValue(_ c: Unicode.Scalar) -> UInt32? {
  switch c {
  case "0"..."9": return c.value - 0x30
  case "a"..."f": return c.value - 0x61 + 10
  case "A"..."F": return c.value - 0x41 + 10
  default: return nil
  }
}

/// `0041` for error messages about characters.
func hex4(_ v: UInt32) -> String {
  let digits = String(v, radix: 16, uppercase: true)
  return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

/// Decodes config file bytes, reporting the line:column of the first invalid UTF-8 sequence.
/// Shared by the JSON and YAML readers.
func configSourceScalars(utf8 bytes: [UInt8]) throws(ConfigSyntaxError) -> [Unicode.Scalar] {
  var scalars: [Unicode.Scalar] = []
  scalars.reserveCapacity(bytes.count)
  var iterator = bytes.makeIterator()
  var decoder = UTF8()
  var line = 1
  var column = 1
  while true {
    switch decoder.decode(&iterator) {
    case .scalarValue(let scalar):
      scalars.append(scalar)
      if scalar == "\n" {
        line += 1
        column = 1
      } else {
        column += 1
      }
    case .emptyInput:
      return scalars
    case .error:
      throw ConfigSyntaxError(
        "the file is not valid UTF-8; save it with UTF-8 encoding",
        at: SourcePosition(line: line, column: column))
    }
  }
}
