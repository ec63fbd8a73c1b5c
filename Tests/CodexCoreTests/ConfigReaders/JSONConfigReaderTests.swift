import Testing

@testable import CodexCore

@Suite struct JSONConfigReaderTests {
  @Test func readsTheOlderCLIExample() throws {
    let text = """
      {"model": "llama3", "providerType": "ollama", "providerUrl": "http://localhost:11434/api",
       "providers": {"ollama": {"name": "Ollama", "baseURL": "http://localhost:11434/v1",
       "envKey": "OLLAMA_API_KEY"}}, "approvalMode": "suggest"}
      """
    let table = try JSONConfigReader.parse(text)
    #expect(table.keys == ["model", "providerType", "providerUrl", "providers", "approvalMode"])
    let expected: JSON = [
      "model": "llama3", "providerType": "ollama", "providerUrl": "http://localhost:11434/api",
      "providers": [
        "ollama": [
          "name": "Ollama", "baseURL": "http://localhost:11434/v1", "envKey": "OLLAMA_API_KEY",
        ]
      ],
      "approvalMode": "suggest",
    ]
    #expect(plainJSON(table) == expected)
  }

  @Test func recordsKeyAndValuePositions() throws {
    let text = """
      {
        "model": "llama3",
        "providers": {
          "ollama": {"name": "Ollama", "envKey": null},
          "list": [1, 2.5, true]
        }
      }
      """
    let table = try JSONConfigReader.parse(text)
    let model = try #require(table.entry("model"))
    #expect(model.keyPosition == pos(2, 3))
    #expect(model.node.position == pos(2, 12))
    let providers = try #require(table.entry("providers"))
    #expect(providers.keyPosition == pos(3, 3))
    #expect(providers.node.position == pos(3, 16))
    guard case .table(let inner) = providers.node.value else {
      Issue.record("providers is not a table")
      return
    }
    let ollama = try #require(inner.entry("ollama"))
    #expect(ollama.keyPosition == pos(4, 5))
    #expect(ollama.node.position == pos(4, 15))
    guard case .table(let ollamaTable) = ollama.node.value else {
      Issue.record("ollama is not a table")
      return
    }
    #expect(ollamaTable.keys == ["name"])
    #expect(ollamaTable.entry("name")?.keyPosition == pos(4, 16))
    #expect(ollamaTable.entry("name")?.node.position == pos(4, 24))
    let list = try #require(inner.entry("list"))
    #expect(list.keyPosition == pos(5, 5))
    #expect(list.node.position == pos(5, 13))
    guard case .array(let items) = list.node.value else {
      Issue.record("list is not an array")
      return
    }
    #expect(items.map(\.position) == [pos(5, 14), pos(5, 17), pos(5, 22)])
    #expect(items.map(\.value) == [.integer(1), .float(2.5), .bool(true)])
    expectPositionsInside(text, table)
  }

  @Test func readsEveryType() throws {
    let text = #"""
      {"int": 42, "neg": -7, "zero": -0, "big": 9223372036854775807, "min": -9223372036854775808,
       "frac": 0.5, "exp": 1e3, "negexp": -2.5E-2, "whole": 3.0,
       "t": true, "f": false, "s": "a\"b\\c\/d\b\f\n\r\t", "u": "\u00e9\ud83d\ude00",
       "raw": "ünï 😀", "empty": "", "arr": [[], {}, [1, "x"]], "obj": {"nested": {"deep": 1}}}
      """#
    let table = try JSONConfigReader.parse(text)
    #expect(table["int"]?.value == .integer(42))
    #expect(table["neg"]?.value == .integer(-7))
    #expect(table["zero"]?.value == .integer(0))
    #expect(table["big"]?.value == .integer(.max))
    #expect(table["min"]?.value == .integer(.min))
    #expect(table["frac"]?.value == .float(0.5))
    #expect(table["exp"]?.value == .float(1000))
    #expect(table["negexp"]?.value == .float(-0.025))
    #expect(table["whole"]?.value == .float(3))
    #expect(table["t"]?.value == .bool(true))
    #expect(table["f"]?.value == .bool(false))
    #expect(table["s"]?.value == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"))
    #expect(table["u"]?.value == .string("é😀"))
    #expect(table["raw"]?.value == .string("ünï 😀"))
    #expect(table["empty"]?.value == .string(""))
    let expectedArray: JSON = [[], [:], [1, "x"]]
    #expect(plainJSON(table)["arr"] == expectedArray)
    #expect(plainJSON(table)["obj"] == ["nested": ["deep": 1]])
  }

  @Test func nullLeavesTheKeyOut() throws {
    let table = try JSONConfigReader.parse(#"{"a": null, "b": 1, "c": {"d": null}}"#)
    #expect(table.keys == ["b", "c"])
    #expect(plainJSON(table) == ["b": 1, "c": [:]])
    // An unset key still counts as written, so writing it twice is still a mistake.
    let error = syntaxError(#"{"a": null, "a": 1}"#, JSONConfigReader.parse)
    #expect(error?.message == #"duplicate key "a" (first defined at 1:2)"#)
  }

  @Test func emptyObjectAndWhitespaceAreFine() throws {
    #expect(try JSONConfigReader.parse("{}").entries.isEmpty)
    #expect(try JSONConfigReader.parse(" \r\n\t{ \n }\r\n").entries.isEmpty)
  }

  @Test func columnsCountCharactersNotBytes() throws {
    let table = try JSONConfigReader.parse(#"{"é😀": "ü", "b": 1}"#)
    #expect(table.entry("b")?.keyPosition == pos(1, 13))
    #expect(table.entry("b")?.node.position == pos(1, 18))
  }

  static let errors: [SyntaxErrorCase] = [
    .init(#"{"a": 1 "b": 2}"#, "expected ',' or '}' after value", 1, 9),
    .init(#"{"a": [1 2]}"#, "expected ',' or ']' after array element", 1, 10),
    .init(#"{"a": "abc"#, "unterminated string", 1, 7),
    .init(
      "{\"a\": \"abc\n\"}", "unterminated string (the line ends before the closing '\"')", 1, 7),
    .init(#"{"model": 1, "model": 2}"#, #"duplicate key "model" (first defined at 1:2)"#, 1, 14),
    .init(#"{"a": 1,}"#, "trailing comma before '}'; JSON does not allow one, remove it", 1, 8),
    .init("{\"a\": 1,\n\n}", "trailing comma before '}'; JSON does not allow one, remove it", 1, 8),
    .init(
      #"{"a": [1, 2,]}"#, "trailing comma before ']'; JSON does not allow one, remove it", 1, 12),
    .init("", "empty file: a JSON config must be an object, e.g. {\"model\": \"llama3\"}", 1, 1),
    .init(
      " \n  ", "empty file: a JSON config must be an object, e.g. {\"model\": \"llama3\"}", 2, 3),
    .init("[1]", "the top level of a JSON config must be an object { ... }, found an array", 1, 1),
    .init(
      #" "x""#, "the top level of a JSON config must be an object { ... }, found a string", 1, 2),
    .init("null", "the top level of a JSON config must be an object { ... }, found null", 1, 1),
    .init("12", "the top level of a JSON config must be an object { ... }, found a number", 1, 1),
    .init(#"{"a": 1} x"#, "unexpected 'x' after the top-level object", 1, 10),
    .init(#"{"a": 1}{}"#, "unexpected '{' after the top-level object", 1, 9),
    .init("{model: 1}", "keys must be in double quotes in JSON, e.g. \"model\"", 1, 2),
    .init("{'a': 1}", "keys must use double quotes in JSON", 1, 2),
    .init("{1: 1}", "expected a key in double quotes, found '1'", 1, 2),
    .init(#"{"a": 'x'}"#, "strings must use double quotes in JSON", 1, 7),
    .init(#"{"a" 1}"#, #"expected ':' after key "a""#, 1, 6),
    .init(#"{"a": True}"#, "unknown literal 'True'; JSON literals are lowercase: true", 1, 7),
    .init(#"{"a": yes}"#, "unexpected 'yes'; strings must be in double quotes", 1, 7),
    .init(#"{"a": }"#, "expected a value, found '}'", 1, 7),
    .init(#"{"a": +1}"#, "expected a value, found '+'", 1, 7),
    .init(#"{"a": 01}"#, "leading zeros are not allowed in JSON numbers", 1, 7),
    .init(#"{"a": 1.}"#, "expected a digit after '.' in number", 1, 9),
    .init(#"{"a": -}"#, "expected a digit after '-'", 1, 8),
    .init(#"{"a": 1e}"#, "expected a digit in the exponent of number", 1, 9),
    .init(
      #"{"a": 99999999999999999999}"#, "integer 99999999999999999999 does not fit in 64 bits",
      1, 7),
    .init(#"{"a": 1e999}"#, "number 1e999 is out of range", 1, 7),
    .init(#"{"a": "\x"}"#, #"invalid escape '\x' in string"#, 1, 8),
    .init(#"{"a": "\uZZZZ"}"#, #"invalid \u escape: expected 4 hex digits"#, 1, 8),
    .init(#"{"a": "\u12"}"#, #"invalid \u escape: expected 4 hex digits"#, 1, 8),
    .init(
      #"{"a": "\ud800"}"#, #"invalid \u escape: high surrogate without a low surrogate"#, 1, 8),
    .init(
      #"{"a": "\ud800\u0041"}"#, #"invalid \u escape: high surrogate without a low surrogate"#,
      1, 8),
    .init(#"{"a": "\udc00"}"#, #"invalid \u escape: lone low surrogate"#, 1, 8),
    .init("{\"a\": \"x\ty\"}", "control character U+0009 in string must be escaped", 1, 9),
    .init(
      #"{"a": [1, null]}"#, "null is not allowed inside an array in a config; remove the element",
      1, 11),
    .init(
      "{\"a\": 1 // note\n}",
      "comments are not allowed in JSON; remove them or use config.yaml or config.toml", 1, 9),
    .init(
      "/* c */ {}",
      "comments are not allowed in JSON; remove them or use config.yaml or config.toml", 1, 1),
    .init(#"{"a": 1"#, "unexpected end of file, expected ',' or '}' after value", 1, 8),
    .init(#"{"a": [1"#, "unexpected end of file, expected ',' or ']' after array element", 1, 9),
    .init(#"{"a":"#, "unexpected end of file, expected a value", 1, 6),
    .init(#"{"a""#, #"unexpected end of file, expected ':' after key "a""#, 1, 5),
    .init("{", "unexpected end of file, expected a key or '}'", 1, 2),
    .init(
      "{\n  \"a\": 1,\n  \"b\": [\n    x]}", "unexpected 'x'; strings must be in double quotes", 4,
      5),
  ]

  @Test(arguments: errors)
  func reportsMalformedInputWithItsPosition(_ c: SyntaxErrorCase) {
    let error = syntaxError(c.text, JSONConfigReader.parse)
    #expect(error?.message == c.message)
    #expect(error?.position == pos(c.line, c.column))
  }

  @Test func errorDescriptionIsLineColumnAndMessage() {
    let error = syntaxError("{\n  \"a\": 1,\n}", JSONConfigReader.parse)
    #expect(
      error?.description == "2:9: trailing comma before '}'; JSON does not allow one, remove it")
  }

  static func nested(objects depth: Int) -> String {
    String(repeating: #"{"a": "#, count: depth - 1) + "{}"
      + String(repeating: "}", count: depth - 1)
  }

  @Test func nestingIsCappedSoHostileInputCannotOverflowTheStack() throws {
    let deepest = try JSONConfigReader.parse(Self.nested(objects: JSONConfigReader.maxDepth))
    #expect(deepest.keys == ["a"])
    let tooDeep = syntaxError(
      Self.nested(objects: JSONConfigReader.maxDepth + 1), JSONConfigReader.parse)
    #expect(tooDeep?.message == "nesting deeper than 256 levels")
    #expect(tooDeep?.position == pos(1, 1 + 6 * JSONConfigReader.maxDepth))
    let arrays = #"{"a": "# + String(repeating: "[", count: 100_000)
    #expect(
      syntaxError(arrays, JSONConfigReader.parse)?.message == "nesting deeper than 256 levels")
  }

  @Test func bytesMustBeUTF8() throws {
    let valid = Array(#"{"name": "é"}"#.utf8)
    #expect(try JSONConfigReader.parse(valid)["name"]?.value == .string("é"))
    var invalid = Array("{\n  \"name\": \"".utf8)
    invalid += [0xC3, 0x28]  // a lead byte followed by an ASCII byte
    invalid += Array("\"}".utf8)
    let error = syntaxError(
      "", { _ throws(ConfigSyntaxError) in try JSONConfigReader.parse(invalid) })
    #expect(error?.message == "the file is not valid UTF-8; save it with UTF-8 encoding")
    #expect(error?.position == pos(2, 12))
  }

  @Test func byteOrderMarkIsIgnored() throws {
    let table = try JSONConfigReader.parse("\u{FEFF}{\"a\": 1}")
    #expect(table.entry("a")?.keyPosition == pos(1, 2))
    let fromBytes = try JSONConfigReader.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8))
    #expect(fromBytes == table)
  }
}
