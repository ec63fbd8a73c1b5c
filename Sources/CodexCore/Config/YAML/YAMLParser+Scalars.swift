/// Values on one line (plain, quoted, flow) and `|` / `>` block scalars, with core-schema typing.
extension YAMLParser {
  /// The value at the cursor that belongs to a parent at `parentIndent`. Moves past it to the next
  /// content. Nil for null.
  mutating func inlineValue(parentIndent: Int, depth: Int) throws(ConfigSyntaxError) -> ConfigNode?
  {
    guard depth <= YAMLReader.maxDepth else {
      throw error("nesting deeper than \(YAMLReader.maxDepth) levels")
    }
    let start = position
    guard let c = current else { return nil }
    switch c {
    case "|", ">":
      return ConfigNode(.string(try blockScalar(parentIndent: parentIndent)), at: start)
    case "\"", "'":
      let text = try quotedScalar()
      try finishLine(after: "the closing quote")
      return ConfigNode(.string(text), at: start)
    case "[", "{":
      let node = try flowNode(depth: depth)
      try finishLine(after: c == "[" ? "']'" : "'}'")
      return node
    default:
      try rejectIndicator()
      let text = try blockPlainScalar()
      let value = try resolvePlain(text, at: start)
      try finishLine(after: "the value")
      return value.map { ConfigNode($0, at: start) }
    }
  }

  /// Characters that cannot start a plain value: the YAML features this reader rejects, and
  /// indicators that would make the value mean something else.
  func rejectIndicator() throws(ConfigSyntaxError) {
    guard let c = current else { return }
    let next = char(at: col + 1)
    switch c {
    case "&": throw error("anchors ('&name') are not supported; repeat the value instead")
    case "*": throw error("aliases ('*name') are not supported; repeat the value instead")
    case "!":
      throw error("tags ('!!str', '!name') are not supported; quote the value to make it a string")
    case "?" where isBlankOrEnd(next):
      throw error("complex mapping keys ('? ') are not supported")
    case ":" where isBlankOrEnd(next):
      throw error("missing key before ':'")
    case "-" where isBlankOrEnd(next):
      throw error("a block sequence item ('- ') cannot start here")
    case "@", "`", "%", "#":
      throw error("'\(Character(c))' cannot start a plain value; put the value in quotes")
    case ",", "]", "}":
      throw error("unexpected '\(Character(c))'")
    case "|", ">":
      throw error("block scalars ('|', '>') can only be the value of a key or a sequence item")
    default:
      return
    }
  }

  /// A plain scalar in block context: up to the end of the line or a comment, trailing blanks
  /// dropped. A ': ' inside is an error rather than silently part of the text.
  mutating func blockPlainScalar() throws(ConfigSyntaxError) -> String {
    let text = lines[row]
    let start = col
    var end = col
    while end < text.count {
      let c = text[end]
      if c == "#" && end > start && isBlank(text[end - 1]) { break }
      if c == ":" && isBlankOrEnd(end + 1 < text.count ? text[end + 1] : nil) {
        col = end
        throw error(
          "unexpected ': ' in a value; put the value in quotes, or start a nested mapping on the"
            + " next line")
      }
      end += 1
    }
    while end > start && isBlank(text[end - 1]) { end -= 1 }
    col = end
    return string(text[start..<end])
  }

  func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars)
    return String(view)
  }

  // MARK: - Quoted scalars

  /// The index of the quote closing the quoted scalar that starts at `from`, on the same line.
  func closingQuote(from start: Int) -> Int? {
    guard row < lines.count else { return nil }
    let text = lines[row]
    let quote = text[start]
    var j = start + 1
    while j < text.count {
      if quote == "\"" && text[j] == "\\" {
        j += 2
        continue
      }
      if text[j] == quote {
        if quote == "'" && j + 1 < text.count && text[j + 1] == "'" {
          j += 2
          continue
        }
        return j
      }
      j += 1
    }
    return nil
  }

  /// Reads the quoted scalar at the cursor and moves past its closing quote.
  mutating func quotedScalar() throws(ConfigSyntaxError) -> String {
    let open = col
    let quote = lines[row][open]
    guard let close = closingQuote(from: open) else {
      throw error(
        "unterminated string; quoted strings must close on the line they start (use '|' for"
          + " multi-line text)")
    }
    let body = lines[row][(open + 1)..<close]
    var out = String.UnicodeScalarView()
    if quote == "'" {
      var j = body.startIndex
      while j < body.endIndex {
        out.append(body[j])
        // `''` is the only escape in single quotes; `closingQuote` already paired them.
        j += body[j] == "'" ? 2 : 1
      }
    } else {
      var j = body.startIndex
      while j < body.endIndex {
        if body[j] != "\\" {
          out.append(body[j])
          j += 1
          continue
        }
        j = try escape(in: body, at: j, into: &out)
      }
    }
    col = close + 1
    return String(out)
  }

  /// Decodes the escape at `at` (a backslash) and returns the index after it.
  func escape(
    in body: ArraySlice<Unicode.Scalar>, at backslash: Int,
    into out: inout String.UnicodeScalarView
  ) throws(ConfigSyntaxError) -> Int {
    func fail(_ message: String) -> ConfigSyntaxError {
      ConfigSyntaxError(message, at: position(row, backslash))
    }
    guard backslash + 1 < body.endIndex else {
      throw fail("a '\\' at the end of a quoted line is not supported; keep the string on one line")
    }
    let e = body[backslash + 1]
    let simple: Unicode.Scalar?
    switch e {
    case "0": simple = "\u{00}"
    case "a": simple = "\u{07}"
    case "b": simple = "\u{08}"
    case "t", "\t": simple = "\t"
    case "n": simple = "\n"
    case "v": simple = "\u{0B}"
    case "f": simple = "\u{0C}"
    case "r": simple = "\r"
    case "e": simple = "\u{1B}"
    case " ": simple = " "
    case "\"": simple = "\""
    case "/": simple = "/"
    case "\\": simple = "\\"
    case "N": simple = "\u{85}"
    case "_": simple = "\u{A0}"
    case "L": simple = "\u{2028}"
    case "P": simple = "\u{2029}"
    default: simple = nil
    }
    if let simple {
      out.append(simple)
      return backslash + 2
    }
    let digits: Int
    switch e {
    case "x": digits = 2
    case "u": digits = 4
    case "U": digits = 8
    default: throw fail("invalid escape '\\\(Character(e))' in double-quoted string")
    }
    var value: UInt32 = 0
    var j = backslash + 2
    for _ in 0..<digits {
      guard j < body.endIndex, let d = hexDigitValue(body[j]) else {
        throw fail("invalid '\\\(Character(e))' escape: expected \(digits) hex digits")
      }
      value = value << 4 | d
      j += 1
    }
    if (0xD800..<0xDC00).contains(value), e == "u",
      j + 6 <= body.endIndex, body[j] == "\\", body[j + 1] == "u"
    {
      // A UTF-16 surrogate pair written as two escapes, as JSON-minded tools emit.
      var low: UInt32 = 0
      var k = j + 2
      while k < j + 6, let d = hexDigitValue(body[k]) {
        low = low << 4 | d
        k += 1
      }
      if k == j + 6, (0xDC00..<0xE000).contains(low) {
        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        j = k
      }
    }
    guard let scalar = Unicode.Scalar(value) else {
      throw fail("invalid '\\\(Character(e))' escape: not a Unicode character")
    }
    out.append(scalar)
    return j
  }

  // MARK: - Typing plain scalars

  /// YAML 1.2 core schema. Nil means null.
  func resolvePlain(_ text: String, at start: SourcePosition) throws(ConfigSyntaxError)
    -> ConfigValue?
  {
    switch text {
    case "", "~", "null", "Null", "NULL": return nil
    case "true", "True", "TRUE": return .bool(true)
    case "false", "False", "FALSE": return .bool(false)
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
    case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
    case ".nan", ".NaN", ".NAN": return .float(.nan)
    default: break
    }
    let u = Array(text.unicodeScalars)
    let isDigit: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
    var signEnd = 0
    if u.first == "-" || u.first == "+" { signEnd = 1 }
    if u.count > signEnd && u[signEnd...].allSatisfy(isDigit) {
      guard let n = Int64(text) else {
        throw ConfigSyntaxError("integer \(text) does not fit in 64 bits", at: start)
      }
      return .integer(n)
    }
    if u.count > 2 && u[0] == "0" && (u[1] == "o" || u[1] == "x") {
      let radix = u[1] == "o" ? 8 : 16
      let digits = u[2...]
      let valid = digits.allSatisfy { c in
        radix == 8 ? ("0"..."7").contains(c) : hexDigitValue(c) != nil
      }
      if valid {
        guard let n = Int64(string(digits), radix: radix) else {
          throw ConfigSyntaxError("integer \(text) does not fit in 64 bits", at: start)
        }
        return .integer(n)
      }
    }
    if isCoreFloat(u[signEnd...]) {
      guard let d = Double(text), d.isFinite else {
        throw ConfigSyntaxError("number \(text) is out of range", at: start)
      }
      return .float(d)
    }
    return .string(text)
  }

  /// `( \.[0-9]+ | [0-9]+ (\.[0-9]*)? ) ([eE][-+]?[0-9]+)?`, the sign already dropped.
  func isCoreFloat(_ u: ArraySlice<Unicode.Scalar>) -> Bool {
    var j = u.startIndex
    func digits() -> Int {
      let from = j
      while j < u.endIndex, ("0"..."9").contains(u[j]) { j += 1 }
      return j - from
    }
    if j < u.endIndex && u[j] == "." {
      j += 1
      guard digits() > 0 else { return false }
    } else {
      guard digits() > 0 else { return false }
      if j < u.endIndex && u[j] == "." {
        j += 1
        _ = digits()
      }
    }
    if j < u.endIndex && (u[j] == "e" || u[j] == "E") {
      j += 1
      if j < u.endIndex && (u[j] == "-" || u[j] == "+") { j += 1 }
      guard digits() > 0 else { return false }
    }
    return j == u.endIndex
  }
}
