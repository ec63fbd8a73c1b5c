/// OpenAI Responses (protocols.md §2). Stateless: `store: false` and the full history every
/// turn, which works with OpenAI, vLLM, LM Studio and Ollama (no `previous_response_id` there).
public struct OpenAIResponsesWire: Wire {
  public init() {}
  public var api: WireAPI { .responses }
  public var framing: Framing { .sse }

  public func encode(
    _ request: ChatRequest, provider: ProviderInfo, headers: [(name: String, value: String)]
  ) throws -> HTTPRequest {
    HTTPRequest(
      method: "POST", url: provider.url(path: "responses"),
      headers: headers + [("Accept", "text/event-stream")],
      body: body(request).serializedBytes())
  }

  public func body(_ request: ChatRequest) -> JSON {
    var b = JSONObject()
    b["model"] = .string(request.model)
    // `instructions` is never carried over between responses: send it every turn.
    if let sys = request.instructions, !sys.isEmpty { b["instructions"] = .string(sys) }
    b["input"] = .array(input(request.messages))
    if !request.tools.isEmpty {
      b["tools"] = .array(
        request.tools.map { t in
          [
            "type": "function", "name": .string(t.name), "description": .string(t.description),
            "strict": false, "parameters": t.parameters,
          ]
        })
      b["tool_choice"] = "auto"
    }
    b["stream"] = true
    b["store"] = false
    let o = request.options
    if let t = o.temperature { b["temperature"] = .double(t) }
    if let p = o.topP { b["top_p"] = .double(p) }
    if let m = o.maxOutputTokens { b["max_output_tokens"] = .int(Int64(m)) }
    for e in o.extra.entries { b[e.key] = e.value }
    return .object(b)
  }

  func input(_ messages: [ChatMessage]) -> [JSON] {
    var out: [JSON] = []
    for m in messages {
      switch m {
      case .user(let text):
        out.append(["role": "user", "content": [["type": "input_text", "text": .string(text)]]])
      case .assistant(let a):
        if !a.text.isEmpty {
          out.append([
            "role": "assistant", "content": [["type": "output_text", "text": .string(a.text)]],
          ])
        }
        for c in a.toolCalls {
          out.append([
            "type": "function_call", "call_id": .string(c.id), "name": .string(c.name),
            "arguments": .string(c.arguments),
          ])
        }
      case .toolResult(let r):
        out.append([
          "type": "function_call_output", "call_id": .string(r.callID), "output": .string(r.output),
        ])
      }
    }
    return out
  }

  public func readError(status: Int, body: [UInt8]) -> ErrorReading {
    Wires.openAIErrorReading(status: status, body: body)
  }

  public func makeDecoder() -> any WireDecoder { OpenAIResponsesDecoder() }
  public func modelsURL(provider: ProviderInfo) -> String? { provider.url(path: "models") }
  public func modelIDs(fromListing json: JSON) -> [String] {
    OpenAIChatWire().modelIDs(fromListing: json)
  }
}

public struct OpenAIResponsesDecoder: WireDecoder {
  struct PartialCall {
    var callID: String
    var name: String
    var arguments = ""
    var emitted = false
  }
  /// Keyed by the item id (`fc_…`); the result must go back under `call_id` (`call_…`).
  var calls: [String: PartialCall] = [:]
  var callOrder: [String] = []
  var completed = false
  var sawToolCall = false
  /// Reasoning may arrive as summary text or as raw text; show whichever comes, not both.
  var reasoningKind: String?

  public init() {}

  public mutating func decode(_ frame: WireFrame) throws -> [ChatEvent] {
    guard case .event(let name, let data) = frame, !data.isEmpty else { return [] }
    let json = try Wires.parseJSON(data)
    let type = json["type"]?.stringValue ?? name ?? ""
    switch type {
    case "response.output_item.added":
      if let item = json["item"], item["type"]?.stringValue == "function_call" {
        let id = item["id"]?.stringValue ?? item["call_id"]?.stringValue ?? "fc_\(callOrder.count)"
        if calls[id] == nil { callOrder.append(id) }
        calls[id] = PartialCall(
          callID: item["call_id"]?.stringValue ?? id, name: item["name"]?.stringValue ?? "",
          arguments: item["arguments"]?.stringValue ?? "")
      }
      return []
    case "response.output_text.delta", "response.refusal.delta":
      if let d = json["delta"]?.stringValue, !d.isEmpty { return [.textDelta(d)] }
      return []
    case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
      if reasoningKind == nil { reasoningKind = type }
      if reasoningKind == type, let d = json["delta"]?.stringValue, !d.isEmpty {
        return [.reasoningDelta(d)]
      }
      return []
    case "response.function_call_arguments.delta":
      if let id = json["item_id"]?.stringValue, let d = json["delta"]?.stringValue {
        calls[id]?.arguments += d
      }
      return []
    case "response.function_call_arguments.done":
      if let id = json["item_id"]?.stringValue, let a = json["arguments"]?.stringValue {
        calls[id]?.arguments = a
      }
      return []
    case "response.output_item.done":
      guard let item = json["item"], item["type"]?.stringValue == "function_call" else { return [] }
      let id = item["id"]?.stringValue ?? item["call_id"]?.stringValue ?? ""
      var call =
        calls[id]
        ?? PartialCall(
          callID: item["call_id"]?.stringValue ?? id, name: item["name"]?.stringValue ?? "")
      if calls[id] == nil { callOrder.append(id) }
      if let a = item["arguments"]?.stringValue { call.arguments = a }
      if let n = item["name"]?.stringValue, !n.isEmpty { call.name = n }
      guard !call.emitted else { return [] }
      call.emitted = true
      calls[id] = call
      sawToolCall = true
      return [.toolCall(ToolCall(id: call.callID, name: call.name, arguments: call.arguments))]
    case "response.completed":
      return complete(usage: json["response"]?["usage"])
    case "response.incomplete":
      completed = true
      let reason = json["response"]?["incomplete_details"]?["reason"]?.stringValue
      var events = flushCalls()
      if let u = json["response"]?["usage"], let usage = Self.usage(u) {
        events.append(.usage(usage))
      }
      events.append(
        .finished(
          reason == "max_output_tokens"
            ? .length : reason == "content_filter" ? .contentFilter : .other(reason ?? "incomplete")
        ))
      return events
    case "response.failed":
      let e = json["response"]?["error"]
      throw WireError.serverError(
        e?["message"]?.stringValue ?? e?.serialized() ?? "the response failed")
    case "error":
      throw WireError.serverError(
        json["message"]?.stringValue ?? json["error"]?["message"]?.stringValue ?? data)
    default:
      return []
    }
  }

  /// An `output_text` (or refusal) delta event, read from its bytes; any event `decode`
  /// ignores (`response.created`, `response.output_text.done`, `response.content_part.done`,
  /// …); a message's `response.output_item.done`; and `response.completed`, of which only the
  /// usage is read. At the end of a long answer the last four each repeat the whole text:
  /// checked, not built. Mirrors `decode` for those shapes; see `DeltaScanner`.
  public mutating func decodeFast(_ frame: RawWireFrame, into events: inout [ChatEvent]) -> Bool {
    guard frame.data.first == UInt8(ascii: "{") else { return false }
    var type: UnsafeBufferPointer<UInt8>?
    var delta: String?
    // Where the `item` and `response` values start, to look into them once the type is known.
    var item: Int?
    var response: Int?
    var p = JSONParser(frame.data)
    do {
      var seen: UInt8 = 0
      var more = false
      try p.enterObject(depth: 0)
      while let key = try p.nextMember(&more) {
        if DeltaScanner.is(key, "type") {
          try DeltaScanner.once(&seen, 1)
          // Event types never need escapes; one with an escape takes the general path.
          type = try p.rawKey()
        } else if DeltaScanner.is(key, "delta") {
          try DeltaScanner.once(&seen, 2)
          // Only text deltas use it; for any other type it is skipped below all the same.
          if p.i < p.b.count, p.b[p.i] == UInt8(ascii: "\"") || p.b[p.i] == UInt8(ascii: "n") {
            delta = try p.stringOrNull()
          } else {
            try p.skipValue(depth: 1)
          }
        } else if DeltaScanner.is(key, "item") {
          try DeltaScanner.once(&seen, 4)
          item = p.i
          try p.skipValue(depth: 1)
        } else if DeltaScanner.is(key, "response") {
          try DeltaScanner.once(&seen, 8)
          response = p.i
          try p.skipValue(depth: 1)
        } else {
          try p.skipValue(depth: 1)
        }
      }
    } catch {
      return false
    }
    guard DeltaScanner.atEnd(&p) else { return false }
    // `decode` takes the type from the payload, else from the event name.
    guard let t = type ?? frame.eventName else { return false }
    if DeltaScanner.is(t, "response.output_text.delta")
      || DeltaScanner.is(t, "response.refusal.delta")
    {
      if let d = delta, !d.isEmpty { events.append(.textDelta(d)) }
      return true
    }
    if DeltaScanner.is(t, "response.output_item.done") {
      // Only a function call's item matters; that one (small) takes the general path.
      guard let item else { return true }
      p.i = item
      let itemType: JSON?
      do { itemType = try Self.member("type", ofObjectAt: &p) } catch { return false }
      return itemType?.stringValue != "function_call"
    }
    if DeltaScanner.is(t, "response.completed") {
      var usage: JSON?
      if let response {
        p.i = response
        do { usage = try Self.member("usage", ofObjectAt: &p) } catch { return false }
      }
      events += complete(usage: usage)
      return true
    }
    return Self.ignoredTypes.contains { DeltaScanner.is(t, $0) }
  }

  /// `response.completed`: calls still open, the usage, the end.
  mutating func complete(usage: JSON?) -> [ChatEvent] {
    completed = true
    var events = flushCalls()
    if let u = usage, let usage = Self.usage(u) { events.append(.usage(usage)) }
    events.append(.finished(sawToolCall ? .toolCalls : .stop))
    return events
  }

  /// The value of `key` in the object at the cursor, built by the general parser while every
  /// other member is only stepped over; nil when the value is not an object or has no such key
  /// (as `json[key]` gives nil). Throws `GiveUp` for what the scanner does not handle.
  static func member(_ key: StaticString, ofObjectAt p: inout JSONParser) throws -> JSON? {
    guard p.i < p.b.count, p.b[p.i] == UInt8(ascii: "{") else { return nil }
    var found: JSON?
    var seen: UInt8 = 0
    var more = false
    try p.enterObject(depth: 1)
    while let k = try p.nextMember(&more) {
      if DeltaScanner.is(k, key) {
        try DeltaScanner.once(&seen, 1)
        do { found = try p.value(depth: 2) } catch { throw DeltaScanner.GiveUp() }
      } else {
        try p.skipValue(depth: 2)
      }
    }
    return found
  }

  /// Event types `decode` returns nothing for and keeps no state from.
  static let ignoredTypes: [StaticString] = [
    "response.created", "response.in_progress", "response.queued",
    "response.content_part.added", "response.content_part.done", "response.output_text.done",
    "response.refusal.done", "response.reasoning_summary_part.added",
    "response.reasoning_summary_part.done", "response.reasoning_summary_text.done",
    "response.reasoning_text.done",
  ]

  /// Calls whose `output_item.done` never came (some servers skip it) are emitted at the end.
  mutating func flushCalls() -> [ChatEvent] {
    var events: [ChatEvent] = []
    for id in callOrder {
      guard var c = calls[id], !c.emitted else { continue }
      c.emitted = true
      calls[id] = c
      sawToolCall = true
      events.append(.toolCall(ToolCall(id: c.callID, name: c.name, arguments: c.arguments)))
    }
    return events
  }

  public mutating func finish() throws -> [ChatEvent] {
    if !completed { throw WireError.truncated("the stream closed before response.completed") }
    return []
  }

  public mutating func decodeComplete(_ json: JSON) throws -> [ChatEvent] {
    if let e = ErrorBody.from(json) { throw WireError.serverError(e.message) }
    guard let output = json["output"]?.arrayValue else {
      throw WireError.malformed("a response has no 'output'")
    }
    var events: [ChatEvent] = []
    for item in output {
      switch item["type"]?.stringValue {
      case "message":
        for part in item["content"]?.arrayValue ?? [] {
          if let t = part["text"]?.stringValue, !t.isEmpty { events.append(.textDelta(t)) }
        }
      case "function_call":
        sawToolCall = true
        events.append(
          .toolCall(
            ToolCall(
              id: item["call_id"]?.stringValue ?? "call_0", name: item["name"]?.stringValue ?? "",
              arguments: item["arguments"]?.stringValue ?? "")))
      default: break
      }
    }
    completed = true
    if let u = json["usage"], let usage = Self.usage(u) { events.append(.usage(usage)) }
    events.append(.finished(sawToolCall ? .toolCalls : .stop))
    return events
  }

  static func usage(_ u: JSON) -> TokenUsage? {
    guard u.objectValue != nil else { return nil }
    return TokenUsage(
      inputTokens: u["input_tokens"]?.intValue ?? 0,
      outputTokens: u["output_tokens"]?.intValue ?? 0,
      cachedInputTokens: u["input_tokens_details"]?["cached_tokens"]?.intValue ?? 0,
      reasoningTokens: u["output_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0)
  }
}
