/// A TOML 1.0 reader over UTF-8 bytes: one forward pass, no regular expressions, no backtracking.
/// Nesting (arrays, inline tables, tables) is capped at `maxDepth` so hostile input cannot
/// exhaust the stack. Lives only inside `withUnsafeBufferPointer` in `TOML`.
struct TOMLParser {
  static let maxDepth = 256

  var source: TOMLSourceText
  let bytes: UnsafeBufferPointer<UInt8>
  /// The read position, a byte offset into `bytes`.
  var index = 0

  init(bytes: UnsafeBufferPointer<UInt8>) {
    self.bytes = bytes
    self.source = TOMLSourceText(bytes: bytes)
  }

  // MARK: - Entry points

  mutating func parseDocument() throws(ConfigSyntaxError) -> ConfigTable {
    try validateEncoding()
    if source.hasByteOrderMark { index = 3 }
    let root = TOMLTableBuilder(
      origin: .root, position: SourcePosition(line: 1, column: 1), depth: 0)
    var current = root
    while true {
      skipSpaces()
      guard index < bytes.count else { break }
      switch bytes[index] {
      case TOMLByte.lineFeed, TOMLByte.carriageReturn:
        try consumeNewline()
        continue
      case TOMLByte.hash:
        try skipComment()
        continue
      case TOMLByte.leftBracket:
        current = try parseTableHeader(root: root)
        try expectEndOfLine(after: "table header")
      default:
        try parseKeyValue(into: current)
        try expectEndOfLine(after: "value")
      }
    }
    return root.build()
  }

  /// Exactly one value, optionally surrounded by spaces or tabs.
  mutating func parseStandaloneValue() throws(ConfigSyntaxError) -> ConfigNode {
    try validateEncoding()
    skipSpaces()
    let value = try parseValue(depth: 0)
    skipSpaces()
    guard index == bytes.count else {
      throw error("unexpected \(describe(index)) after the value", at: index)
    }
    return value
  }

  private mutating func validateEncoding() throws(ConfigSyntaxError) {
    if let offset = source.firstInvalidUTF8Offset() {
      throw error(
        "invalid UTF-8 (byte 0x\(TOMLByte.hex(UInt32(bytes[offset]), digits: 2))); "
          + "TOML text must be UTF-8",
        at: offset)
    }
  }

  // MARK: - Lines

  private mutating func parseTableHeader(
    root: TOMLTableBuilder
  ) throws(ConfigSyntaxError) -> TOMLTableBuilder {
    let start = index
    let headerPosition = position(start)
    let isArray = peek(1) == TOMLByte.leftBracket
    index += isArray ? 2 : 1
    skipSpaces()
    let key = try parseKey()
    skipSpaces()
    let shown = TOMLTableBuilder.display(key[...])
    if isArray {
      guard peek(0) == TOMLByte.rightBracket && peek(1) == TOMLByte.rightBracket else {
        throw error(
          "expected ']]' to close array-of-tables header [[\(shown)]], found \(describe(index))",
          at: index)
      }
      index += 2
    } else {
      guard peek(0) == TOMLByte.rightBracket else {
        throw error(
          "expected ']' to close table header [\(shown)], found \(describe(index))", at: index)
      }
      index += 1
    }
    return try root.openTable(
      key, isArray: isArray, headerPosition: headerPosition, maxDepth: Self.maxDepth)
  }

  private mutating func parseKeyValue(
    into table: TOMLTableBuilder
  ) throws(ConfigSyntaxError) {
    let key = try parseKey()
    skipSpaces()
    guard peek(0) == TOMLByte.equals else {
      throw error(
        "expected '=' after key '\(TOMLTableBuilder.display(key[...]))', "
          + "found \(describe(index))",
        at: index)
    }
    index += 1
    skipSpaces()
    let value = try parseValue(depth: table.depth + key.count - 1)
    try table.insert(key, value: value, maxDepth: Self.maxDepth)
  }

  /// After a header or key/value: optional spaces and comment, then a newline or the end.
  private mutating func expectEndOfLine(after what: String) throws(ConfigSyntaxError) {
    skipSpaces()
    if peek(0) == TOMLByte.hash { try skipComment() }
    guard index < bytes.count else { return }
    guard bytes[index] == TOMLByte.lineFeed || bytes[index] == TOMLByte.carriageReturn else {
      throw error(
        "expected end of line after \(what), found \(describe(index))", at: index)
    }
    try consumeNewline()
  }

  // MARK: - Keys

  /// A simple or dotted key: `a`, `"a b"`, `a.'b'.c`, with optional spaces around the dots.
  mutating func parseKey() throws(ConfigSyntaxError) -> [TOMLKeyPart] {
    var parts: [TOMLKeyPart] = []
    while true {
      parts.append(try parseSimpleKey())
      skipSpaces()
      guard peek(0) == TOMLByte.dot else { return parts }
      index += 1
      skipSpaces()
    }
  }

  private mutating func parseSimpleKey() throws(ConfigSyntaxError) -> TOMLKeyPart {
    let start = index
    let keyPosition = position(start)
    guard index < bytes.count else {
      throw error("expected a key, found end of file", at: index)
    }
    let byte = bytes[index]
    if byte == TOMLByte.quote || byte == TOMLByte.apostrophe {
      if peek(1) == byte && peek(2) == byte {
        throw error("a multi-line string cannot be used as a key", at: start)
      }
      let name =
        byte == TOMLByte.quote ? try parseBasicString() : try parseLiteralString()
      return TOMLKeyPart(name: name, position: keyPosition)
    }
    while index < bytes.count && TOMLByte.isBareKey(bytes[index]) { index += 1 }
    guard index > start else {
      if byte == TOMLByte.equals {
        throw error("missing key before '='", at: start)
      }
      throw error("expected a key, found \(describe(start))", at: start)
    }
    return TOMLKeyPart(name: source.text(start..<index), position: keyPosition)
  }

  // MARK: - Values

  /// Any value. `depth` is how deeply the value's container is nested; arrays and inline tables
  /// add one level each.
  mutating func parseValue(depth: Int) throws(ConfigSyntaxError) -> ConfigNode {
    let start = index
    let valuePosition = position(start)
    guard index < bytes.count else {
      throw error("expected a value, found end of file", at: index)
    }
    let value: ConfigValue
    switch bytes[index] {
    case TOMLByte.quote:
      value = .string(try parseBasicString())
    case TOMLByte.apostrophe:
      value = .string(try parseLiteralString())
    case TOMLByte.leftBracket:
      value = .array(try parseArray(depth: depth + 1))
    case TOMLByte.leftBrace:
      value = .table(try parseInlineTable(depth: depth + 1))
    case TOMLByte.plus, TOMLByte.minus, TOMLByte.zero...0x39:
      value = try parseNumberOrDateTime()
    case let byte where TOMLByte.isLetter(byte):
      value = try parseBareWord()
    default:
      throw error("expected a value, found \(describe(start))", at: start)
    }
    return ConfigNode(value, at: valuePosition)
  }

  private mutating func parseArray(depth: Int) throws(ConfigSyntaxError) -> [ConfigNode] {
    let start = index
    try checkDepth(depth, at: start)
    index += 1
    var elements: [ConfigNode] = []
    while true {
      try skipBlankSpace()
      if peek(0) == TOMLByte.rightBracket {
        index += 1
        return elements
      }
      guard index < bytes.count else {
        throw error(
          "array opened at \(position(start)) is not closed; expected ']'", at: index)
      }
      elements.append(try parseValue(depth: depth))
      try skipBlankSpace()
      switch peek(0) {
      case TOMLByte.comma:
        index += 1
      case TOMLByte.rightBracket:
        index += 1
        return elements
      default:
        if index >= bytes.count {
          throw error(
            "array opened at \(position(start)) is not closed; expected ']'", at: index)
        }
        throw error(
          "expected ',' or ']' after an array element, found \(describe(index))", at: index)
      }
    }
  }

  private mutating func parseInlineTable(depth: Int) throws(ConfigSyntaxError) -> ConfigTable {
    let start = index
    try checkDepth(depth, at: start)
    let table = TOMLTableBuilder(origin: .inline, position: position(start), depth: depth)
    index += 1
    skipSpaces()
    if peek(0) == TOMLByte.rightBrace {
      index += 1
      return table.build()
    }
    while true {
      skipSpaces()
      try requireOnSameLine(start)
      let key = try parseKey()
      skipSpaces()
      guard peek(0) == TOMLByte.equals else {
        throw error(
          "expected '=' after key '\(TOMLTableBuilder.display(key[...]))', "
            + "found \(describe(index))",
          at: index)
      }
      index += 1
      skipSpaces()
      let value = try parseValue(depth: depth + key.count - 1)
      try table.insert(key, value: value, maxDepth: Self.maxDepth)
      skipSpaces()
      try requireOnSameLine(start)
      switch peek(0) {
      case TOMLByte.comma:
        index += 1
        skipSpaces()
        if peek(0) == TOMLByte.rightBrace {
          throw error("trailing comma is not allowed in an inline table", at: index - 1)
        }
      case TOMLByte.rightBrace:
        index += 1
        return table.build()
      default:
        if index >= bytes.count {
          throw error(
            "inline table opened at \(position(start)) is not closed; expected '}'", at: index)
        }
        throw error(
          "expected ',' or '}' in inline table, found \(describe(index))", at: index)
      }
    }
  }

  /// TOML 1.0 inline tables are one line (values inside, like multi-line strings, may span).
  private mutating func requireOnSameLine(_ start: Int) throws(ConfigSyntaxError) {
    guard index < bytes.count else {
      throw error(
        "inline table opened at \(position(start)) is not closed; expected '}'", at: index)
    }
    let byte = bytes[index]
    if byte == TOMLByte.lineFeed || byte == TOMLByte.carriageReturn || byte == TOMLByte.hash {
      throw error(
        "inline table opened at \(position(start)) must be closed on the same line; "
          + "found \(describe(index))",
        at: index)
    }
  }

  private mutating func checkDepth(_ depth: Int, at offset: Int) throws(ConfigSyntaxError) {
    if depth > Self.maxDepth {
      throw error("values are nested too deeply (more than \(Self.maxDepth) levels)", at: offset)
    }
  }

  // MARK: - Blank space

  mutating func skipSpaces() {
    while index < bytes.count && (bytes[index] == TOMLByte.space || bytes[index] == TOMLByte.tab) {
      index += 1
    }
  }

  /// Spaces, newlines and comments, as allowed between array elements.
  private mutating func skipBlankSpace() throws(ConfigSyntaxError) {
    while index < bytes.count {
      switch bytes[index] {
      case TOMLByte.space, TOMLByte.tab: index += 1
      case TOMLByte.lineFeed, TOMLByte.carriageReturn: try consumeNewline()
      case TOMLByte.hash: try skipComment()
      default: return
      }
    }
  }

  /// At `\n` or `\r\n`; a carriage return on its own is not a newline in TOML.
  mutating func consumeNewline() throws(ConfigSyntaxError) {
    if bytes[index] == TOMLByte.carriageReturn {
      guard peek(1) == TOMLByte.lineFeed else {
        throw error("a carriage return (U+000D) must be followed by a line feed", at: index)
      }
      index += 2
    } else {
      index += 1
    }
  }

  /// From `#` up to (not including) the end of the line.
  private mutating func skipComment() throws(ConfigSyntaxError) {
    index += 1
    while index < bytes.count {
      let byte = bytes[index]
      if byte == TOMLByte.lineFeed { return }
      if TOMLByte.isForbiddenControl(byte) {
        if byte == TOMLByte.carriageReturn && peek(1) == TOMLByte.lineFeed { return }
        throw error(
          "control character \(TOMLByte.codePointName(UInt32(byte))) is not allowed in a comment",
          at: index)
      }
      index += 1
    }
  }

  // MARK: - Helpers

  /// The byte `distance` past the read position, or nil past the end.
  func peek(_ distance: Int) -> UInt8? {
    let offset = index + distance
    return offset < bytes.count ? bytes[offset] : nil
  }

  mutating func position(_ offset: Int) -> SourcePosition { source.position(of: offset) }

  func describe(_ offset: Int) -> String { source.describeCharacter(at: offset) }

  mutating func error(_ message: String, at offset: Int) -> ConfigSyntaxError {
    ConfigSyntaxError(message, at: position(offset))
  }
}
