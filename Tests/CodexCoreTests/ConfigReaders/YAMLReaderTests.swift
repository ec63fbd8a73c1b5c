import Testing

@testable import CodexCore

@Suite struct YAMLReaderTests {
  static let olderCLIExample = """
    model: llama3
    providerType: ollama
    providerUrl: http://localhost:11434/api
    providers:
      ollama:
        name: Ollama
        baseURL: http://localhost:11434/v1
        envKey: OLLAMA_API_KEY
    approvalMode: suggest
    """

  @Test func readsTheOlderCLIExample() throws {
    let table = try YAMLReader.parse(Self.olderCLIExample)
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

  @Test func readsSeveralNestedProviders() throws {
    let text = """
      # ~/.codex/config.yaml
      ---
      model: qwen2.5-coder:32b
      provider: vllm
      providers:
        vllm:
          name: "vLLM on the GPU box"
          baseURL: 'http://10.0.0.5:8000/v1'
          envKey: ~            # keyless local server

        deepseek:
            name: DeepSeek
            baseURL: https://api.deepseek.com/v1
            envKey: DEEPSEEK_API_KEY
            headers: {X-Team: tools, X-Trace: "1"}
      approvalMode: auto-edit
      """
    let table = try YAMLReader.parse(text)
    let expected: JSON = [
      "model": "qwen2.5-coder:32b", "provider": "vllm",
      "providers": [
        "vllm": ["name": "vLLM on the GPU box", "baseURL": "http://10.0.0.5:8000/v1"],
        "deepseek": [
          "name": "DeepSeek", "baseURL": "https://api.deepseek.com/v1",
          "envKey": "DEEPSEEK_API_KEY", "headers": ["X-Team": "tools", "X-Trace": "1"],
        ],
      ],
      "approvalMode": "auto-edit",
    ]
    #expect(plainJSON(table) == expected)
    expectPositionsInside(text, table)
  }

  @Test func recordsKeyAndValuePositions() throws {
    let text = """
      model: llama3   # the default
      providers:
        ollama:
          name: "Ollama"
          models:
          - a
          -   b: 1
              c: [x, 'y']
      text: |
        hello
      """
    let table = try YAMLReader.parse(text)
    #expect(table.entry("model")?.keyPosition == pos(1, 1))
    #expect(table.entry("model")?.node.position == pos(1, 8))
    #expect(table.entry("providers")?.keyPosition == pos(2, 1))
    #expect(table.entry("providers")?.node.position == pos(3, 3))
    #expect(table.entry("text")?.keyPosition == pos(9, 1))
    #expect(table.entry("text")?.node.position == pos(9, 7))
    #expect(table.entry("text")?.node.value == .string("hello\n"))

    guard case .table(let providers) = table["providers"]?.value,
      case .table(let ollama) = providers["ollama"]?.value
    else {
      Issue.record("providers.ollama is not a table")
      return
    }
    #expect(providers.entry("ollama")?.keyPosition == pos(3, 3))
    #expect(providers.entry("ollama")?.node.position == pos(4, 5))
    #expect(ollama.entry("name")?.keyPosition == pos(4, 5))
    #expect(ollama.entry("name")?.node.position == pos(4, 11))
    let models = try #require(ollama.entry("models"))
    #expect(models.keyPosition == pos(5, 5))
    #expect(models.node.position == pos(6, 5))
    guard case .array(let items) = models.node.value, items.count == 2,
      case .table(let second) = items[1].value
    else {
      Issue.record("models is not [a, {b, c}]")
      return
    }
    #expect(items[0] == ConfigNode(.string("a"), at: pos(6, 7)))
    #expect(items[1].position == pos(7, 9))
    #expect(second.entry("b")?.keyPosition == pos(7, 9))
    #expect(second.entry("b")?.node == ConfigNode(.integer(1), at: pos(7, 12)))
    #expect(second.entry("c")?.keyPosition == pos(8, 9))
    #expect(second.entry("c")?.node.position == pos(8, 12))
    guard case .array(let flow) = second["c"]?.value else {
      Issue.record("c is not an array")
      return
    }
    #expect(
      flow == [ConfigNode(.string("x"), at: pos(8, 13)), ConfigNode(.string("y"), at: pos(8, 16))])
    expectPositionsInside(text, table)
  }

  @Test(arguments: [
    ("true", ConfigValue.bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
    ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
    ("42", .integer(42)), ("-17", .integer(-17)), ("+7", .integer(7)), ("007", .integer(7)),
    ("0", .integer(0)), ("0x1F", .integer(31)), ("0xff", .integer(255)), ("0o17", .integer(15)),
    ("9223372036854775807", .integer(.max)), ("-9223372036854775808", .integer(.min)),
    ("1.5", .float(1.5)), ("-0.25", .float(-0.25)), ("1e3", .float(1000)),
    ("2.5E-3", .float(0.0025)),
    (".5", .float(0.5)), ("+.5", .float(0.5)), ("1.", .float(1)), ("3.0", .float(3)),
    (".inf", .float(.infinity)), ("+.Inf", .float(.infinity)), ("-.INF", .float(-.infinity)),
    // YAML 1.1 booleans and other look-alikes stay strings, as in YAML 1.2.
    ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")), ("off", .string("off")),
    ("1_000", .string("1_000")), ("1.2.3", .string("1.2.3")), ("0x", .string("0x")),
    ("0o8", .string("0o8")), ("0xG", .string("0xG")), ("12abc", .string("12abc")),
    ("e3", .string("e3")),
    ("1e", .string("1e")), ("inf", .string("inf")), ("nan", .string("nan")),
    ("trueish", .string("trueish")), ("a b  c", .string("a b  c")), ("a#b", .string("a#b")),
    ("http://x:80/y", .string("http://x:80/y")), ("key:value", .string("key:value")),
    ("-x", .string("-x")), ("?x", .string("?x")), (":x", .string(":x")),
    ("ünï 😀", .string("ünï 😀")),
    ("'true'", .string("true")), ("\"42\"", .string("42")), ("'it''s'", .string("it's")),
    ("''", .string("")), ("\"\"", .string("")), ("' a # b '", .string(" a # b ")),
    (
      #""\"q\" \\ \/ \t\n\r\0\a\b\e\f\v\ \_\N\L\P""#,
      .string("\"q\" \\ / \t\n\r\u{0}\u{7}\u{8}\u{1B}\u{C}\u{B} \u{A0}\u{85}\u{2028}\u{2029}")
    ),
    (#""\x41\u00e9\U0001F600\ud83d\ude00""#, .string("Aé😀😀")),
    ("\"a\\\tb\"", .string("a\tb")),  // backslash and a real tab
  ])
  func typesScalarsByTheCoreSchema(_ source: String, _ expected: ConfigValue) throws {
    let table = try YAMLReader.parse("key: \(source)  # comment\n")
    #expect(table["key"]?.value == expected)
    let inSequence = try YAMLReader.parse("key:\n  - \(source)\n")
    #expect(inSequence["key"]?.value == .array([ConfigNode(expected, at: pos(2, 5))]))
    let inFlow = try YAMLReader.parse("key: [\(source)]")
    #expect(inFlow["key"]?.value == .array([ConfigNode(expected, at: pos(1, 7))]))
  }

  @Test func notANumber() throws {
    for spelling in [".nan", ".NaN", ".NAN"] {
      guard case .float(let value) = try YAMLReader.parse("a: \(spelling)")["a"]?.value else {
        Issue.record("\(spelling) is not a float")
        continue
      }
      #expect(value.isNaN)
    }
  }

  @Test(arguments: ["~", "null", "Null", "NULL", "", "   # only a comment"])
  func nullLeavesTheKeyOut(_ source: String) throws {
    let table = try YAMLReader.parse("a: \(source)\nb: 1\nc:\n  d: \(source)\n  e: 2\n")
    #expect(plainJSON(table) == ["b": 1, "c": ["e": 2]])
    if !source.contains("#") {
      let flow = try YAMLReader.parse("c: {d: \(source), e: 2}")
      #expect(plainJSON(flow) == ["c": ["e": 2]])
    }
  }

  @Test func keyWithNothingUnderItIsNull() throws {
    let table = try YAMLReader.parse("a:\n# comment\n\nb: 1\nc:\n")
    #expect(plainJSON(table) == ["b": 1])
  }

  @Test func quotedAndOddKeys() throws {
    let text = """
      "x y": 1
      'it''s': 2
      http://host: 3
      1: 4
      true: 5
      a b : 6
      "q": 7
      """
    let table = try YAMLReader.parse(text)
    #expect(table.keys == ["x y", "it's", "http://host", "1", "true", "a b", "q"])
    #expect(table.entry("it's")?.keyPosition == pos(2, 1))
    #expect(table.entry("a b")?.node.position == pos(6, 7))
  }

  @Test func blockSequences() throws {
    let text = """
      compact:
      - 1
      - two
      indented:
          - x
          -
            y
      ofMappings:
        - name: one
          value: 1
        -
          name: two
      nested:
        - - a
          - b
        - [c]
      after: end
      """
    let table = try YAMLReader.parse(text)
    let expected: JSON = [
      "compact": [1, "two"], "indented": ["x", "y"],
      "ofMappings": [["name": "one", "value": 1], ["name": "two"]],
      "nested": [["a", "b"], ["c"]], "after": "end",
    ]
    #expect(plainJSON(table) == expected)
    #expect(table.entry("ofMappings")?.node.position == pos(9, 3))
    expectPositionsInside(text, table)
  }

  @Test func flowCollections() throws {
    let text = """
      list: [a, "b, c", 'd', 1, 2.5, true, [x, [y]], {k: v}]
      map: {a: 1, "b": [2, 3], c: {d: e}, 'f': "g"}
      json: {"model":"llama3","n":[1,2]}
      empty: {e1: [], e2: {}, e3: [ ], e4: { }}
      trailing: [a, b, ]
      spaced: [ a b , c:d ]   # comment
      """
    let table = try YAMLReader.parse(text)
    let expected: JSON = [
      "list": ["a", "b, c", "d", 1, 2.5, true, ["x", ["y"]], ["k": "v"]],
      "map": ["a": 1, "b": [2, 3], "c": ["d": "e"], "f": "g"],
      "json": ["model": "llama3", "n": [1, 2]],
      "empty": ["e1": [], "e2": [:], "e3": [], "e4": [:]],
      "trailing": ["a", "b"], "spaced": ["a b", "c:d"],
    ]
    #expect(plainJSON(table) == expected)
    guard case .table(let map) = table["map"]?.value else {
      Issue.record("map is not a table")
      return
    }
    #expect(table.entry("map")?.node.position == pos(2, 6))
    #expect(map.entry("b")?.keyPosition == pos(2, 13))
    #expect(map.entry("b")?.node.position == pos(2, 18))
    expectPositionsInside(text, table)
  }

  @Test func flowMappingAtTheTopLevel() throws {
    let table = try YAMLReader.parse(
      #"{"model": "llama3", "approvalMode": "suggest"}  # JSON is YAML"#)
    #expect(plainJSON(table) == ["model": "llama3", "approvalMode": "suggest"])
  }

  @Test func blockScalars() throws {
    let text = """
      literal: |
        line one
          indented
        line three

      strip: |-
        a
        b

      keep: |+
        k


      folded: >
        one
        two

        three
           more
        four
      foldedStrip: >- # comment
        x
        y
      explicit: |2
         three spaces
        two
      leading: |

        after blank
      empty: |
      inSeq:
        - |
          item
        - >-
          folded
          item
      last: x
      """
    let table = try YAMLReader.parse(text)
    #expect(table["literal"]?.value == .string("line one\n  indented\nline three\n"))
    #expect(table["strip"]?.value == .string("a\nb"))
    #expect(table["keep"]?.value == .string("k\n\n\n"))
    #expect(table["folded"]?.value == .string("one two\nthree\n   more\nfour\n"))
    #expect(table["foldedStrip"]?.value == .string("x y"))
    #expect(table["explicit"]?.value == .string(" three spaces\ntwo\n"))
    #expect(table["leading"]?.value == .string("\nafter blank\n"))
    #expect(table["empty"]?.value == .string(""))
    #expect(plainJSON(table)["inSeq"] == ["item\n", "folded item"])
    #expect(table["last"]?.value == .string("x"))
    #expect(table.entry("literal")?.node.position == pos(1, 10))
    expectPositionsInside(text, table)
  }

  @Test func blockScalarAtTheEndOfTheFile() throws {
    #expect(try YAMLReader.parse("a: |\n  x")["a"]?.value == .string("x\n"))
    #expect(try YAMLReader.parse("a: |+\n  x\n\n")["a"]?.value == .string("x\n\n"))
    #expect(try YAMLReader.parse("a: >-\n  x\n  y\n")["a"]?.value == .string("x y"))
  }

  @Test func commentsAndBlankLines() throws {
    let text = """
      # leading comment

      a: 1 # after a value
         # indented comment
      b:   # comment after a key
        # comment inside
        c: "x # not a comment"
      #d: 4
      e: 'y' #z
      f: g#h
      """
    let table = try YAMLReader.parse(text)
    #expect(plainJSON(table) == ["a": 1, "b": ["c": "x # not a comment"], "e": "y", "f": "g#h"])
  }

  @Test func documentMarkers() throws {
    let ended = try YAMLReader.parse("---\na: 1\n...\n# trailing comment\n\n")
    #expect(ended.entry("a")?.node == ConfigNode(.integer(1), at: pos(2, 4)))
    #expect(try YAMLReader.parse("--- # comment\na: 1")["a"]?.value == .integer(1))
    #expect(try YAMLReader.parse("---\n").entries.isEmpty)
    #expect(try YAMLReader.parse("a: '---'\nb: --- x")["b"]?.value == .string("--- x"))
  }

  @Test(arguments: ["", "\n\n", "# only comments\n  # here\n", "---\n# nothing\n...\n"])
  func emptyDocumentIsAnEmptyTable(_ text: String) throws {
    #expect(try YAMLReader.parse(text).entries.isEmpty)
  }

  @Test func topLevelMayBeIndented() throws {
    let table = try YAMLReader.parse("  a: 1\n  b:\n    - x\n  c: 2\n")
    #expect(plainJSON(table) == ["a": 1, "b": ["x"], "c": 2])
    #expect(table.entry("c")?.keyPosition == pos(4, 3))
  }

  @Test func lineEndingsTabsAndByteOrderMark() throws {
    let table = try YAMLReader.parse("\u{FEFF}a: 1\r\nb:\r\n  c:\tx\r\n  d: |\r\n    t\r\n")
    #expect(plainJSON(table) == ["a": 1, "b": ["c": "x", "d": "t\n"]])
    #expect(table.entry("a")?.keyPosition == pos(1, 1))
    let fromBytes = try YAMLReader.parse([0xEF, 0xBB, 0xBF] + Array("a: 1\r\n".utf8))
    #expect(plainJSON(fromBytes) == ["a": 1])
  }

  @Test func columnsCountCharactersNotBytes() throws {
    let table = try YAMLReader.parse("é😀: ü\nb: {ü: 😀, c: d}")
    #expect(table.entry("é😀")?.node.position == pos(1, 5))
    guard case .table(let b) = table["b"]?.value else {
      Issue.record("b is not a table")
      return
    }
    #expect(b.entry("c")?.keyPosition == pos(2, 11))
  }

  @Test func bytesMustBeUTF8() throws {
    #expect(try YAMLReader.parse(Array("a: é".utf8))["a"]?.value == .string("é"))
    let invalid = Array("a: 1\nb: x".utf8) + [0xFF] + Array("\n".utf8)
    let error = syntaxError("", { _ throws(ConfigSyntaxError) in try YAMLReader.parse(invalid) })
    #expect(error?.message == "the file is not valid UTF-8; save it with UTF-8 encoding")
    #expect(error?.position == pos(2, 5))
  }

  @Test func nestingIsCappedSoHostileInputCannotOverflowTheStack() throws {
    let limit = YAMLReader.maxDepth
    // The top-level mapping is level 1, so `limit - 1` brackets reach the cap exactly.
    let deepest =
      "a: " + String(repeating: "[", count: limit - 1) + String(repeating: "]", count: limit - 1)
    #expect(try YAMLReader.parse(deepest).keys == ["a"])
    for text in [
      "a: " + String(repeating: "[", count: limit) + String(repeating: "]", count: limit),
      "a: " + String(repeating: "[", count: 100_000),
      "a:\n" + String(repeating: "- ", count: 100_000) + "x",
      "a:\n"
        + (0..<300).map { String(repeating: " ", count: $0 + 1) + "k:" }.joined(separator: "\n"),
    ] {
      #expect(syntaxError(text, YAMLReader.parse)?.message == "nesting deeper than 256 levels")
    }
  }
}
