extension TOMLParser {
  // MARK: - Basic strings

  /// At `"`: a basic string (`"..."`) or a multi-line basic string (`"""..."""`).
  mutating func parseBasicString() throws(ConfigSyntaxError) -> String {
    if peek(1) == TOMLByte.quote && peek(2) == TOMLByte.quote {
      return try parseMultilineString(delimiter: TOMLByte.quote)
    }
    let start = index
    index += 1
    var content: [UInt8] = []
    var runStart = index
    while true {
      guard index < bytes.count else {
        throw error("string starting at \(position(start)) is not closed", at: index)
      }
      let byte = bytes[index]
      switch byte {
      case TOMLByte.quote:
        content.append(contentsOf: bytes[runStart..<index])
        index += 1
        return String(decoding: content, as: UTF8.self)
      case TOMLByte.backslash:
        content.append(contentsOf: bytes[runStart..<index])
        try parseEscape(into: &content, multiline: false)
        runStart = index
      case TOMLByte.lineFeed, TOMLByte.carriageReturn:
        throw error(
          "string starting at \(position(start)) is not closed before the end of the line "
            + "(use \"\"\" for a multi-line string)",
          at: index)
      default:
        if TOMLByte.isForbiddenControl(byte) {
          throw controlCharacterError(byte)
        }
        index += 1
      }
    }
  }

  /// At `\` inside a basic string; appends the escaped character.
  private mutating func parseEscape(
    into content: inout [UInt8], multiline: Bool
  ) throws(ConfigSyntaxError) {
    let start = index
    index += 1
    guard index < bytes.count else {
      throw error("unfinished escape sequence at end of file", at: start)
    }
    let byte = bytes[index]
    index += 1
    switch byte {
    case 0x62: content.append(0x08)  // \b
    case 0x74: content.append(TOMLByte.tab)  // \t
    case 0x6E: content.append(TOMLByte.lineFeed)  // \n
    case 0x66: content.append(0x0C)  // \f
    case 0x72: content.append(TOMLByte.carriageReturn)  // \r
    case TOMLByte.quote, TOMLByte.backslash: content.append(byte)
    case 0x75: try parseUnicodeEscape(digits: 4, start: start, into: &content)  // \u
    case 0x55: try parseUnicodeEscape(digits: 8, start: start, into: &content)  // \U
    case let blank
    where multiline
      && (blank == TOMLByte.space || blank == TOMLByte.tab || blank == TOMLByte.lineFeed
        || blank == TOMLByte.carriageReturn):
      // A line-ending backslash: drop it and all blank space up to the next visible character.
      index -= 1
      skipSpaces()
      guard index < bytes.count,
        bytes[index] == TOMLByte.lineFeed || bytes[index] == TOMLByte.carriageReturn
      else {
        throw error(
          "invalid escape '\\ ' in string: a backslash may only be followed by spaces "
            + "when it ends the line",
          at: start)
      }
      while index < bytes.count {
        switch bytes[index] {
        case TOMLByte.space, TOMLByte.tab: index += 1
        case TOMLByte.lineFeed, TOMLByte.carriageReturn: try consumeNewline()
        default: return
        }
      }
    default:
      index -= 1
      let shown: String
      if byte >= 0x21 && byte < 0x7F {
        shown = "'\\\(Character(Unicode.Scalar(byte)))'"
      } else {
        shown = "'\\' followed by \(describe(index))"
      }
      throw error(
        "invalid escape \(shown) in string (valid: \\b \\t \\n \\f \\r \\\" \\\\ "
          + "\\uXXXX \\UXXXXXXXX)",
        at: start)
    }
  }

  private mutating func parseUnicodeEscape(
    digits: Int, start: Int, into content: inout [UInt8]
  ) throws(ConfigSyntaxError) {
    var value: UInt32 = 0
    for _ in 0..<digits {
      guard let byte = peek(0), let digit = Self.hexValue(byte) else {
        let letter = digits == 4 ? "u" : "U"
        throw error(
          "invalid escape in string: \\\(letter) needs exactly \(digits) hexadecimal digits",
          at: start)
      }
      value = value << 4 | UInt32(digit)
      index += 1
    }
    guard let scalar = Unicode.Scalar(value) else {
      throw error(
        "invalid escape '\(source.text(start..<index))' in string: "
          + "\(TOMLByte.codePointName(value)) is not a Unicode scalar value",
        at: start)
    }
    content.append(contentsOf: String(Character(scalar)).utf8)
  }

  static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: return byte - 0x30
    case 0x41...0x46: return byte - 0x41 + 10
    case 0x61...0x66: return byte - 0x61 + 10
    default: return nil
    }
  }

  // MARK: - Literal strings

  /// At `'`: a literal string (`'...'`) or a multi-line literal string (`'''...'''`).
  mutating func parseLiteralString() throws(ConfigSyntaxError) -> String {
    if peek(1) == TOMLByte.apostrophe && peek(2) == TOMLByte.apostrophe {
      return try parseMultilineString(delimiter: TOMLByte.apostrophe)
    }
    let start = index
    index += 1
    while true {
      guard index < bytes.count else {
        throw error("string starting at \(position(start)) is not closed", at: index)
      }
      let byte = bytes[index]
      if byte == TOMLByte.apostrophe {
        index += 1
        return source.text(start + 1..<index - 1)
      }
      if byte == TOMLByte.lineFeed || byte == TOMLByte.carriageReturn {
        throw error(
          "string starting at \(position(start)) is not closed before the end of the line "
            + "(use ''' for a multi-line string)",
          at: index)
      }
      if TOMLByte.isForbiddenControl(byte) {
        throw controlCharacterError(byte)
      }
      index += 1
    }
  }

  // MARK: - Multi-line strings

  /// At `"""` or `'''`. A newline right after the opening delimiter is dropped; CRLF becomes LF.
  /// Up to two quotes may sit right before the closing delimiter (`""""` ends with one `"`).
  private mutating func parseMultilineString(delimiter: UInt8) throws(ConfigSyntaxError) -> String {
    let start = index
    let escapes = delimiter == TOMLByte.quote
    index += 3
    if peek(0) == TOMLByte.lineFeed {
      index += 1
    } else if peek(0) == TOMLByte.carriageReturn && peek(1) == TOMLByte.lineFeed {
      index += 2
    }
    var content: [UInt8] = []
    var runStart = index
    while true {
      guard index < bytes.count else {
        throw error("multi-line string starting at \(position(start)) is not closed", at: index)
      }
      let byte = bytes[index]
      switch byte {
      case delimiter:
        var run = 1
        while peek(run) == delimiter { run += 1 }
        guard run >= 3 else {
          index += run
          continue
        }
        // `""""` and `"""""` end the string with one or two quotes inside it; a sixth quote is
        // left behind to be reported as text after the value.
        let extra = min(run - 3, 2)
        content.append(contentsOf: bytes[runStart..<index + extra])
        index += extra + 3
        return String(decoding: content, as: UTF8.self)
      case TOMLByte.backslash where escapes:
        content.append(contentsOf: bytes[runStart..<index])
        try parseEscape(into: &content, multiline: true)
        runStart = index
      case TOMLByte.carriageReturn:
        content.append(contentsOf: bytes[runStart..<index])
        try consumeNewline()
        content.append(TOMLByte.lineFeed)
        runStart = index
      case TOMLByte.lineFeed:
        index += 1
      default:
        if TOMLByte.isForbiddenControl(byte) {
          throw controlCharacterError(byte)
        }
        index += 1
      }
    }
  }

  private mutating func controlCharacterError(_ byte: UInt8) -> ConfigSyntaxError {
    error(
      "control character \(TOMLByte.codePointName(UInt32(byte))) is not allowed in a string; "
        + "write it as an escape such as \\u\(TOMLByte.hex(UInt32(byte), digits: 4))",
      at: index)
  }
}
