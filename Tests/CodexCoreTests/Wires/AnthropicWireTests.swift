import Testing

@testable import CodexCore

@Suite struct AnthropicDecoderTests {
  let wire = AnthropicWire()

  static let thinkingBlock: JSON = [
    "type": "thinking", "thinking": "The user wants the files listed and the date – naïve ☀️.",
    "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds/w+JtHfo9m2CBrZ==",
  ]

  @Test func thinkingTextAndTwoCallsDecodeEveryWay() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/anthropic-thinking-tools.sse"))
    let (text, reasoning) = joinedText(events)
    #expect(text == "I'll check both — 日本.")
    #expect(reasoning == "The user wants the files listed and the date – naïve ☀️.")
    let tail = events.filter {
      if case .textDelta = $0 { return false }
      if case .reasoningDelta = $0 { return false }
      return true
    }
    #expect(
      tail == [
        .toolCall(
          ToolCall(
            id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "shell",
            arguments: #"{"command": ["bash", "-lc", "ls"]}"#)),
        .toolCall(
          ToolCall(id: "toolu_01B2y2", name: "shell", arguments: #"{"command": ["date"]}"#)),
        // Input counts every prompt token: uncached + written to the cache + read from it.
        .usage(TokenUsage(inputTokens: 4225, outputTokens: 89, cachedInputTokens: 3000)),
        .wireState(WireState(wire: .anthropic, data: ["thinking_blocks": [Self.thinkingBlock]])),
        .finished(.toolCalls),
      ])
  }

  @Test func redactedThinkingEmptyInputAndMaxTokens() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/anthropic-redacted-max-tokens.sse"))
    #expect(
      events == [
        .toolCall(ToolCall(id: "toolu_empty", name: "update_plan", arguments: "{}")),
        .textDelta("Cut"), .textDelta(" short"),
        .usage(TokenUsage(inputTokens: 10, outputTokens: 4096)),
        .wireState(
          WireState(
            wire: .anthropic,
            data: [
              "thinking_blocks": [
                [
                  "type": "redacted_thinking",
                  "data":
                    "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pd8PoJk8=",
                ]
              ]
            ])),
        // A call was made: the turn goes on with its result, whatever the stop reason.
        .finished(.toolCalls),
      ])
  }

  @Test func recordedLlamaCppToolCall() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/llama-anthropic-tool-call.sse"))
    #expect(
      events == [
        .toolCall(
          ToolCall(
            id: "lYTJyXM1AprruhGwgrZdnBH5xSe0jP0M", name: "shell",
            arguments: #"{"command": ["ls", "dir"]}"#)),
        .usage(TokenUsage(inputTokens: 440, outputTokens: 37)), .finished(.toolCalls),
      ])
  }

  @Test func recordedLlamaCppTextWithACacheRead() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/llama-anthropic-text.sse"))
    #expect(
      joinedText(events).text
        == String(repeating: "Say hello in English. mendatanguser\n", count: 3))
    #expect(
      events.suffix(2) == [
        .usage(TokenUsage(inputTokens: 27, outputTokens: 24, cachedInputTokens: 1)),
        .finished(.length),
      ])
  }

  static func sse(_ payloads: [String]) -> [UInt8] {
    Array(payloads.map { "data: \($0)\n\n" }.joined().utf8)
  }

  static let start =
    #"{"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}"#

  @Test(arguments: [
    ("end_turn", FinishReason.stop), ("stop_sequence", .stop), ("max_tokens", .length),
    ("model_context_window_exceeded", .length), ("refusal", .contentFilter),
    ("pause_turn", .other("pause_turn")),
  ])
  func stopReasons(_ reason: String, _ expected: FinishReason) throws {
    let events = try decodeStream(
      wire,
      [
        Self.sse([
          Self.start,
          #"{"type":"message_delta","delta":{"stop_reason":"\#(reason)"},"usage":{"output_tokens":2}}"#,
          #"{"type":"message_stop"}"#,
        ])
      ])
    #expect(events.last == .finished(expected))
  }

  @Test func overloadedInTheStreamIsTransientAndOtherErrorsKeepTheirMessage() {
    let overloaded = Self.sse([
      Self.start, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    ])
    #expect(throws: WireError.transient("Overloaded")) { try decodeStream(wire, [overloaded]) }
    let api = Self.sse([#"{"type":"error","error":{"type":"api_error","message":"Internal"}}"#])
    #expect(throws: WireError.transient("Internal")) { try decodeStream(wire, [api]) }
    // The overflow message reaches the error intact, for the classifier that reads it.
    let tooLong = Self.sse([
      #"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 203284 tokens > 200000 maximum"}}"#
    ])
    #expect(throws: WireError.serverError("prompt is too long: 203284 tokens > 200000 maximum")) {
      try decodeStream(wire, [tooLong])
    }
    // An event name alone is enough to know it is an error.
    let named = Array(
      "event: error\ndata: {\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}\n\n"
        .utf8)
    #expect(throws: WireError.serverError("slow")) { try decodeStream(wire, [named]) }
  }

  @Test func endingWithoutMessageStop() throws {
    // A stop reason said the answer is complete: the missing message_stop is forgiven.
    let said = Self.sse([
      Self.start,
      #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
      #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}"#,
      #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}"#,
    ])
    #expect(
      try decodeStream(wire, [said]) == [
        .textDelta("hi"), .usage(TokenUsage(inputTokens: 3, outputTokens: 2)), .finished(.stop),
      ])
    let cut = Self.sse([
      Self.start,
      #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"shell","input":{}}}"#,
      #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"comm"}}"#,
    ])
    #expect(throws: WireError.truncated("the stream ended before message_stop")) {
      try decodeStream(wire, [cut])
    }
    #expect(throws: WireError.truncated("the stream ended with no data")) {
      try decodeStream(wire, [[]])
    }
  }

  @Test func aBlockNeverStoppedIsClosedAtMessageStop() throws {
    let body = Self.sse([
      Self.start,
      #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"shell","input":{"command":["ls"]}}}"#,
      #"{"type":"message_stop"}"#,
      // Nothing after the end counts.
      #"{"type":"content_block_delta","index":5,"delta":{"type":"text_delta","text":"late"}}"#,
    ])
    #expect(
      try decodeStream(wire, [body]) == [
        .toolCall(ToolCall(id: "t", name: "shell", arguments: #"{"command":["ls"]}"#)),
        .usage(TokenUsage(inputTokens: 3, outputTokens: 1)), .finished(.toolCalls),
      ])
  }

  @Test func unsignedThinkingIsKeptAsReceived() throws {
    // As a compatible server without signatures streams it.
    let body = Self.sse([
      Self.start,
      #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#,
      #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}"#,
      #"{"type":"content_block_stop","index":0}"#,
      #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}"#,
      #"{"type":"message_stop"}"#,
    ])
    #expect(
      try decodeStream(wire, [body]) == [
        .reasoningDelta("hmm"), .usage(TokenUsage(inputTokens: 3, outputTokens: 2)),
        .wireState(
          WireState(
            wire: .anthropic,
            data: ["thinking_blocks": [["type": "thinking", "thinking": "hmm", "signature": ""]]])),
        .finished(.stop),
      ])
  }

  @Test func malformedJSONIsReported() {
    let body = Self.sse([#"{"type":"content_block_delta","index":0,"delta":{"#])
    #expect(throws: WireError.self) { try decodeStream(wire, [body]) }
  }

  @Test func nonStreamingMessage() throws {
    var d = AnthropicDecoder()
    let events = try d.decodeComplete(
      try JSON.parse(
        #"{"id":"msg","type":"message","role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s1"},{"type":"text","text":"ok"},{"type":"tool_use","id":"tu","name":"shell","input":{"command":["ls"]}}],"stop_reason":"tool_use","usage":{"input_tokens":5,"cache_read_input_tokens":2,"output_tokens":7}}"#
      ))
    #expect(
      events == [
        .reasoningDelta("hm"), .textDelta("ok"),
        .toolCall(ToolCall(id: "tu", name: "shell", arguments: #"{"command":["ls"]}"#)),
        .usage(TokenUsage(inputTokens: 7, outputTokens: 7, cachedInputTokens: 2)),
        .wireState(
          WireState(
            wire: .anthropic,
            data: ["thinking_blocks": [["type": "thinking", "thinking": "hm", "signature": "s1"]]])),
        .finished(.toolCalls),
      ])
    // Recorded from llama-server (stream: false, the prompt already in its cache).
    var llama = AnthropicDecoder()
    #expect(
      try llama.decodeComplete(
        try JSON.parse(
          #"{"id":"chatcmpl-hFcVXoP8LXNT6EJUYJlwy1TC1Jt6nk2D","type":"message","role":"assistant","content":[{"type":"tool_use","id":"MAvTkCDyXnbDtSUSqFs2RpzJLk5RxoZl","name":"shell","input":{"command":["ls","dir"]}}],"model":"gemma-3-270m-q4_k_m","stop_reason":"tool_use","stop_sequence":"\n<tool_call>","usage":{"cache_read_input_tokens":435,"input_tokens":5,"output_tokens":37}}"#
        )) == [
          .toolCall(
            ToolCall(
              id: "MAvTkCDyXnbDtSUSqFs2RpzJLk5RxoZl", name: "shell",
              arguments: #"{"command":["ls","dir"]}"#)),
          .usage(TokenUsage(inputTokens: 440, outputTokens: 37, cachedInputTokens: 435)),
          .finished(.toolCalls),
        ])
    var e = AnthropicDecoder()
    #expect(throws: WireError.transient("Overloaded")) {
      try e.decodeComplete(
        try JSON.parse(
          #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#))
    }
  }

  @Test func absurdUsageNumbersAreBoundedNotTrapped() throws {
    let body = Self.sse([
      #"{"type":"message_start","message":{"usage":{"input_tokens":9223372036854775807,"cache_creation_input_tokens":9223372036854775807,"cache_read_input_tokens":-5,"output_tokens":1e300}}}"#,
      #"{"type":"message_stop"}"#,
    ])
    let events = try decodeStream(wire, [body])
    #expect(
      events.contains(
        .usage(TokenUsage(inputTokens: 2 << 40, outputTokens: 0, cachedInputTokens: 0))))
  }
}

@Suite struct AnthropicEncodingTests {
  let wire = AnthropicWire()
  let shell = ToolSpec(
    name: "shell", description: "run", parameters: ["type": "object", "properties": [:]])

  func provider(_ base: String = "https://api.anthropic.com") -> ProviderInfo {
    ProviderInfo(id: "anthropic", name: "Anthropic", baseURL: base, wire: .anthropic)
  }

  @Test(arguments: [
    "https://api.anthropic.com", "https://api.anthropic.com/", "https://api.anthropic.com/v1",
    "https://api.anthropic.com/v1/",
  ])
  func baseURLSpellingsReachV1Messages(_ base: String) throws {
    let http = try wire.encode(
      ChatRequest(model: "m", messages: [.user("hi")]), provider: provider(base), headers: [])
    #expect(http.url == "https://api.anthropic.com/v1/messages")
    #expect(wire.modelsURL(provider: provider(base)) == "https://api.anthropic.com/v1/models")
  }

  @Test func keyGoesInXApiKeyWithTheVersionAndNeverAsBearer() throws {
    let headers = Wires.commonHeaders(
      wire: wire, provider: provider(), apiKey: "sk-ant-secret", environment: [:])
    let names = headers.map { $0.name.lowercased() }
    #expect(names == ["content-type", "x-api-key", "anthropic-version"])
    #expect(headers[1].value == "sk-ant-secret")
    #expect(headers[2].value == "2023-06-01")
    // DEBUG=1 hides it: the header's name is one the redaction knows.
    #expect(Redaction.header("x-api-key", "sk-ant-secret") == "<redacted 13 chars>")
    // A keyless local server (llama.cpp) still gets the version header.
    let keyless = wire.authHeaders(apiKey: nil, provider: provider()).map(\.name)
    #expect(keyless == ["anthropic-version"])
  }

  @Test func maxTokensAlwaysSentAndKeptAboveAThinkingBudget() {
    let r = ChatRequest(model: "m", messages: [.user("hi")])
    #expect(wire.body(r)["max_tokens"] == 8192)
    var configured = r
    configured.options.maxOutputTokens = 1000
    #expect(wire.body(configured)["max_tokens"] == 1000)
    var thinking = configured
    thinking.options.extra["thinking"] = ["type": "enabled", "budget_tokens": 16000]
    let b = wire.body(thinking)
    #expect(b["max_tokens"] == 24192)
    #expect(b["thinking"] == ["type": "enabled", "budget_tokens": 16000])
  }

  @Test func systemAndToolsFormTheCachedPrefix() {
    let r = ChatRequest(
      model: "m", instructions: "be brief", messages: [.user("hi")], tools: [shell, shell],
      options: ModelOptions(temperature: 0.2, topP: 0.9, extra: ["top_k": 5]))
    let b = wire.body(r)
    #expect(
      b["system"] == [["type": "text", "text": "be brief", "cache_control": ["type": "ephemeral"]]])
    #expect(
      b["tools"]?[0] == [
        "name": "shell", "description": "run",
        "input_schema": ["type": "object", "properties": [:]],
      ])
    #expect(b["tools"]?[1]?["cache_control"] == nil, "the system prompt holds the breakpoint")
    #expect(b["temperature"] == 0.2)
    #expect(b["top_p"] == 0.9)
    #expect(b["top_k"] == 5)
    #expect(b["stream"] == true)
    // Without a system prompt, the last tool ends the prefix.
    let noSystem = wire.body(
      ChatRequest(model: "m", messages: [.user("hi")], tools: [shell, shell]))
    #expect(noSystem["system"] == nil)
    #expect(noSystem["tools"]?[0]?["cache_control"] == nil)
    #expect(noSystem["tools"]?[1]?["cache_control"] == ["type": "ephemeral"])
  }

  static let thinking: JSON = [
    "thinking_blocks": [
      ["type": "thinking", "thinking": "plan", "signature": "sig=="],
      ["type": "redacted_thinking", "data": "opaque"],
      // Not a thinking block, and an unsigned one: never replayed.
      ["type": "text", "text": "smuggled"],
      ["type": "thinking", "thinking": "unsigned", "signature": ""],
    ]
  ]

  static func failed(_ code: Int) -> String {
    JSON.object([
      "output": "boom", "metadata": ["exit_code": .int(Int64(code)), "duration_seconds": 0.1],
    ])
    .serialized()
  }

  @Test func rolesMergedThinkingReplayedAndResultsInOneUserMessage() {
    let history: [ChatMessage] = [
      .user("list and date"),
      .assistant(
        AssistantMessage(
          text: "Checking.", reasoning: "plan",
          toolCalls: [
            ToolCall(id: "toolu_1", name: "shell", arguments: #"{"command":["ls"]}"#),
            ToolCall(id: "toolu_2", name: "shell", arguments: "not json"),
          ], wireState: WireState(wire: .anthropic, data: Self.thinking))),
      .toolResult(ToolResult(callID: "toolu_1", name: "shell", output: "a.swift")),
      .toolResult(
        ToolResult(callID: "toolu_2", name: "shell", output: Self.failed(2), isError: true)),
      .user("and then?"),
    ]
    let msgs = AnthropicWire.messages(history)
    #expect(msgs.count == 3)
    #expect(
      msgs[0] == [
        "role": "user",
        "content": [
          ["type": "text", "text": "list and date", "cache_control": ["type": "ephemeral"]]
        ],
      ])
    #expect(
      msgs[1] == [
        "role": "assistant",
        "content": [
          ["type": "thinking", "thinking": "plan", "signature": "sig=="],
          ["type": "redacted_thinking", "data": "opaque"],
          ["type": "text", "text": "Checking."],
          ["type": "tool_use", "id": "toolu_1", "name": "shell", "input": ["command": ["ls"]]],
          ["type": "tool_use", "id": "toolu_2", "name": "shell", "input": ["input": "not json"]],
        ],
      ])
    #expect(
      msgs[2] == [
        "role": "user",
        "content": [
          ["type": "tool_result", "tool_use_id": "toolu_1", "content": "a.swift"],
          [
            "type": "tool_result", "tool_use_id": "toolu_2", "content": .string(Self.failed(2)),
            "is_error": true,
          ],
          ["type": "text", "text": "and then?", "cache_control": ["type": "ephemeral"]],
        ],
      ])
  }

  @Test func unsignedThinkingGoesBackToLocalServersOnly() throws {
    let history: [ChatMessage] = [
      .user("go"),
      .assistant(
        AssistantMessage(
          text: "ok", reasoning: "plan",
          wireState: WireState(
            wire: .anthropic,
            data: ["thinking_blocks": [["type": "thinking", "thinking": "plan", "signature": ""]]]))
      ),
      .user("more"),
    ]
    let request = ChatRequest(model: "m", messages: history)
    var local = ProviderInfo(
      id: "l", name: "llama.cpp", baseURL: "http://127.0.0.1:8080", wire: .anthropic)
    local.isLocal = true
    let toLocal = try JSON.parse(wire.encode(request, provider: local, headers: []).body)
    #expect(
      toLocal["messages"]?[1]?["content"]?[0]
        == ["type": "thinking", "thinking": "plan", "signature": ""])
    let toHosted = try JSON.parse(wire.encode(request, provider: provider(), headers: []).body)
    #expect(toHosted["messages"]?[1]?["content"] == [["type": "text", "text": "ok"]])
  }

  @Test func atMostFourCacheBreakpointsHoweverLongTheSession() {
    var history: [ChatMessage] = []
    for n in 0..<30 {
      history.append(.user("q\(n)"))
      history.append(
        .assistant(
          AssistantMessage(toolCalls: [ToolCall(id: "c\(n)", name: "shell", arguments: "{}")])))
      history.append(.toolResult(ToolResult(callID: "c\(n)", name: "shell", output: "o")))
    }
    let body = wire.body(
      ChatRequest(model: "m", instructions: "sys", messages: history, tools: [shell]))
    let text = body.serialized()
    let count = text.components(separatedBy: "cache_control").count - 1
    #expect(count == 3)
    // The newest block is marked, so the next request reads all of this from the cache.
    let last = body["messages"]?.arrayValue?.last?["content"]?.arrayValue?.last
    #expect(last?["cache_control"] == ["type": "ephemeral"])
  }

  @Test func otherWiresStateIsIgnored() {
    let msgs = AnthropicWire.messages([
      .user("hi"),
      .assistant(
        AssistantMessage(
          text: "hello",
          wireState: WireState(wire: .gemini, data: ["text_signature": "gemini-only"]))),
      .user("again"),
    ])
    #expect(msgs[1] == ["role": "assistant", "content": [["type": "text", "text": "hello"]]])
  }

  @Test func idsFromOtherWiresAreMadeValidAndUnique() {
    // Kimi's ids, an empty id, and the chat wire's made-up `call_0` reused every turn.
    let msgs = AnthropicWire.messages([
      .user("go"),
      .assistant(
        AssistantMessage(toolCalls: [
          ToolCall(id: "functions.shell:0", name: "shell", arguments: "{}"),
          ToolCall(id: "", name: "shell", arguments: "{}"),
          ToolCall(id: "call_0", name: "shell", arguments: "{}"),
        ])),
      .toolResult(ToolResult(callID: "functions.shell:0", name: "shell", output: "a")),
      .toolResult(ToolResult(callID: "", name: "shell", output: "b")),
      .toolResult(ToolResult(callID: "call_0", name: "shell", output: "c")),
      .assistant(
        AssistantMessage(toolCalls: [ToolCall(id: "call_0", name: "shell", arguments: "{}")])),
      .toolResult(ToolResult(callID: "call_0", name: "shell", output: "d")),
    ])
    let uses = msgs.flatMap { $0["content"]?.arrayValue ?? [] }.filter { $0["type"] == "tool_use" }
      .compactMap { $0["id"]?.stringValue }
    let results = msgs.flatMap { $0["content"]?.arrayValue ?? [] }
      .filter { $0["type"] == "tool_result" }.compactMap { $0["tool_use_id"]?.stringValue }
    #expect(uses == ["functions_shell_0", "toolu", "call_0", "call_0_2"])
    #expect(results == uses)
  }

  @Test func emptyTextIsNeverSentAsABlock() {
    let msgs = AnthropicWire.messages([
      .user("hi"), .assistant(AssistantMessage(text: "")), .user(""), .user("again"),
    ])
    // The empty answer vanished, and the users around it became one message.
    #expect(msgs.count == 1)
    #expect(msgs[0]["content"]?.arrayValue?.count == 2)
    let empty = AnthropicWire.messages([
      .user("x"),
      .assistant(AssistantMessage(toolCalls: [ToolCall(id: "t", name: "shell", arguments: "{}")])),
      .toolResult(ToolResult(callID: "t", name: "shell", output: "")),
    ])
    #expect(
      empty[2]["content"]?[0] == [
        "type": "tool_result", "tool_use_id": "t", "cache_control": ["type": "ephemeral"],
      ])
  }

  @Test func modelListing() {
    #expect(
      wire.modelIDs(
        fromListing: try! JSON.parse(
          #"{"data":[{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude Sonnet 4.5"}],"has_more":false}"#
        )) == ["claude-sonnet-4-5"])
  }
}
