/// Assembles an Anthropic Messages stream: text and thinking deltas pass straight through;
/// a tool call's `input_json_delta` fragments are joined per block and the call is emitted at
/// the block's stop; thinking blocks are kept whole, with their signatures, for the next
/// request. Usage and the end come at `message_stop`.
public struct AnthropicDecoder: WireDecoder {
  struct Block {
    var type: String
    var id = ""
    var name = ""
    /// `input_json_delta` fragments joined.
    var json = ""
    /// The `input` the block started with (servers that send it whole there).
    var startInput: JSON?
    var thinking = ""
    var signature = ""
    var data = ""
  }

  /// Open content blocks by `index`, in the order they started.
  var blocks: [Int: Block] = [:]
  var blockOrder: [Int] = []
  var thinkingBlocks: [JSON] = []
  var sawToolCall = false
  var usage = Usage()
  var stopReason: String?
  var sawStart = false
  /// `message_stop` came and the end was emitted; anything after it is ignored.
  var ended = false

  /// The usage counters as last reported: `message_delta` repeats them cumulatively.
  struct Usage {
    var input = 0
    var cacheCreation = 0
    var cacheRead = 0
    var output = 0
    var seen = false

    mutating func merge(_ u: JSON?) {
      guard let u, u.objectValue != nil else { return }
      seen = true
      if let v = u["input_tokens"], !v.isNull { input = Wires.count(v) }
      if let v = u["cache_creation_input_tokens"], !v.isNull { cacheCreation = Wires.count(v) }
      if let v = u["cache_read_input_tokens"], !v.isNull { cacheRead = Wires.count(v) }
      if let v = u["output_tokens"], !v.isNull { output = Wires.count(v) }
    }

    /// Input as the other wires count it: every prompt token, cached or not.
    var tokenUsage: TokenUsage {
      TokenUsage(
        inputTokens: input + cacheCreation + cacheRead, outputTokens: output,
        cachedInputTokens: cacheRead)
    }
  }

  public init() {}

  public mutating func decode(_ frame: WireFrame) throws -> [ChatEvent] {
    guard case .event(let name, let data) = frame, !data.isEmpty, !ended else { return [] }
    let json = try Wires.parseJSON(data)
    let type = json["type"]?.stringValue ?? name ?? ""
    switch type {
    case "message_start":
      sawStart = true
      usage.merge(json["message"]?["usage"])
      return []
    case "content_block_start":
      return start(index: json["index"]?.intValue, json["content_block"])
    case "content_block_delta":
      return delta(index: json["index"]?.intValue, json["delta"])
    case "content_block_stop":
      guard let index = json["index"]?.intValue else { return [] }
      return stop(index)
    case "message_delta":
      if let r = json["delta"]?["stop_reason"]?.stringValue { stopReason = r }
      usage.merge(json["usage"])
      return []
    case "message_stop":
      return end()
    case "error":
      throw Self.error(json["error"] ?? json, raw: data)
    default:
      // `ping` and events added after this was written. An error object in a stranger shape
      // (a proxy's) is still an error.
      if json["error"] != nil, let e = ErrorBody.from(json) {
        throw WireError.serverError(e.message)
      }
      return []
    }
  }

  /// `overloaded_error` and `api_error` pass (the SDK retries their 529 and 500); the others
  /// say something about the request.
  static func error(_ e: JSON, raw: String) -> WireError {
    let message = e["message"]?.stringValue ?? e.serialized()
    switch e["type"]?.stringValue {
    case "overloaded_error", "api_error": return .transient(message)
    default: return .serverError(message.isEmpty ? raw : message)
    }
  }

  mutating func start(index: Int?, _ block: JSON?) -> [ChatEvent] {
    guard let index, let block, let type = block["type"]?.stringValue else { return [] }
    var b = Block(type: type)
    var events: [ChatEvent] = []
    switch type {
    case "tool_use":
      b.id = block["id"]?.stringValue ?? ""
      b.name = block["name"]?.stringValue ?? ""
      b.startInput = block["input"]
    case "text":
      if let t = block["text"]?.stringValue, !t.isEmpty { events.append(.textDelta(t)) }
    case "thinking":
      if let t = block["thinking"]?.stringValue, !t.isEmpty {
        b.thinking = t
        events.append(.reasoningDelta(t))
      }
      b.signature = block["signature"]?.stringValue ?? ""
    case "redacted_thinking":
      b.data = block["data"]?.stringValue ?? ""
    default:
      break
    }
    if blocks[index] == nil { blockOrder.append(index) }
    blocks[index] = b
    return events
  }

  mutating func delta(index: Int?, _ delta: JSON?) -> [ChatEvent] {
    guard let delta else { return [] }
    switch delta["type"]?.stringValue {
    case "text_delta":
      if let t = delta["text"]?.stringValue, !t.isEmpty { return [.textDelta(t)] }
    case "thinking_delta":
      if let t = delta["thinking"]?.stringValue, !t.isEmpty {
        if let index { blocks[index]?.thinking += t }
        return [.reasoningDelta(t)]
      }
    case "signature_delta":
      if let index, let s = delta["signature"]?.stringValue { blocks[index]?.signature += s }
    case "input_json_delta":
      if let index, let s = delta["partial_json"]?.stringValue { blocks[index]?.json += s }
    default:
      // `citations_delta` and deltas added later.
      break
    }
    return []
  }

  mutating func stop(_ index: Int) -> [ChatEvent] {
    guard let b = blocks.removeValue(forKey: index) else { return [] }
    blockOrder.removeAll { $0 == index }
    return close(b)
  }

  mutating func close(_ b: Block) -> [ChatEvent] {
    switch b.type {
    case "tool_use":
      sawToolCall = true
      return [.toolCall(ToolCall(id: b.id, name: b.name, arguments: Self.arguments(b)))]
    case "thinking":
      thinkingBlocks.append([
        "type": "thinking", "thinking": .string(b.thinking), "signature": .string(b.signature),
      ])
    case "redacted_thinking":
      thinkingBlocks.append(["type": "redacted_thinking", "data": .string(b.data)])
    default:
      break
    }
    return []
  }

  /// The joined fragments; none means the input the block started with, and an empty one is
  /// `{}` (the SDK's rule).
  static func arguments(_ b: Block) -> String {
    if !b.json.trimmingWhitespace().isEmpty { return b.json }
    if let input = b.startInput, input.objectValue != nil { return input.serialized() }
    return "{}"
  }

  /// Blocks never stopped are closed, then the usage, the thinking to replay, and the end.
  mutating func end() -> [ChatEvent] {
    guard !ended else { return [] }
    ended = true
    var events: [ChatEvent] = []
    for index in blockOrder {
      if let b = blocks[index] { events += close(b) }
    }
    blocks = [:]
    blockOrder = []
    if usage.seen { events.append(.usage(usage.tokenUsage)) }
    if !thinkingBlocks.isEmpty { events.append(.wireState(AnthropicState.make(thinkingBlocks))) }
    events.append(.finished(finishReason))
    return events
  }

  var finishReason: FinishReason {
    if sawToolCall { return .toolCalls }
    switch stopReason {
    case nil, "end_turn", "stop_sequence", "tool_use": return .stop
    // Both cut the answer short: out of output tokens, or out of context window.
    case "max_tokens", "model_context_window_exceeded": return .length
    case "refusal": return .contentFilter
    case .some(let other): return .other(other)
    }
  }

  public mutating func finish() throws -> [ChatEvent] {
    if ended { return [] }
    // A server that ends the body after `message_delta` said why it stopped is done too.
    if stopReason != nil { return end() }
    throw WireError.truncated(
      sawStart ? "the stream ended before message_stop" : "the stream ended with no data")
  }

  public mutating func decodeComplete(_ json: JSON) throws -> [ChatEvent] {
    if json["type"]?.stringValue == "error" || json["error"] != nil {
      throw Self.error(json["error"] ?? json, raw: json.serialized())
    }
    guard let content = json["content"]?.arrayValue else {
      throw WireError.malformed("a message has no 'content'")
    }
    var events: [ChatEvent] = []
    for (n, block) in content.enumerated() {
      // Whole blocks: each starts (passing its text on) and stops at once.
      events += start(index: n, block)
      events += stop(n)
    }
    if let r = json["stop_reason"]?.stringValue { stopReason = r }
    usage.merge(json["usage"])
    return events + end()
  }

  /// A `text_delta` or `thinking_delta` event, read from its bytes: almost every event of a
  /// long answer. Mirrors `decode` for that shape; see `DeltaScanner`.
  public mutating func decodeFast(_ frame: RawWireFrame, into events: inout [ChatEvent]) -> Bool {
    guard !ended, frame.data.first == UInt8(ascii: "{") else { return false }
    var type: UnsafeBufferPointer<UInt8>?
    var index: JSON?
    var deltaType: UnsafeBufferPointer<UInt8>?
    var text: String?
    var thinking: String?
    var p = JSONParser(frame.data)
    do {
      var seen: UInt8 = 0
      var more = false
      try p.enterObject(depth: 0)
      while let key = try p.nextMember(&more) {
        if DeltaScanner.is(key, "type") {
          try DeltaScanner.once(&seen, 1)
          type = try p.rawKey()
        } else if DeltaScanner.is(key, "index") {
          try DeltaScanner.once(&seen, 2)
          do { index = try p.value(depth: 1) } catch { throw DeltaScanner.GiveUp() }
        } else if DeltaScanner.is(key, "delta") {
          try DeltaScanner.once(&seen, 4)
          try p.enterObject(depth: 1)
          var moreInDelta = false
          var seenInDelta: UInt8 = 0
          while let key = try p.nextMember(&moreInDelta) {
            if DeltaScanner.is(key, "type") {
              try DeltaScanner.once(&seenInDelta, 1)
              deltaType = try p.rawKey()
            } else if DeltaScanner.is(key, "text") {
              try DeltaScanner.once(&seenInDelta, 2)
              text = try p.stringOrNull()
            } else if DeltaScanner.is(key, "thinking") {
              try DeltaScanner.once(&seenInDelta, 4)
              thinking = try p.stringOrNull()
            } else {
              try p.skipValue(depth: 2)
            }
          }
        } else if DeltaScanner.is(key, "error") {
          return false
        } else {
          try p.skipValue(depth: 1)
        }
      }
    } catch {
      return false
    }
    guard DeltaScanner.atEnd(&p), let t = type ?? frame.eventName,
      DeltaScanner.is(t, "content_block_delta"), let deltaType
    else { return false }
    if DeltaScanner.is(deltaType, "text_delta") {
      if let t = text, !t.isEmpty { events.append(.textDelta(t)) }
      return true
    }
    if DeltaScanner.is(deltaType, "thinking_delta") {
      if let t = thinking, !t.isEmpty {
        if let i = index?.intValue { blocks[i]?.thinking += t }
        events.append(.reasoningDelta(t))
      }
      return true
    }
    return false
  }
}
