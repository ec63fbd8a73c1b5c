/// Answers in OpenAI's Chat Completions shapes: `chat.completion.chunk` SSE events ending with
/// `data: [DONE]`, or one `chat.completion`. Reasoning goes out as `reasoning_content`; tool
/// calls arrive complete from the engine and go out whole, one delta each (as Ollama's `/v1`
/// sends them; every client assembles them by `index`).
struct OpenAIChatResponse: ResponseDialect {
  let id: String
  let created: Int64
  /// The model as the client named it.
  let model: String
  let includeUsage: Bool
  /// `data: {"id":…,"choices":[{"index":0,"delta":` — every chunk starts so; built once.
  private let prefix: [UInt8]
  private var sentRole = false
  private var toolIndex = 0
  private var usage: TokenUsage?
  private var finish: FinishReason?

  init(model: String, includeUsage: Bool) {
    id = "chatcmpl-" + DialectText.randomID()
    created = DialectText.unixTime()
    self.model = model
    self.includeUsage = includeUsage
    var p: [UInt8] = Array(#"data: {"id":"#.utf8)
    JSON.writeString(id, to: &p)
    p += Array(#","object":"chat.completion.chunk","created":\#(created),"model":"#.utf8)
    JSON.writeString(model, to: &p)
    p += Array(#","choices":[{"index":0,"delta":"#.utf8)
    prefix = p
  }

  static let chunkEnd = Array(#"},"logprobs":null,"finish_reason":null}]}"#.utf8) + [0x0A, 0x0A]

  mutating func stream(_ events: [ChatEvent], into out: inout [UInt8]) {
    if !sentRole {
      sentRole = true
      out += prefix
      DialectText.append("{\"role\":\"assistant\",\"content\":\"\"", to: &out)
      out += Self.chunkEnd
    }
    for event in events {
      switch event {
      case .textDelta(let t):
        out += prefix
        DialectText.append(#"{"content":"#, to: &out)
        JSON.writeString(t, to: &out)
        out += Self.chunkEnd
      case .reasoningDelta(let r):
        out += prefix
        DialectText.append(#"{"reasoning_content":"#, to: &out)
        JSON.writeString(r, to: &out)
        out += Self.chunkEnd
      case .toolCall(let c):
        out += prefix
        DialectText.append(#"{"tool_calls":["#, to: &out)
        Self.toolCallJSON(c, index: toolIndex).write(to: &out)
        DialectText.append("]", to: &out)
        out += Self.chunkEnd
        toolIndex += 1
      case .usage(let u):
        usage = usage.map { $0 + u } ?? u
      case .finished(let f):
        finish = f
      case .wireState:
        break
      }
    }
  }

  mutating func streamEnd(into out: inout [UInt8]) {
    if !sentRole { stream([], into: &out) }
    out += prefix
    DialectText.append(#"{},"logprobs":null,"finish_reason":"#, to: &out)
    JSON.writeString(Self.finishReason(finish ?? .stop, toolCalls: toolIndex > 0), to: &out)
    DialectText.append("}]}\n\n", to: &out)
    if includeUsage, let usage {
      let chunk: JSON = [
        "id": .string(id), "object": "chat.completion.chunk", "created": .int(created),
        "model": .string(model), "choices": [], "usage": Self.usageJSON(usage),
      ]
      DialectText.append("data: ", to: &out)
      chunk.write(to: &out)
      DialectText.append("\n\n", to: &out)
    }
    DialectText.append("data: [DONE]\n\n", to: &out)
  }

  mutating func streamError(_ failure: ServeFailure, into out: inout [UInt8]) {
    // What vLLM and llama.cpp send: the SDK raises it as an APIError.
    DialectText.append("data: ", to: &out)
    out += errorBody(failure)
    DialectText.append("\n\ndata: [DONE]\n\n", to: &out)
  }

  func complete(_ answer: CollectedAnswer) -> [UInt8] {
    var message: JSONObject = ["role": "assistant"]
    message["content"] =
      answer.text.isEmpty && !answer.toolCalls.isEmpty ? .null : .string(answer.text)
    if !answer.reasoning.isEmpty { message["reasoning_content"] = .string(answer.reasoning) }
    if !answer.toolCalls.isEmpty {
      message["tool_calls"] = .array(
        answer.toolCalls.enumerated().map { Self.toolCallJSON($0.element, index: nil) })
    }
    var body: JSONObject = [
      "id": .string(id), "object": "chat.completion", "created": .int(created),
      "model": .string(model),
      "choices": [
        [
          "index": 0, "message": .object(message), "logprobs": nil,
          "finish_reason": .string(
            Self.finishReason(answer.finish, toolCalls: !answer.toolCalls.isEmpty)),
        ]
      ],
    ]
    if let u = answer.usage { body["usage"] = Self.usageJSON(u) }
    return JSON.object(body).serializedBytes()
  }

  func errorBody(_ failure: ServeFailure) -> [UInt8] {
    ServeErrorBody.openAI(status: failure.status, message: failure.message, code: failure.code)
  }

  static func toolCallJSON(_ c: ToolCall, index: Int?) -> JSON {
    var o: JSONObject = [:]
    if let index { o["index"] = .int(Int64(index)) }
    o["id"] = .string(c.id)
    o["type"] = "function"
    o["function"] = ["name": .string(c.name), "arguments": .string(c.arguments)]
    return .object(o)
  }

  static func finishReason(_ f: FinishReason, toolCalls: Bool) -> String {
    if toolCalls { return "tool_calls" }
    switch f {
    case .length: return "length"
    case .contentFilter: return "content_filter"
    case .toolCalls: return "tool_calls"
    case .stop, .other: return "stop"
    }
  }

  static func usageJSON(_ u: TokenUsage) -> JSON {
    var o: JSONObject = [
      "prompt_tokens": .int(Int64(u.inputTokens)),
      "completion_tokens": .int(Int64(u.outputTokens)),
      "total_tokens": .int(Int64(u.totalTokens)),
    ]
    if u.cachedInputTokens > 0 {
      o["prompt_tokens_details"] = ["cached_tokens": .int(Int64(u.cachedInputTokens))]
    }
    if u.reasoningTokens > 0 {
      o["completion_tokens_details"] = ["reasoning_tokens": .int(Int64(u.reasoningTokens))]
    }
    return .object(o)
  }
}
