import CodexCore
import Testing

@Suite struct TOMLParserTests {
  // MARK: - Values and positions

  @Test func readsACodexConfigWithPositions() throws {
    let text = """
      model = "gpt-5"
      approval_policy = 'on-request'  # comment

      [model_providers.ollama]
      name = "Ollama"
      base_url = "http://localhost:11434/v1"
      request_max_retries = 4

      [profiles.fast]
      model_options = { temperature = 0.2, top_p = 1e-1 }
      notify = ["notify-send", "codex"]
      """
    let table = try TOML.parse(text)
    #expect(table.keys == ["model", "approval_policy", "model_providers", "profiles"])
    #expect(table["model"]?.value == .string("gpt-5"))
    #expect(table.entry("model")?.keyPosition == SourcePosition(line: 1, column: 1))
    #expect(table["model"]?.position == SourcePosition(line: 1, column: 9))
    #expect(table["approval_policy"]?.position == SourcePosition(line: 2, column: 19))

    let providers = try #require(table["model_providers"])
    // An implicit parent table takes the position of the header that created it.
    #expect(providers.position == SourcePosition(line: 4, column: 1))
    #expect(table.entry("model_providers")?.keyPosition == SourcePosition(line: 4, column: 2))
    let ollama = try #require(Self.table(providers)["ollama"])
    #expect(ollama.position == SourcePosition(line: 4, column: 1))
    #expect(
      Self.table(providers).entry("ollama")?.keyPosition == SourcePosition(line: 4, column: 18))
    let retries = Self.table(ollama).entry("request_max_retries")
    #expect(retries?.node.value == .integer(4))
    #expect(retries?.keyPosition == SourcePosition(line: 7, column: 1))
    #expect(retries?.node.position == SourcePosition(line: 7, column: 23))

    let profiles = try #require(table["profiles"])
    let fast = Self.table(try #require(Self.table(profiles)["fast"]))
    let options = try #require(fast["model_options"])
    #expect(options.position == SourcePosition(line: 10, column: 17))
    #expect(Self.table(options)["temperature"]?.value == .float(0.2))
    #expect(Self.table(options)["temperature"]?.position == SourcePosition(line: 10, column: 33))
    #expect(Self.table(options).entry("top_p")?.keyPosition == SourcePosition(line: 10, column: 38))
    let notify = try #require(fast["notify"])
    guard case .array(let commands) = notify.value else {
      Issue.record("notify is not an array")
      return
    }
    #expect(commands.map(\.value) == [.string("notify-send"), .string("codex")])
    #expect(
      commands.map(\.position) == [
        SourcePosition(line: 11, column: 11), SourcePosition(line: 11, column: 26),
      ])
  }

  @Test func columnsCountCharactersNotBytes() throws {
    let table = try TOML.parse("\"é😀\" = 'ü'  \nnext = 1")
    #expect(table.entry("é😀")?.keyPosition == SourcePosition(line: 1, column: 1))
    #expect(table["é😀"]?.position == SourcePosition(line: 1, column: 8))
    let error = try #require(Self.syntaxError("\"é😀\" = 'ü' x"))
    #expect(error.position == SourcePosition(line: 1, column: 12))
  }

  @Test func crlfBomAndDottedKeysAndArraysOfTables() throws {
    let text =
      "\u{FEFF}a.b.c = 1\r\n[[t]]\r\nx = 1\r\n[[t]]\r\nx = 2\r\n[t.sub]\r\ny = \"\"\"\r\nl1\r\nl2\"\"\"\r\n"
    let table = try TOML.parse(text)
    let a = try #require(table["a"])
    // The byte order mark is invisible in editors, so it takes no column.
    #expect(a.position == SourcePosition(line: 1, column: 1))
    #expect(Self.table(a).entry("b")?.keyPosition == SourcePosition(line: 1, column: 3))
    let t = try #require(table["t"])
    #expect(t.position == SourcePosition(line: 2, column: 1))
    guard case .array(let elements) = t.value else {
      Issue.record("t is not an array")
      return
    }
    #expect(
      elements.map(\.position) == [
        SourcePosition(line: 2, column: 1), SourcePosition(line: 4, column: 1),
      ])
    let second = Self.table(elements[1])
    #expect(second["x"]?.value == .integer(2))
    // CRLF inside a multi-line string becomes LF; the header table sits in the last element.
    #expect(Self.table(try #require(second["sub"]))["y"]?.value == .string("l1\nl2"))
  }

  @Test func implicitTableDefinedLaterTakesTheHeaderPosition() throws {
    let table = try TOML.parse("[a.b]\nx = 1\n[a]\ny = 2\n")
    #expect(table.entry("a")?.keyPosition == SourcePosition(line: 3, column: 2))
    #expect(table["a"]?.position == SourcePosition(line: 3, column: 1))
    #expect(Self.table(try #require(table["a"])).keys == ["b", "y"])
  }

  @Test(arguments: [
    ("0x_dead", "0xDEAD_beef", Int64(0xDEAD_BEEF)),
    ("min", "-9223372036854775808", Int64.min),
    ("max", "9_223_372_036_854_775_807", Int64.max),
    ("octal", "0o777", Int64(0o777)),
    ("binary", "0b1010", Int64(10)),
    ("signed zero", "-0", Int64(0)),
  ])
  func integers(_ name: String, _ text: String, _ expected: Int64) throws {
    #expect(try TOML.parseValue(text).value == .integer(expected), "\(name)")
  }

  @Test func scalarValues() throws {
    #expect(try TOML.parseValue("0.2").value == .float(0.2))
    #expect(try TOML.parseValue("-1_000.5e-3").value == .float(-1.0005))
    #expect(try TOML.parseValue("-inf").value == .float(-.infinity))
    guard case .float(let nan) = try TOML.parseValue("+nan").value else {
      Issue.record("nan is not a float")
      return
    }
    #expect(nan.isNaN)
    #expect(try TOML.parseValue("true").value == .bool(true))
    #expect(
      try TOML.parseValue(#""tab\there \u00E9 \U0001F600""#).value == .string("tab\there é 😀"))
    #expect(try TOML.parseValue(#"'C:\path'"#).value == .string(#"C:\path"#))
    #expect(try TOML.parseValue("\"\"\"\none \\\n   two\"\"\"").value == .string("one two"))
    #expect(try TOML.parseValue("'''a''b'''''").value == .string("a''b''"))
    #expect(try TOML.parseValue("1979-05-27 07:32:00z").value == .datetime("1979-05-27T07:32:00Z"))
    #expect(
      try TOML.parseValue("1979-05-27t07:32:00.5-07:00").value
        == .datetime("1979-05-27T07:32:00.5-07:00"))
    #expect(try TOML.parseValue("07:32:00").value == .datetime("07:32:00"))
    #expect(try TOML.parseValue("1979-05-27").value == .datetime("1979-05-27"))
  }

  @Test func parseValueTakesExactlyOneValue() throws {
    let array = try TOML.parseValue("  [1, [2, 3], { a = 'x' }, ]\t")
    #expect(array.position == SourcePosition(line: 1, column: 3))
    guard case .array(let elements) = array.value else {
      Issue.record("not an array")
      return
    }
    #expect(elements.count == 3)
    #expect(elements[2].position == SourcePosition(line: 1, column: 15))
    let table = try TOML.parseValue("{a=1, b.c = true}")
    #expect(
      TOMLTestSuite.tagged(table.value) == TOMLTestSuite.tagged(try TOML.parse("a=1\nb.c=true")))

    for text in ["", "  ", "1 2", "\"a\" # comment", "a = 1", "gpt-4o", "[1,", "{a=1,}", "1\n"] {
      #expect(throws: ConfigSyntaxError.self, "\(text.debugDescription) was accepted") {
        try TOML.parseValue(text)
      }
    }
    let unquoted = try #require(Self.valueError("gpt-4o"))
    #expect(unquoted.message == #"invalid value 'gpt-4o': strings must be quoted, as in "gpt-4o""#)
    #expect(unquoted.position == SourcePosition(line: 1, column: 1))
  }

  // MARK: - Errors

  @Test(arguments: [
    ("model \"gpt\"", "expected '=' after key 'model', found '\"'", 1, 7),
    ("a = 1\n\n# c\nmodel = 1\nmodel = 2", "duplicate key 'model' (first defined at 4:1)", 5, 1),
    (
      "s = \"bad \\q\"",
      "invalid escape '\\q' in string (valid: \\b \\t \\n \\f \\r \\\" \\\\ "
        + "\\uXXXX \\UXXXXXXXX)", 1, 10
    ),
    (
      "s = \"\\uD800\"", "invalid escape '\\uD800' in string: U+D800 is not a Unicode scalar value",
      1, 6
    ),
    (
      "s = \"open\nx = 1",
      "string starting at 1:5 is not closed before the end of the line "
        + "(use \"\"\" for a multi-line string)", 1, 10
    ),
    (
      "n = 9223372036854775808",
      "integer '9223372036854775808' does not fit in 64 bits "
        + "(-9223372036854775808 to 9223372036854775807)", 1, 5
    ),
    (
      "n = 0x8000000000000000",
      "integer '0x8000000000000000' does not fit in 64 bits "
        + "(-9223372036854775808 to 9223372036854775807)", 1, 5
    ),
    ("n = 012", "invalid number '012': leading zeros are not allowed", 1, 5),
    ("d = 2023-02-29", "invalid date-time '2023-02-29': day 29 is not between 01 and 28", 1, 5),
    ("[a]\nx = 1\n[a]", "table [a] is already defined at 1:1", 3, 2),
    (
      "a = {x = 1}\na.y = 2",
      "cannot add 'a.y' to inline table 'a' (defined at 1:1); an inline "
        + "table must be complete where it is written", 2, 1
    ),
    (
      "[a.b]\n[a]\nb.c = 1",
      "cannot add keys to table [a.b] (defined at 1:1) with dotted keys; "
        + "put them under its [a.b] header", 3, 1
    ),
    ("a = [1]\n[[a]]", "cannot use 'a' as a table: it is already an array (defined at 1:1)", 2, 3),
    (
      "t = {a = 1\n}",
      "inline table opened at 1:5 must be closed on the same line; "
        + "found end of line", 1, 11
    ),
    ("x = [1, 2", "array opened at 1:5 is not closed; expected ']'", 1, 10),
    ("a = 1 b = 2", "expected end of line after value, found 'b'", 1, 7),
    ("a = 1\r", "a carriage return (U+000D) must be followed by a line feed", 1, 6),
    ("# bell \u{07}\n", "control character U+0007 is not allowed in a comment", 1, 8),
    ("key: value", "expected '=' after key 'key', found ':'", 1, 4),
  ])
  func errorMessagesAndPositions(
    _ text: String, _ message: String, _ line: Int, _ column: Int
  ) throws {
    let error = try #require(Self.syntaxError(text), "\(text.debugDescription) was accepted")
    #expect(error.message == message)
    #expect(error.position == SourcePosition(line: line, column: column))
  }

  @Test func invalidUTF8IsAnErrorWithItsPosition() throws {
    let bytes: [UInt8] = Array("a = 1\nb = \"x".utf8) + [0xC3, 0x28] + Array("\"\n".utf8)
    do {
      _ = try TOML.parse(bytes: bytes)
      Issue.record("invalid UTF-8 was accepted")
    } catch let error as ConfigSyntaxError {
      #expect(error.message == "invalid UTF-8 (byte 0xC3); TOML text must be UTF-8")
      #expect(error.position == SourcePosition(line: 2, column: 7))
    }
    // Encoded surrogates and overlong forms are not UTF-8 either.
    for bad: [UInt8] in [
      [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
    ] {
      #expect(throws: ConfigSyntaxError.self) { try TOML.parse(bytes: Array("s = '".utf8) + bad) }
    }
  }

  // MARK: - Nesting limits

  @Test func nestingUpToTheLimitParses() throws {
    let depth = 256
    let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    _ = try TOML.parse("a = " + arrays)
    let tables = String(repeating: "{b=", count: depth) + "1" + String(repeating: "}", count: depth)
    _ = try TOML.parse("a = " + tables)
  }

  @Test func nestingPastTheLimitIsAnError() throws {
    let deepArray = "a = " + String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
    let error = try #require(Self.syntaxError(deepArray))
    #expect(error.message == "values are nested too deeply (more than 256 levels)")
    #expect(error.position == SourcePosition(line: 1, column: 261))
    let hostile = [
      "a = " + String(repeating: "[", count: 100_000),
      "a = " + String(repeating: "{a=", count: 100_000),
      "[" + Array(repeating: "a", count: 300).joined(separator: ".") + "]",
      Array(repeating: "a", count: 300).joined(separator: ".") + " = 1",
      "[x]\n" + Array(repeating: "a", count: 257).joined(separator: ".") + " = 1",
      "a = {" + Array(repeating: "a", count: 300).joined(separator: ".") + " = 1}",
    ]
    for text in hostile {
      let error = try #require(Self.syntaxError(text))
      #expect(error.message.contains("nested too deeply"), "\(error)")
    }
  }

  // MARK: - Rendering

  @Test func rendersKeys() {
    #expect(TOML.render(key: "model_provider") == "model_provider")
    #expect(TOML.render(key: "base-url2") == "base-url2")
    #expect(TOML.render(key: "a.b") == #""a.b""#)
    #expect(TOML.render(key: "") == #""""#)
    #expect(TOML.render(key: "é") == #""é""#)
    #expect(TOML.render(key: "say \"hi\"") == #""say \"hi\"""#)
  }

  @Test func rendersValues() throws {
    #expect(TOML.render(.string("a\"b\\c\nd\u{01}\u{7F}é")) == #""a\"b\\c\nd\u0001\u007Fé""#)
    #expect(TOML.render(.integer(-42)) == "-42")
    #expect(TOML.render(.float(0.2)) == "0.2")
    #expect(TOML.render(.float(3)) == "3.0")
    #expect(TOML.render(.float(1e300)) == "1e+300")
    #expect(TOML.render(.float(-.infinity)) == "-inf")
    #expect(TOML.render(.float(.nan)) == "nan")
    #expect(TOML.render(.bool(false)) == "false")
    #expect(TOML.render(.datetime("1979-05-27T07:32:00Z")) == "1979-05-27T07:32:00Z")
    let value = try TOML.parseValue(#"{ a = [1, "x"], "b c" = {}, d = { e = 0.5 } }"#).value
    #expect(TOML.render(value) == #"{ a = [1, "x"], "b c" = {}, d = { e = 0.5 } }"#)
  }

  /// Every valid toml-test document, rendered entry by entry as `key = inline value`, reads back
  /// to the same data: render covers every kind of value the parser produces.
  @Test(arguments: TOMLTestSuite.validCases)
  func renderRoundTrips(_ path: String) throws {
    let table = try TOML.parse(bytes: TOMLTestSuite.bytes(path))
    let rendered = table.entries.map {
      TOML.render(key: $0.key) + " = " + TOML.render($0.node.value)
    }
    .joined(separator: "\n")
    let reparsed = try TOML.parse(rendered)
    #expect(TOMLTestSuite.tagged(reparsed) == TOMLTestSuite.tagged(table), "\(rendered)")
    for entry in table.entries {
      let value = try TOML.parseValue(TOML.render(entry.node.value))
      #expect(TOMLTestSuite.tagged(value.value) == TOMLTestSuite.tagged(entry.node.value))
    }
  }

  // MARK: - Robustness

  /// Seeded random damage to the valid documents: every result must be a parse or a
  /// `ConfigSyntaxError`, never a crash, a hang or another error type.
  @Test func mutatedDocumentsParseOrFailCleanly() throws {
    let seeds = try TOMLTestSuite.validCases.map { try TOMLTestSuite.bytes($0) }
    let insertions: [[UInt8]] =
      [
        "[", "]", "\"", "'", "=", "\\", "\n", "\r\n", "\r", ".", ",", "{", "}", "#", "\"\"\"",
        "'''",
        "[[a]]\n", "a.b = 1\n", "\\u", "0x", "_", "e", ":", "T", "-", "+",
      ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0x00], [0xEF, 0xBB, 0xBF]]
    var random = SplitMix64(seed: 0x70_6D_6C)
    var parsed = 0
    var rejected = 0
    for _ in 0..<8000 {
      var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
      for _ in 0..<(1 + Int(random.next() % 3)) {
        let offset = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count + 1))
        switch random.next() % 4 {
        case 0 where offset < bytes.count: bytes[offset] = UInt8(truncatingIfNeeded: random.next())
        case 1: bytes.removeSubrange(offset...)
        case 2 where offset < bytes.count: bytes.remove(at: offset)
        default:
          let insertion = insertions[Int(random.next() % UInt64(insertions.count))]
          bytes.insert(contentsOf: insertion, at: offset)
        }
      }
      do {
        let table = try TOML.parse(bytes: bytes)
        parsed += 1
        // Whatever parses must also render to text that reads back the same.
        let rendered = table.entries.map {
          TOML.render(key: $0.key) + " = " + TOML.render($0.node.value)
        }.joined(separator: "\n")
        #expect(TOMLTestSuite.tagged(try TOML.parse(rendered)) == TOMLTestSuite.tagged(table))
      } catch is ConfigSyntaxError {
        rejected += 1
      }
    }
    // Both outcomes must occur, or the mutations are not exercising the parser.
    #expect(parsed > 100)
    #expect(rejected > 1000)
  }

  // MARK: - Helpers

  private static func table(_ node: ConfigNode) -> ConfigTable {
    if case .table(let table) = node.value { return table }
    Issue.record("expected a table, got \(node.value.typeName)")
    return ConfigTable()
  }

  private static func syntaxError(_ text: String) -> ConfigSyntaxError? {
    do {
      _ = try TOML.parse(text)
      return nil
    } catch {
      return error as? ConfigSyntaxError
    }
  }

  private static func valueError(_ text: String) -> ConfigSyntaxError? {
    do {
      _ = try TOML.parseValue(text)
      return nil
    } catch {
      return error as? ConfigSyntaxError
    }
  }
}

/// A small deterministic generator, so the fuzz test explores the same inputs on every run.
private struct SplitMix64 {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
