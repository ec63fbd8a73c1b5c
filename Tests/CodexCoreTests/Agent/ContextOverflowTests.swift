import Testing

@testable import CodexCore

/// Every server's way of saying "the prompt does not fit" (protocols.md §10), and what must not
/// be mistaken for it.
@Suite struct ContextOverflowTests {
  @Test(arguments: [
    // llama.cpp, with its fields
    (
      400,
      #"{"error":{"code":400,"message":"request (9000 tokens) exceeds the available context size (8192 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":9000,"n_ctx":8192}}"#,
      8192
    ),
    // vLLM 0.34
    (
      400,
      #"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your prompt contains at least 9000 input tokens, which exceeds this limit even without any output tokens. Please reduce the length of the input prompt. (parameter=input_tokens, value=9000)","type":"BadRequestError","param":"input_tokens","code":400}}"#,
      8192
    ),
    (
      400,
      #"{"error":{"message":"max_tokens=100000 cannot be greater than max_model_len=8192. Please request fewer output tokens.","type":"BadRequestError","code":400}}"#,
      8192
    ),
    // OpenAI Chat Completions
    (
      400,
      #"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 8202 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
      8192
    ),
    // OpenRouter
    (
      400,
      #"{"error":{"message":"This endpoint's maximum context length is 32768 tokens. However, you requested about 42832 tokens (42832 of text input).","code":400}}"#,
      32768
    ),
    // TGI
    (
      422,
      #"{"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 512 `max_new_tokens`","error_type":"validation"}"#,
      4096
    ),
    (
      422,
      #"{"error":"Input validation error: `inputs` must have less than 4095 tokens. Given: 5000","error_type":"validation"}"#,
      4095
    ),
    // LM Studio 0.3 / 0.4 / other
    (
      400,
      #"{"error":"Trying to keep the first 15857 tokens when context the overflows. However, the model is loaded with context length of only 4096 tokens, which is not enough."}"#,
      4096
    ),
    (
      400,
      #"{"error":"The number of tokens to keep from the initial prompt is greater than the context length (n_keep: 10247 >= n_ctx: 4096). Try to load the model with a larger context length."}"#,
      4096
    ),
    (400, #"{"error":"Cannot truncate prompt with n_keep (15028) >= n_ctx (7424)"}"#, 7424),
    // Anthropic
    (
      400,
      #"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 203284 tokens > 200000 maximum"}}"#,
      200000
    ),
    (
      400,
      #"{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 178959 + 64000 > 200000, decrease input length or `max_tokens` and try again"}}"#,
      200000
    ),
    // Gemini
    (
      400,
      #"{"error":{"code":400,"message":"The input token count (132478) exceeds the maximum number of tokens allowed (131072).","status":"INVALID_ARGUMENT"}}"#,
      131072
    ),
  ])
  func windowReadFromTheMessage(_ status: Int, _ body: String, _ window: Int) throws {
    let bytes = Array(body.utf8)
    let found = try #require(
      ContextOverflow.detect(status: status, error: ErrorBody.parse(bytes), rawBody: bytes))
    #expect(found.window == window)
  }

  @Test func overflowsWithoutANumber() {
    // OpenAI Responses (the window must come from the config), Ollama with context shift off.
    for body in [
      #"{"error":{"message":"Your input exceeds the context window of this model. Please adjust your input and try again.","type":"invalid_request_error","param":"input","code":"context_length_exceeded"}}"#,
      #"{"error":"the prompt is longer than the context length currently available to the model; shorten the prompt"}"#,
    ] {
      let bytes = Array(body.utf8)
      let found = ContextOverflow.detect(status: 400, error: ErrorBody.parse(bytes), rawBody: bytes)
      #expect(found != nil && found?.window == nil, "\(body)")
    }
  }

  @Test func otherErrorsAreNotOverflows() {
    for (status, body) in [
      (400, #"{"error":{"message":"model 'x' not found","type":"invalid_request_error"}}"#),
      (
        500,
        #"{"error":{"code":500,"message":"Failed to parse tool call arguments as JSON","type":"server_error"}}"#
      ),
      (401, #"{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}"#),
      (503, #"{"error":{"message":"maximum context length is 8192 tokens","code":503}}"#),
    ] {
      let bytes = Array(body.utf8)
      #expect(
        ContextOverflow.detect(status: status, error: ErrorBody.parse(bytes), rawBody: bytes) == nil
      )
    }
  }

  @Test func absurdNumbersAreIgnored() {
    let body =
      #"{"error":{"message":"This model's maximum context length is 99999999999999999999 tokens.","code":"context_length_exceeded"}}"#
    let bytes = Array(body.utf8)
    let found = ContextOverflow.detect(status: 400, error: ErrorBody.parse(bytes), rawBody: bytes)
    #expect(found != nil && found?.window == nil)
  }
}

@Suite struct CompactionTests {
  func call(_ id: String) -> ChatMessage {
    .assistant(AssistantMessage(toolCalls: [ToolCall(id: id, name: "shell", arguments: "{}")]))
  }
  func result(_ id: String, _ text: String) -> ChatMessage {
    .toolResult(ToolResult(callID: id, name: "shell", output: text))
  }

  @Test func oldToolOutputsAreTrimmedRecentOnesKept() throws {
    let long = String(repeating: "0123456789\n", count: 200)
    var history: [ChatMessage] = [.user("go")]
    for n in 0..<6 { history += [call("c\(n)"), result("c\(n)", long)] }
    let trimmed = try #require(Compaction.trimmingOldToolOutputs(history))
    let outputs = trimmed.compactMap { m -> String? in
      if case .toolResult(let r) = m { return r.output }
      return nil
    }
    #expect(outputs.prefix(2).allSatisfy { $0.utf8.count <= 700 && $0.contains("truncated") })
    #expect(outputs.suffix(4).allSatisfy { $0 == long })
    #expect(Compaction.trimmingOldToolOutputs(trimmed) == nil)
  }

  @Test func theKeptPartNeverStartsWithAnOrphanToolResult() {
    var history: [ChatMessage] = [.user("go")]
    for n in 0..<10 { history += [call("c\(n)"), result("c\(n)", "output \(n)")] }
    for budget in [5, 20, 40, 60, 100, 1000] {
      let out = Compaction.replacement(
        for: history, summary: "S", latestRequest: "go", budget: budget)
      guard case .user(let head) = out[0] else {
        Issue.record("starts with the summary")
        continue
      }
      #expect(head.contains("S"))
      if out.count > 1, case .toolResult = out[1] { Issue.record("orphan result at \(budget)") }
      // Every kept result has its call.
      let callIDs = Set(
        out.flatMap { m -> [String] in
          if case .assistant(let a) = m { return a.toolCalls.map(\.id) }
          return []
        })
      for case .toolResult(let r) in out { #expect(callIDs.contains(r.callID)) }
    }
  }

  @Test func theLatestRequestSurvivesWordForWord() {
    let history: [ChatMessage] = [
      .user("refactor the parser and keep the tests green"), call("c"), result("c", "x"),
    ]
    let out = Compaction.replacement(
      for: history, summary: "summary",
      latestRequest: "refactor the parser and keep the tests green",
      budget: 10)
    guard case .user(let head) = out[0] else { return }
    #expect(
      head.contains("The user's latest request:\nrefactor the parser and keep the tests green"))
  }
}
