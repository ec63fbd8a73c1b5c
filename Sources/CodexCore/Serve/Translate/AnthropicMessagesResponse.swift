/// Answers in Anthropic's Messages shapes: the typed event stream (`message_start`, content
/// blocks for thinking, text and each tool use, `message_delta`, `message_stop`) or one
/// `message`. Input tokens are only known at the end for most providers, so `message_start`
/// says 0 and `message_delta` carries the real counts (the SDK takes the later values).
struct AnthropicMessagesResponse: ResponseDialect {
  enum Block {
    case none
    case thinking
    case text
  }

  let id: String
  let model: String
  private var open = Block.none
  private var index = 0
  private var started = false
  private var usage: TokenUsage?
  private var finish: FinishReason?
  private var sawToolUse = false

  init(model: String) {
    id = "msg_" + DialectText.randomID()
    self.model = model
  }

  private static func event(_ name: String, _ data: JSON, into out: inout [UInt8]) {
    DialectText.append("event: \(name)\ndata: ", to: &out)
    data.write(to: &out)
    DialectText.append("\n\n", to: &out)
  }

  private mutating func start(into out: inout [UInt8]) {
    guard !started else { return }
    started = true
    Self.event(
      "message_start",
      [
        "type": "message_start",
        "message": [
          "id": .string(id), "type": "message", "role": "assistant", "model": .string(model),
          "content": [], "stop_reason": nil, "stop_sequence": nil,
          "usage": ["input_tokens": 0, "output_tokens": 0],
        ],
      ], into: &out)
  }

  private mutating func close(into out: inout [UInt8]) {
    guard open != .none else { return }
    Self.event(
      "content_block_stop", ["type": "content_block_stop", "index": .int(Int64(index))],
      into: &out)
    open = .none
    index += 1
  }

  private mutating func open(_ block: Block, _ contentBlock: JSON, into out: inout [UInt8]) {
    close(into: &out)
    open = block
    Self.event(
      "content_block_start",
      ["type": "content_block_start", "index": .int(Int64(index)), "content_block": contentBlock],
      into: &out)
  }

  private func delta(_ delta: JSON, into out: inout [UInt8]) {
    Self.event(
      "content_block_delta",
      ["type": "content_block_delta", "index": .int(Int64(index)), "delta": delta], into: &out)
  }

  mutating func stream(_ events: [ChatEvent], into out: inout [UInt8]) {
    start(into: &out)
    for event in events {
      switch event {
      case .textDelta(let t):
        if open != .text { open(.text, ["type": "text", "text": ""], into: &out) }
        delta(["type": "text_delta", "text": .string(t)], into: &out)
      case .reasoningDelta(let r):
        if open != .thinking {
          open(.thinking, ["type": "thinking", "thinking": "", "signature": ""], into: &out)
        }
        delta(["type": "thinking_delta", "thinking": .string(r)], into: &out)
      case .toolCall(let c):
        sawToolUse = true
        open(
          .text,  // closed right away; the kind only matters while a block stays open
          ["type": "tool_use", "id": .string(c.id), "name": .string(c.name), "input": [:]],
          into: &out)
        let input = Wires.argumentsObject(c.arguments).serialized()
        delta(["type": "input_json_delta", "partial_json": .string(input)], into: &out)
        close(into: &out)
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
    start(into: &out)
    close(into: &out)
    let u = usage ?? TokenUsage(inputTokens: 0, outputTokens: 0)
    Self.event(
      "message_delta",
      [
        "type": "message_delta",
        "delta": [
          "stop_reason": .string(Self.stopReason(finish ?? .stop, toolUse: sawToolUse)),
          "stop_sequence": nil,
        ],
        "usage": Self.usageJSON(u),
      ], into: &out)
    Self.event("message_stop", ["type": "message_stop"], into: &out)
  }

  mutating func streamError(_ failure: ServeFailure, into out: inout [UInt8]) {
    Self.event(
      "error", ServeErrorBody.anthropicJSON(status: failure.status, message: failure.message),
      into: &out)
  }

  func complete(_ answer: CollectedAnswer) -> [UInt8] {
    var content: [JSON] = []
    if !answer.reasoning.isEmpty {
      content.append(["type": "thinking", "thinking": .string(answer.reasoning), "signature": ""])
    }
    if !answer.text.isEmpty { content.append(["type": "text", "text": .string(answer.text)]) }
    for c in answer.toolCalls {
      content.append([
        "type": "tool_use", "id": .string(c.id), "name": .string(c.name),
        "input": Wires.argumentsObject(c.arguments),
      ])
    }
    let body: JSON = [
      "id": .string(id), "type": "message", "role": "assistant", "model": .string(model),
      "content": .array(content),
      "stop_reason": .string(Self.stopReason(answer.finish, toolUse: !answer.toolCalls.isEmpty)),
      "stop_sequence": nil,
      "usage": Self.usageJSON(answer.usage ?? TokenUsage(inputTokens: 0, outputTokens: 0)),
    ]
    return body.serializedBytes()
  }

  func errorBody(_ failure: ServeFailure) -> [UInt8] {
    ServeErrorBody.anthropic(status: failure.status, message: failure.message)
  }

  static func stopReason(_ f: FinishReason, toolUse: Bool) -> String {
    if toolUse { return "tool_use" }
    switch f {
    case .length: return "max_tokens"
    case .toolCalls: return "tool_use"
    case .contentFilter: return "refusal"
    case .stop, .other: return "end_turn"
    }
  }

  static func usageJSON(_ u: TokenUsage) -> JSON {
    var o: JSONObject = [
      "input_tokens": .int(Int64(u.inputTokens)), "output_tokens": .int(Int64(u.outputTokens)),
    ]
    if u.cachedInputTokens > 0 {
      o["cache_read_input_tokens"] = .int(Int64(u.cachedInputTokens))
    }
    return .object(o)
  }
}
