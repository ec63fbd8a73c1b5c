/// Ollama's native `POST /api/chat` (protocols.md §3): NDJSON, tool calls arrive whole with
/// object arguments, and only this API can set the context size (`num_ctx`).
public struct OllamaWire: Wire {
  public init() {}
  public var api: WireAPI { .ollama }
  public var framing: Framing { .ndjson }

  /// Option keys that are top-level request fields rather than `options` entries.
  static let topLevelKeys: Set<String> = ["keep_alive", "think", "format"]

  /// Users type `…:11434`, `…:11434/api` or `…:11434/v1`: all mean the same server.
  public static func root(_ baseURL: String) -> String {
    var s = baseURL
    while s.hasSuffix("/") { s.removeLast() }
    for suffix in ["/api", "/v1"] where s.hasSuffix(suffix) {
      s.removeLast(suffix.count)
      break
    }
    return s
  }

  func url(_ provider: ProviderInfo, _ path: String) -> String {
    var p = provider
    p.baseURL = Self.root(provider.baseURL)
    return p.url(path: path)
  }

  public func encode(
    _ request: ChatRequest, provider: ProviderInfo, headers: [(name: String, value: String)]
  ) throws -> HTTPRequest {
    HTTPRequest(
      method: "POST", url: url(provider, "api/chat"), headers: headers,
      body: body(request).serializedBytes())
  }

  public func body(_ request: ChatRequest) -> JSON {
    var b = JSONObject()
    b["model"] = .string(request.model)
    b["stream"] = true
    var msgs: [JSON] = []
    if let sys = request.instructions, !sys.isEmpty {
      msgs.append(["role": "system", "content": .string(sys)])
    }
    for m in request.messages {
      switch m {
      case .user(let text):
        msgs.append(["role": "user", "content": .string(text)])
      case .assistant(let a):
        var o: JSONObject = ["role": "assistant", "content": .string(a.text)]
        if !a.reasoning.isEmpty { o["thinking"] = .string(a.reasoning) }
        if !a.toolCalls.isEmpty {
          o["tool_calls"] = .array(
            a.toolCalls.map { c in
              [
                "id": .string(c.id),
                "function": [
                  "name": .string(c.name), "arguments": Wires.argumentsObject(c.arguments),
                ],
              ]
            })
        }
        msgs.append(.object(o))
      case .toolResult(let r):
        msgs.append([
          "role": "tool", "content": .string(r.output), "tool_name": .string(r.name),
          "tool_call_id": .string(r.callID),
        ])
      }
    }
    b["messages"] = .array(msgs)
    if !request.tools.isEmpty {
      b["tools"] = .array(request.tools.map(\.chatCompletionsJSON))
    }
    var options = JSONObject()
    let o = request.options
    if let t = o.temperature { options["temperature"] = .double(t) }
    if let p = o.topP { options["top_p"] = .double(p) }
    if let m = o.maxOutputTokens { options["num_predict"] = .int(Int64(m)) }
    for e in o.extra.entries {
      if Self.topLevelKeys.contains(e.key) { b[e.key] = e.value } else { options[e.key] = e.value }
    }
    if !options.isEmpty { b["options"] = .object(options) }
    return .object(b)
  }

  public func makeDecoder() -> any WireDecoder { OllamaDecoder() }
  public func modelsURL(provider: ProviderInfo) -> String? { url(provider, "api/tags") }
  public func modelIDs(fromListing json: JSON) -> [String] {
    (json["models"]?.arrayValue ?? []).compactMap {
      $0["name"]?.stringValue ?? $0["model"]?.stringValue
    }
  }
}

public struct OllamaDecoder: WireDecoder {
  var done = false
  var callCount = 0

  public init() {}

  public mutating func decode(_ frame: WireFrame) throws -> [ChatEvent] {
    guard case .line(let bytes) = frame else { return [] }
    return try decodeObject(Wires.parseJSON(bytes))
  }

  /// A line carrying only text or thinking (not the final `done: true` line, no tool calls, no
  /// error), read from its bytes. Mirrors `decodeObject` for that shape; see `DeltaScanner`.
  public mutating func decodeFast(_ frame: RawWireFrame, into events: inout [ChatEvent]) -> Bool {
    guard frame.data.first == UInt8(ascii: "{") else { return false }
    var content: String?
    var thinking: String?
    var p = JSONParser(frame.data)
    do {
      var seen: UInt8 = 0
      var more = false
      try p.enterObject(depth: 0)
      while let key = try p.nextMember(&more) {
        if DeltaScanner.is(key, "message") {
          try DeltaScanner.once(&seen, 1)
          try p.enterObject(depth: 1)
          var moreInMessage = false
          while let key = try p.nextMember(&moreInMessage) {
            if DeltaScanner.is(key, "content") {
              try DeltaScanner.once(&seen, 2)
              content = try p.stringOrNull()
            } else if DeltaScanner.is(key, "thinking") {
              try DeltaScanner.once(&seen, 4)
              thinking = try p.stringOrNull()
            } else if DeltaScanner.is(key, "tool_calls") {
              try p.null()
            } else {
              try p.skipValue(depth: 2)
            }
          }
        } else if DeltaScanner.is(key, "done") {
          // The last line (usage, finish reason) is the general path's.
          if try p.bool() { return false }
        } else if DeltaScanner.is(key, "error") {
          return false
        } else {
          try p.skipValue(depth: 1)
        }
      }
    } catch {
      return false
    }
    guard DeltaScanner.atEnd(&p) else { return false }
    if let t = thinking, !t.isEmpty { events.append(.reasoningDelta(t)) }
    if let c = content, !c.isEmpty { events.append(.textDelta(c)) }
    return true
  }

  mutating func decodeObject(_ json: JSON) throws -> [ChatEvent] {
    if let e = json["error"] {
      throw WireError.serverError(e.stringValue ?? e["message"]?.stringValue ?? e.serialized())
    }
    var events: [ChatEvent] = []
    if let m = json["message"] {
      if let t = m["thinking"]?.stringValue, !t.isEmpty { events.append(.reasoningDelta(t)) }
      if let c = m["content"]?.stringValue, !c.isEmpty { events.append(.textDelta(c)) }
      for tc in m["tool_calls"]?.arrayValue ?? [] {
        let fn = tc["function"]
        let id = tc["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "call_\(callCount)"
        let args = fn?["arguments"]
        let argText = args?.stringValue ?? args?.serialized() ?? "{}"
        callCount += 1
        events.append(
          .toolCall(ToolCall(id: id, name: fn?["name"]?.stringValue ?? "", arguments: argText)))
      }
    }
    if json["done"]?.boolValue == true {
      done = true
      if json["prompt_eval_count"] != nil || json["eval_count"] != nil {
        events.append(
          .usage(
            TokenUsage(
              inputTokens: json["prompt_eval_count"]?.intValue ?? 0,
              outputTokens: json["eval_count"]?.intValue ?? 0)))
      }
      // A turn that ends in tool calls still says "stop".
      let reason = json["done_reason"]?.stringValue
      events.append(
        .finished(
          callCount > 0 ? .toolCalls : reason == "length" ? .length : .stop))
    }
    return events
  }

  public mutating func finish() throws -> [ChatEvent] {
    if !done { throw WireError.truncated("the stream ended before a line with done:true") }
    return []
  }

  public mutating func decodeComplete(_ json: JSON) throws -> [ChatEvent] {
    var events = try decodeObject(json)
    if !done {
      done = true
      events.append(.finished(callCount > 0 ? .toolCalls : .stop))
    }
    return events
  }
}
