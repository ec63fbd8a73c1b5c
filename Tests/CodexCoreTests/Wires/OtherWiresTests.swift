import Testing

@testable import CodexCore

@Suite struct OllamaWireTests {
  let wire = OllamaWire()

  @Test func ndjsonWithThinkingTextAndWholeToolCalls() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/ollama-tool-call.ndjson"))
    let (text, reasoning) = joinedText(events)
    #expect(text == "Let me check – ☀️ naïve")
    #expect(reasoning == "The user wants the weather.")
    let calls = events.compactMap { e -> ToolCall? in
      if case .toolCall(let c) = e { return c }
      return nil
    }
    #expect(
      calls == [
        ToolCall(id: "call_ab12cd34", name: "get_weather", arguments: #"{"city":"Tokyo"}"#),
        ToolCall(id: "call_1", name: "shell", arguments: #"{"command":["bash","-lc","ls"]}"#),
      ])
    #expect(events.contains(.usage(TokenUsage(inputTokens: 169, outputTokens: 15))))
    // A turn that ends in tool calls says "stop" on the wire.
    #expect(events.last == .finished(.toolCalls))
  }

  @Test func errorLineAfterStreamingStarted() {
    let body = Array(
      "{\"message\":{\"content\":\"a\"},\"done\":false}\n{\"error\":\"model crashed\"}\n".utf8)
    #expect(throws: WireError.serverError("model crashed")) { try decodeStream(wire, [body]) }
  }

  @Test(arguments: [
    "http://host:11434", "http://host:11434/", "http://host:11434/api", "http://host:11434/api/",
    "http://host:11434/v1",
  ])
  func baseURLSpellingsAllReachApiChat(_ base: String) throws {
    let p = ProviderInfo(id: "ollama", name: "Ollama", baseURL: base, wire: .ollama)
    let http = try wire.encode(
      ChatRequest(model: "m", messages: [.user("hi")]), provider: p, headers: [])
    #expect(http.url == "http://host:11434/api/chat")
  }

  @Test func optionsGoUnderOptionsAndNativeKeysTopLevel() {
    let r = ChatRequest(
      model: "qwen3",
      messages: [
        .assistant(
          AssistantMessage(toolCalls: [
            ToolCall(id: "c", name: "shell", arguments: #"{"command":["ls"]}"#)
          ])),
        .toolResult(ToolResult(callID: "c", name: "shell", output: "ok")),
      ],
      options: ModelOptions(
        temperature: 0, maxOutputTokens: 50,
        extra: ["num_ctx": 32768, "keep_alive": "5m", "think": false]))
    let b = wire.body(r)
    #expect(b["options"] == ["temperature": 0.0, "num_predict": 50, "num_ctx": 32768])
    #expect(b["keep_alive"] == "5m")
    #expect(b["think"] == false)
    #expect(b["messages"]?[0]?["tool_calls"]?[0]?["function"]?["arguments"] == ["command": ["ls"]])
    #expect(b["messages"]?[1]?["tool_name"] == "shell")
  }
}

@Suite struct ResponsesWireTests {
  let wire = OpenAIResponsesWire()

  @Test func typedEventsWithReasoningTextAndCall() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/responses-tool-call.sse"))
    let (text, reasoning) = joinedText(events)
    #expect(text == "Listing files…")
    #expect(reasoning == "Need to list files.")
    #expect(
      events.contains(
        .toolCall(
          ToolCall(id: "call_XYZ", name: "shell", arguments: #"{"command":["bash","-lc","ls"]}"#))))
    #expect(
      events.contains(
        .usage(
          TokenUsage(inputTokens: 50, outputTokens: 12, cachedInputTokens: 10, reasoningTokens: 5)))
    )
    #expect(events.last == .finished(.toolCalls))
  }

  @Test func failedResponseIsAnError() {
    let body = Array(
      "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"error\":{\"code\":\"server_error\",\"message\":\"overloaded\"}}}\n\n"
        .utf8)
    #expect(throws: WireError.serverError("overloaded")) { try decodeStream(wire, [body]) }
  }

  @Test func closedBeforeCompletedIsTruncated() {
    let body = Array(
      "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"a\"}\n\n"
        .utf8)
    #expect(throws: WireError.truncated("the stream closed before response.completed")) {
      try decodeStream(wire, [body])
    }
  }

  @Test func encodesStatelessHistoryWithCallIDs() {
    let r = ChatRequest(
      model: "gpt-5", instructions: "sys",
      messages: [
        .user("hi"),
        .assistant(
          AssistantMessage(
            text: "ok", toolCalls: [ToolCall(id: "call_1", name: "shell", arguments: "{}")])),
        .toolResult(ToolResult(callID: "call_1", name: "shell", output: "done")),
      ],
      tools: [ToolSpec(name: "shell", description: "d", parameters: ["type": "object"])],
      options: ModelOptions(maxOutputTokens: 10))
    let b = wire.body(r)
    #expect(b["instructions"] == "sys")
    #expect(b["store"] == false)
    #expect(b["max_output_tokens"] == 10)
    #expect(b["tools"]?[0]?["name"] == "shell")
    #expect(
      b["input"]?[2] == [
        "type": "function_call", "call_id": "call_1", "name": "shell", "arguments": "{}",
      ])
    #expect(
      b["input"]?[3] == ["type": "function_call_output", "call_id": "call_1", "output": "done"])
  }
}

@Suite struct TGIWireTests {
  let wire = TGIWire()

  @Test func generateStreamHidesSpecialTokens() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/tgi-generate-stream.sse"))
    #expect(
      events == [
        .textDelta(" The"), .textDelta(" café"),
        .usage(TokenUsage(inputTokens: 12, outputTokens: 3)), .finished(.stop),
      ])
  }

  @Test func errorEventIn200Stream() {
    let body = Array(
      "data:{\"error\":\"Request failed during generation\",\"error_type\":\"generation\"}\n\n".utf8
    )
    #expect(throws: WireError.serverError("Request failed during generation")) {
      try decodeStream(wire, [body])
    }
  }

  @Test func encodesPromptWithTemplateAndTGIParameterRules() throws {
    let p = ProviderInfo(
      id: "hf", name: "TGI", baseURL: "http://h:8080/v1", wire: .tgi, chatTemplate: "chatml")
    let r = ChatRequest(
      model: "m", instructions: "sys", messages: [.user("hi")],
      options: ModelOptions(temperature: 0, topP: 1.0, maxOutputTokens: 64))
    let http = try wire.encode(r, provider: p, headers: [])
    #expect(http.url == "http://h:8080/generate_stream")
    let b = try JSON.parse(http.body)
    #expect(
      b["inputs"]
        == "<|im_start|>system\nsys<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    )
    #expect(b["parameters"]?["do_sample"] == false)
    #expect(b["parameters"]?["temperature"] == nil)
    #expect(b["parameters"]?["top_p"] == nil)
    #expect(b["parameters"]?["max_new_tokens"] == 64)
    #expect(b["parameters"]?["stop"] == ["<|im_end|>", "<|im_start|>"])
  }

  @Test(arguments: [
    ("meta-llama/Meta-Llama-3-8B-Instruct", ChatTemplate.Format.llama3),
    ("mistral-7b-instruct", .mistral), ("google/gemma-2-9b-it", .gemma),
    ("microsoft/Phi-3-mini", .phi3), ("Qwen/Qwen2.5-7B-Instruct", .chatml),
  ])
  func templateGuessedFromModel(_ model: String, _ format: ChatTemplate.Format) {
    #expect(ChatTemplate.guess(model: model) == format)
  }
}

@Suite struct TextToolCallsTests {
  let offered = ["shell"]

  @Test(arguments: [
    #"<tool_call>{"name": "shell", "arguments": {"command": ["ls"]}}</tool_call>"#,
    "<tool_call>\n{\"name\": \"shell\", \"arguments\": {\"command\": [\"ls\"]}}\n",
    #"{"name": "shell", "arguments": {"command": ["ls"]}}"#,
    "```json\n{\"name\": \"shell\", \"arguments\": {\"command\": [\"ls\"]}}\n```",
    #"{"type": "function", "name": "shell", "parameters": {"command": ["ls"]}}"#,
    #"[TOOL_CALLS] [{"name": "shell", "arguments": {"command": ["ls"]}}]"#,
    #"{"function": {"name": "shell", "arguments": "{\"command\": [\"ls\"]}"}}"#,
  ])
  func recognisedShapes(_ text: String) throws {
    let calls = try #require(TextToolCalls.extract(from: text, offered: offered))
    #expect(calls.count == 1)
    #expect(calls[0].name == "shell")
    #expect(try JSON.parse(calls[0].arguments)["command"] == ["ls"])
  }

  @Test(arguments: [
    "Run this: {\"name\": \"shell\", \"arguments\": {}}",
    #"{"name": "rm_everything", "arguments": {}}"#,
    #"{"name": "shell", "arguments": {}, "extra": 1}"#,
    "plain answer", "",
  ])
  func leftAsText(_ text: String) {
    #expect(TextToolCalls.extract(from: text, offered: offered) == nil)
  }

  @Test func mightBeCallHoldsOnlyPlausiblePrefixes() {
    #expect(TextToolCalls.mightBeCall(prefix: "  <tool"))
    #expect(TextToolCalls.mightBeCall(prefix: "{\"na"))
    #expect(!TextToolCalls.mightBeCall(prefix: "Hello"))
    #expect(TextToolCalls.mightBeCall(prefix: "```"))
    #expect(TextToolCalls.mightBeCall(prefix: "```js"))
    #expect(TextToolCalls.mightBeCall(prefix: "```json\n{\"na"))
    // A code block that is the answer streams at once.
    #expect(!TextToolCalls.mightBeCall(prefix: "```python"))
    #expect(!TextToolCalls.mightBeCall(prefix: "```\n#!/bin/bash"))
    #expect(!TextToolCalls.mightBeCall(prefix: "```bash\n"))
  }
}
