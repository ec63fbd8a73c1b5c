import Testing

@testable import CodexCore

@Suite struct OpenAIChatWireTests {
  let wire = OpenAIChatWire()

  @Test func recordedLlamaCppStreamDecodesEveryWay() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("llama-gemma-chat-stream.sse"))
    let (text, reasoning) = joinedText(events)
    #expect(!text.isEmpty)
    #expect(reasoning.isEmpty)
    // The recording stopped at the request's max_tokens.
    #expect(events.last == .finished(.length))
  }

  /// Recorded from llama-server (SmolLM2) answering the exact request codex sends, with tools
  /// and `stream_options.include_usage`: the usage chunk (with cached tokens) comes last.
  @Test func recordedCodexRequestStreamCarriesUsage() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("llama-smollm-codex-request-usage.sse"))
    #expect(!joinedText(events).text.isEmpty)
    #expect(
      events.contains(
        .usage(TokenUsage(inputTokens: 556, outputTokens: 24, cachedInputTokens: 555))))
    #expect(events.last == .finished(.length))
    // The recorded request is what the encoder produces today (model and max_tokens aside).
    let recorded = try JSON.parse(Fixture.bytes("llama-smollm-codex-request.json"))
    #expect(recorded["stream_options"] == ["include_usage": true])
    #expect(recorded["tools"]?[0]?["function"]?["name"] == "shell")
  }

  @Test func recordedLlamaCppToolCallIsAssembled() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("llama-gemma-tools-fewshot-required.sse"))
    let calls = events.compactMap { e -> ToolCall? in
      if case .toolCall(let c) = e { return c }
      return nil
    }
    #expect(calls.count == 1)
    #expect(calls.first?.name == "shell")
    #expect(calls.first?.id == "f49WuUpLryvRyM1r30pRHSW4i5euQ9Gl")
    let args = try JSON.parse(calls.first?.arguments ?? "")
    #expect(args["command"] != nil)
    #expect(events.last == .finished(.toolCalls))
  }

  @Test func vllmReasoningShownOnceAndCallsAssembledByIndex() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/chat-vllm-reasoning-tools.sse"))
    let (text, reasoning) = joinedText(events)
    #expect(reasoning == "Thinking…")
    #expect(text == "Sure: 日本")
    let calls = events.compactMap { e -> ToolCall? in
      if case .toolCall(let c) = e { return c }
      return nil
    }
    #expect(
      calls == [
        ToolCall(id: "chatcmpl-tool-1", name: "shell", arguments: #"{"command":["ls"]}"#),
        ToolCall(id: "call_1", name: "shell", arguments: "{}"),
      ])
    #expect(events.contains(.usage(TokenUsage(inputTokens: 50, outputTokens: 12))))
    #expect(events.last == .finished(.toolCalls))
  }

  @Test func tgiRepeatedIdsAndNullNamesAndStopFinish() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/chat-tgi-tool-call.sse"))
    #expect(
      events == [
        .toolCall(ToolCall(id: "0", name: "shell", arguments: #"{"command":["ls"]}"#)),
        .finished(.toolCalls),
      ])
  }

  @Test func errorInside200StreamIsAnError() {
    let body = Array(
      "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"error\":{\"message\":\"boom\",\"type\":\"BadRequestError\",\"code\":400}}\n\ndata: [DONE]\n\n"
        .utf8)
    #expect(throws: WireError.serverError("boom")) { try decodeStream(wire, [body]) }
  }

  @Test func oldLlamaCppErrorLine() {
    let body = Array(
      "error: {\"code\":500,\"message\":\"slot unavailable\",\"type\":\"server_error\"}\n\n".utf8)
    #expect(throws: WireError.serverError("slot unavailable")) { try decodeStream(wire, [body]) }
  }

  @Test func streamThatStopsEarlyIsTruncated() {
    let body = Array("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n".utf8)
    #expect(throws: WireError.truncated("the stream ended before [DONE]")) {
      try decodeStream(wire, [body])
    }
  }

  @Test func malformedJSONIsReported() {
    let body = Array("data: {\"choices\":[{\"delta\":\n\n".utf8)
    #expect(throws: WireError.self) { try decodeStream(wire, [body]) }
  }

  @Test func nonStreamingResponse() throws {
    var d = wire.makeDecoder()
    let json = try JSON.parse(
      #"{"choices":[{"message":{"role":"assistant","content":"hi","tool_calls":[{"id":"x","type":"function","function":{"name":"shell","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#
    )
    let events = try d.decodeComplete(json)
    #expect(
      events == [
        .textDelta("hi"), .usage(TokenUsage(inputTokens: 3, outputTokens: 4)),
        .toolCall(ToolCall(id: "x", name: "shell", arguments: "{}")), .finished(.toolCalls),
      ])
  }

  func request() -> ChatRequest {
    ChatRequest(
      model: "m", instructions: "be brief",
      messages: [
        .user("list"),
        .assistant(
          AssistantMessage(
            text: "", reasoning: "hmm",
            toolCalls: [ToolCall(id: "c1", name: "shell", arguments: "{}")])),
        .toolResult(ToolResult(callID: "c1", name: "shell", output: "a.swift")),
      ],
      tools: [ToolSpec(name: "shell", description: "run", parameters: ["type": "object"])],
      options: ModelOptions(temperature: 0.2, maxOutputTokens: 100, extra: ["top_k": 20]))
  }

  @Test func encodesHistoryToolsAndOptions() throws {
    let p = ProviderInfo(
      id: "vllm", name: "vLLM", baseURL: "http://h:8000/v1/", wire: .chat, flavor: .vllm)
    let http = try wire.encode(
      request(), provider: p, headers: [("Content-Type", "application/json")])
    #expect(http.url == "http://h:8000/v1/chat/completions")
    #expect(
      String(decoding: http.body, as: UTF8.self)
        == #"{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"list"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"shell","arguments":"{}"}}],"reasoning_content":"hmm"},{"role":"tool","tool_call_id":"c1","content":"a.swift"}],"tools":[{"type":"function","function":{"name":"shell","description":"run","parameters":{"type":"object"}}}],"stream":true,"stream_options":{"include_usage":true},"temperature":0.2,"max_tokens":100,"top_k":20}"#
    )
  }

  @Test func openAIGetsMaxCompletionTokensAndNoReasoningField() throws {
    let body = wire.body(request(), flavor: .openai, includeUsage: true)
    #expect(body["max_completion_tokens"] == 100)
    #expect(body["max_tokens"] == nil)
    #expect(body["messages"]?[2]?["reasoning_content"] == nil)
  }

  @Test func tgiGetsModelTgiAndNoContentBesideToolCalls() throws {
    let body = wire.body(request(), flavor: .tgi, includeUsage: true)
    #expect(body["model"] == "tgi")
    let assistant = body["messages"]?[2]
    #expect(assistant?["content"] == nil)
    #expect(assistant?["tool_calls"] != nil)
  }

  @Test func noToolsMeansNoToolsKey() {
    var r = request()
    r.tools = []
    #expect(wire.body(r, flavor: .vllm, includeUsage: true)["tools"] == nil)
  }
}
