import Testing

@testable import CodexCore

@Suite struct JSONRPCMessageTests {
  @Test func readsEachKind() throws {
    #expect(
      try JSONRPCMessage.parse(Array(#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#.utf8))
        == .request(id: .int(7), method: "ping", params: nil))
    #expect(
      try JSONRPCMessage.parse(Array(#"{"jsonrpc":"2.0","id":"a","result":{}}"#.utf8))
        == .result(id: .string("a"), result: .object([:])))
    #expect(
      try JSONRPCMessage.parse(Array(#"{"jsonrpc":"2.0","method":"n","params":{"x":1}}"#.utf8))
        == .notification(method: "n", params: ["x": 1]))
    #expect(
      try JSONRPCMessage.parse(
        Array(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}}"#.utf8))
        == .error(id: nil, JSONRPCErrorObject(code: -32700, message: "bad")))
  }

  @Test(arguments: [
    ("[]", "a JSON-RPC batch"),
    (#"{"jsonrpc":"1.0","id":1,"result":{}}"#, "not JSON-RPC 2.0"),
    (#"{"jsonrpc":"2.0","id":{},"method":"x"}"#, "request id must be a number or a string"),
    (#"{"jsonrpc":"2.0","id":1}"#, "neither a method"),
    (#"{"jsonrpc":"2.0","method":3}"#, "\"method\" must be a string"),
    (#"{"jsonrpc":"2.0","id":1,"error":"x"}"#, "\"error\" must be an object"),
    (#"{"jsonrpc":"2.0","method":"m","params":5}"#, "\"params\" must be"),
    ("{\"jsonrpc\":\"2.0\"\u{1b}", "invalid JSON"),
  ])
  func refusesWhatIsNotAMessage(_ text: String, _ why: String) {
    #expect {
      _ = try JSONRPCMessage.parse(Array(text.utf8))
    } throws: { error in
      "\(error)".contains(why) && !"\(error)".contains("\u{1b}")
    }
  }

  @Test func aMissingVersionIsForgiven() throws {
    // The Python SDK v2 drops "jsonrpc" from some notifications.
    #expect(
      try JSONRPCMessage.parse(Array(#"{"method":"notifications/progress","params":{}}"#.utf8))
        == .notification(method: "notifications/progress", params: .object([:])))
  }

  @Test func aMessageIsOneLineWhateverItCarries() throws {
    let m = JSONRPCMessage.request(id: .int(1), method: "m", params: ["t": "a\nb\r\u{2028}c"])
    let line = m.serializedLine()
    #expect(line.last == 0x0A)
    #expect(!line.dropLast().contains(0x0A))
    #expect(try JSONRPCMessage.parse(line.dropLast()) == m)
  }
}

@Suite struct MCPToolNamesTests {
  @Test func namesAreServerDoubleUnderscoreTool() {
    let a = MCPToolNames.assign([("time", "get_current_time"), ("git", "git_status")])
    #expect(a.map(\.name) == ["time__get_current_time", "git__git_status"])
  }

  @Test func charactersOutsideTheSetBecomeUnderscores() {
    let a = MCPToolNames.assign([("srv", "files.read/all é")])
    #expect(a[0].name == "srv__files_read_all__")
    #expect(a[0].tool == "files.read/all é")
  }

  @Test func collisionsAndLongNamesGetAStableHash() {
    let a = MCPToolNames.assign([
      ("s", "a.b"), ("s", "a_b"), ("s", String(repeating: "x", count: 100)),
    ])
    #expect(a[0].name == "s__a_b")
    #expect(a[1].name.hasPrefix("s__a_b_"))
    #expect(a[1].name.count == "s__a_b_".count + 12)
    #expect(a[2].name.count == 64)
    #expect(a.allSatisfy { $0.name.utf8.allSatisfy(MCPToolNames.isAllowed) })
    #expect(MCPToolNames.assign([("s", "a.b"), ("s", "a_b")]) == Array(a.prefix(2)))
    #expect(Set(a.map(\.name)).count == 3)
  }

  @Test func reservedNamesAreNeverGiven() {
    let a = MCPToolNames.assign([("x", "y")], taken: ["x__y"])
    #expect(a[0].name != "x__y")
  }

  @Test func sha1MatchesKnownDigests() {
    #expect(SHA1.hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    #expect(SHA1.hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
    #expect(
      SHA1.hex(String(repeating: "a", count: 1000)) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
  }
}

@Suite struct JSONSchemaCleanerTests {
  let schema: JSON = [
    "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
    "properties": [
      "path": ["$ref": "#/$defs/Path", "description": "where"],
      "any": true,
      "mode": ["type": ["string", "null"], "enum": ["a", "b"]],
      "odd": ["type": 5],
    ],
    "required": ["path", 3],
    "$defs": ["Path": ["type": "string", "minLength": 1]],
    "anyOf": [["required": ["path"]]],
  ]

  @Test func openAIWiresKeepRefsButGetAnObjectRoot() {
    for wire in [WireAPI.chat, .responses] {
      let c = JSONSchemaCleaner.clean(schema, for: wire)
      #expect(c["$schema"] == nil)
      #expect(c["anyOf"] == nil)
      #expect(c["type"] == "object")
      #expect(c["properties"]?["path"]?["$ref"] == "#/$defs/Path")
      #expect(c["$defs"]?["Path"]?["type"] == "string")
      #expect(c["properties"]?["any"] == .object([:]))
      #expect(c["properties"]?["mode"]?["type"] == ["string", "null"])
      #expect(c["properties"]?["odd"] == .object([:]))
      #expect(c["required"] == ["path"])
    }
  }

  @Test func otherWiresGetRefsInlined() {
    for wire in [WireAPI.ollama, .tgi] {
      let c = JSONSchemaCleaner.clean(schema, for: wire)
      #expect(c["$defs"] == nil)
      #expect(
        c["properties"]?["path"] == ["type": "string", "minLength": 1, "description": "where"])
    }
  }

  @Test func cyclesAndDanglingRefsEndAsEmptySchemas() {
    let s: JSON = [
      "type": "object",
      "properties": ["node": ["$ref": "#/$defs/Node"], "gone": ["$ref": "#/$defs/Nope"]],
      "$defs": ["Node": ["type": "object", "properties": ["next": ["$ref": "#/$defs/Node"]]]],
    ]
    let c = JSONSchemaCleaner.clean(s, for: .ollama)
    #expect(c["properties"]?["node"]?["properties"]?["next"] == .object([:]))
    #expect(c["properties"]?["gone"] == .object([:]))
  }

  @Test func aSchemaThatIsNotAnObjectBecomesAnEmptyObjectSchema() {
    for bad: JSON in [.null, "x", ["type": "array", "items": ["type": "string"]]] {
      let c = JSONSchemaCleaner.clean(bad, for: .chat)
      #expect(c["type"] == "object")
      #expect(c["properties"] == .object([:]))
    }
  }

  @Test func referencesThatFanOutDoNotExplode() {
    var defs = JSONObject()
    for i in 0..<40 {
      defs["D\(i)"] = [
        "type": "object",
        "properties": [
          "a": ["$ref": .string("#/$defs/D\(i + 1)")], "b": ["$ref": .string("#/$defs/D\(i + 1)")],
        ],
      ]
    }
    let s: JSON = [
      "type": "object", "properties": ["x": ["$ref": "#/$defs/D0"]], "$defs": .object(defs),
    ]
    let c = JSONSchemaCleaner.clean(s, for: .ollama)
    #expect(c.serialized().utf8.count < 2_000_000)
  }

  @Test func deepNestingIsCut() {
    var s: JSON = ["type": "string"]
    for _ in 0..<500 { s = ["type": "object", "properties": ["x": s]] }
    let c = JSONSchemaCleaner.clean(s, for: .ollama)
    #expect(c["type"] == "object")
  }
}

@Suite struct MCPApprovalTests {
  typealias Row = (ApprovalPolicy, Bool, MCPApprovalSetting?, Bool, String)

  @Test(
    arguments: [
      (.untrusted, true, nil, false, "ask"), (.untrusted, false, nil, false, "ask"),
      (.onRequest, true, nil, false, "run"), (.onRequest, false, nil, false, "ask"),
      (.onFailure, true, nil, false, "run"), (.onFailure, false, nil, false, "ask"),
      (.never, false, nil, false, "run"), (.never, true, nil, false, "run"),
      (.untrusted, false, .always, false, "run"), (.onRequest, false, .always, false, "run"),
      (.onRequest, true, .ask, false, "ask"), (.untrusted, true, .ask, true, "ask"),
      (.never, true, .ask, false, "reject"), (.untrusted, false, nil, true, "run"),
      (.onRequest, false, nil, true, "run"),
    ] as [Row])
  func decisions(_ row: Row) {
    let d = assessMCPToolCall(
      policy: row.0, readOnlyHint: row.1, setting: row.2, approvedForSession: row.3)
    switch (d, row.4) {
    case (.run, "run"), (.ask, "ask"), (.reject, "reject"): break
    default: Issue.record("\(row): got \(d)")
    }
  }
}

@Suite struct MCPToolOutputTests {
  @Test func everyKindOfContentIsDescribed() {
    let r = MCPClient.CallResult(
      content: [
        ["type": "text", "text": "plain"],
        ["type": "image", "data": "aGVsbG8gd29ybGQ=", "mimeType": "image/png"],
        ["type": "resource_link", "uri": "file:///x", "name": "x", "mimeType": "text/plain"],
        ["type": "resource", "resource": ["uri": "file:///y", "text": "inside"]],
        ["type": "resource", "resource": ["uri": "file:///z", "blob": "AAECAw=="]],
        ["type": "mystery", "n": 1],
      ], structuredContent: nil, isError: false)
    let text = MCPToolOutput.modelText(r)
    #expect(
      text == """
        plain
        [image: image/png, 11 bytes; not shown: this connection to the model carries text only]
        [resource link: x <file:///x> (text/plain)]
        [resource <file:///y>]
        inside
        [resource <file:///z>: binary data, 4 bytes]
        {"type":"mystery","n":1}
        """)
  }

  @Test func errorsAreMarkedAndStructuredContentStandsInForNoContent() {
    let e = MCPClient.CallResult(
      content: [["type": "text", "text": "bad"]], structuredContent: nil, isError: true)
    #expect(MCPToolOutput.modelText(e) == "The tool reported an error:\nbad")
    let s = MCPClient.CallResult(content: [], structuredContent: ["a": 1], isError: false)
    #expect(MCPToolOutput.modelText(s) == #"{"a":1}"#)
  }

  @Test func longOutputIsTruncatedLikeShellOutput() {
    let big = String(repeating: "line\n", count: 10_000)
    let r = MCPClient.CallResult(
      content: [["type": "text", "text": .string(big)]], structuredContent: nil, isError: false)
    let text = MCPToolOutput.modelText(r)
    #expect(text.utf8.count < 12 * 1024)
    #expect(text.contains("truncated"))
  }
}
