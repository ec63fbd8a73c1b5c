/// Anthropic Messages (protocols.md §5), as served by api.anthropic.com and by llama.cpp, vLLM,
/// Ollama and LM Studio on `/v1/messages`. The request side: roles merged the way the API
/// insists on, signed thinking replayed, and the stable prefix marked for prompt caching.
public struct AnthropicWire: Wire {
  public init() {}
  public var api: WireAPI { .anthropic }
  public var framing: Framing { .sse }

  /// The API version every request names (the one all of today's features are under).
  public static let apiVersion = "2023-06-01"
  /// `max_tokens` is required; this is sent when none is configured. Every current model
  /// accepts it, and an agent's answers fit.
  public static let defaultMaxTokens = 8192

  /// `ANTHROPIC_BASE_URL` is a bare host (`https://api.anthropic.com`); servers that also speak
  /// the chat wire are often given with `/v1`. Both mean the same root.
  public static func root(_ baseURL: String) -> String {
    var s = baseURL
    while s.hasSuffix("/") { s.removeLast() }
    if s.hasSuffix("/v1") { s.removeLast(3) }
    return s
  }

  func url(_ provider: ProviderInfo, _ path: String) -> String {
    var p = provider
    p.baseURL = Self.root(provider.baseURL) + "/v1"
    return p.url(path: path)
  }

  public func authHeaders(apiKey: String?, provider: ProviderInfo) -> [(
    name: String, value: String
  )] {
    var h: [(name: String, value: String)] = []
    if let apiKey { h.append(("x-api-key", apiKey)) }
    h.append(("anthropic-version", Self.apiVersion))
    return h
  }

  public func encode(
    _ request: ChatRequest, provider: ProviderInfo, headers: [(name: String, value: String)]
  ) throws -> HTTPRequest {
    HTTPRequest(
      method: "POST", url: url(provider, "messages"),
      headers: headers + [("Accept", "text/event-stream")],
      body: body(request, replayUnsignedThinking: provider.isLocal).serializedBytes())
  }

  /// `replayUnsignedThinking`: local servers (llama.cpp) stream thinking with an empty
  /// signature and read it back as the model's reasoning; a hosted API verifies signatures and
  /// would reject such a block (a session that moved from one to the other).
  public func body(_ request: ChatRequest, replayUnsignedThinking: Bool = false) -> JSON {
    var b = JSONObject()
    b["model"] = .string(request.model)
    b["max_tokens"] = .int(Int64(Self.maxTokens(request.options)))
    b["stream"] = true
    // The prefix that stays the same all session (tools, then system, in the API's cache order)
    // gets one breakpoint at its end: on the system prompt, or the last tool without one.
    let system = request.instructions.flatMap { $0.isEmpty ? nil : $0 }
    if !request.tools.isEmpty {
      b["tools"] = .array(
        request.tools.enumerated().map { n, t in
          var o: JSONObject = [
            "name": .string(t.name), "description": .string(t.description),
            "input_schema": t.parameters,
          ]
          if system == nil, n == request.tools.count - 1 { o["cache_control"] = Self.ephemeral }
          return .object(o)
        })
    }
    if let system {
      b["system"] = [["type": "text", "text": .string(system), "cache_control": Self.ephemeral]]
    }
    b["messages"] = .array(
      Self.messages(request.messages, replayUnsignedThinking: replayUnsignedThinking))
    let o = request.options
    if let t = o.temperature { b["temperature"] = .double(t) }
    if let p = o.topP { b["top_p"] = .double(p) }
    // `thinking`, `top_k`, `stop_sequences`, `metadata`, `service_tier`: top-level, as given.
    for e in o.extra.entries { b[e.key] = e.value }
    return .object(b)
  }

  static let ephemeral: JSON = ["type": "ephemeral"]

  /// The configured limit, else the default; raised above a configured thinking budget, which
  /// the API requires to be smaller.
  static func maxTokens(_ o: ModelOptions) -> Int {
    let configured = o.maxOutputTokens ?? defaultMaxTokens
    if let budget = o.extra["thinking"]?["budget_tokens"]?.intValue, budget >= configured,
      budget < Int.max - defaultMaxTokens
    {
      return budget + defaultMaxTokens
    }
    return configured
  }

  /// The history as Anthropic messages: only `user` and `assistant`, alternating, so
  /// consecutive items of one role become one message (all tool results of a round in one user
  /// message, and a user message right after them joins it). The last two user messages end
  /// with a cache breakpoint: the newest, so the next request reads everything up to it from
  /// the cache, and the one before, which the previous request wrote.
  static func messages(_ history: [ChatMessage], replayUnsignedThinking: Bool = false) -> [JSON] {
    var out: [(role: String, blocks: [JSON])] = []
    func add(_ role: String, _ blocks: [JSON]) {
      guard !blocks.isEmpty else { return }
      if let last = out.indices.last, out[last].role == role {
        out[last].blocks += blocks
      } else {
        out.append((role, blocks))
      }
    }
    var ids = ToolUseIDs()
    for m in history {
      switch m {
      case .user(let text):
        // The API rejects empty text blocks.
        add("user", text.isEmpty ? [] : [["type": "text", "text": .string(text)]])
      case .assistant(let a):
        var blocks: [JSON] = []
        if let state = a.wireState, state.wire == .anthropic {
          blocks += AnthropicState.thinkingBlocks(state.data, unsigned: replayUnsignedThinking)
        }
        if !a.text.isEmpty { blocks.append(["type": "text", "text": .string(a.text)]) }
        ids.startTurn()
        for c in a.toolCalls {
          blocks.append([
            "type": "tool_use", "id": .string(ids.use(c.id)), "name": .string(c.name),
            "input": Wires.argumentsObject(c.arguments),
          ])
        }
        add("assistant", blocks)
      case .toolResult(let r):
        var o: JSONObject = ["type": "tool_result", "tool_use_id": .string(ids.result(r.callID))]
        if !r.output.isEmpty { o["content"] = .string(r.output) }
        if r.isError { o["is_error"] = true }
        add("user", [.object(o)])
      }
    }
    var marked = 0
    for i in out.indices.reversed() where out[i].role == "user" && marked < 2 {
      guard case .object(var last)? = out[i].blocks.last else { continue }
      last["cache_control"] = ephemeral
      out[i].blocks[out[i].blocks.count - 1] = .object(last)
      marked += 1
    }
    return out.map { ["role": .string($0.role), "content": .array($0.blocks)] }
  }

  public func makeDecoder() -> any WireDecoder { AnthropicDecoder() }

  public func modelsURL(provider: ProviderInfo) -> String? { url(provider, "models") }

  public func modelIDs(fromListing json: JSON) -> [String] {
    OpenAIChatWire().modelIDs(fromListing: json)
  }
}

/// Tool-use ids as the API accepts them (`^[a-zA-Z0-9_-]+$`, unique in the request) for calls
/// that may come from any wire (`functions.shell:0` from Kimi, an empty id from an old session).
/// Each result uses the id given to its call in the turn before it.
struct ToolUseIDs {
  var used: Set<String> = []
  var turn: [String: String] = [:]

  mutating func startTurn() { turn = [:] }

  static func sanitized(_ id: String) -> String {
    // Ids from Anthropic and OpenAI already fit: kept without copying.
    if !id.isEmpty, id.utf8.allSatisfy(isValid) { return id }
    let s = String(
      String.UnicodeScalarView(
        id.unicodeScalars.map {
          ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
            || $0 == "_" || $0 == "-" ? $0 : "_"
        }))
    return s.isEmpty ? "toolu" : s
  }

  static func isValid(_ b: UInt8) -> Bool {
    switch b {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
      return true
    default:
      return false
    }
  }

  mutating func use(_ id: String) -> String {
    let base = Self.sanitized(id)
    var candidate = base
    var n = 1
    while used.contains(candidate) {
      n += 1
      candidate = "\(base)_\(n)"
    }
    used.insert(candidate)
    turn[id] = candidate
    return candidate
  }

  /// A result whose call is not in the turn before it (never in a history the session made)
  /// still gets a well-formed id, and the API says what is wrong.
  func result(_ id: String) -> String {
    turn[id] ?? Self.sanitized(id)
  }
}

/// What `AnthropicWire` keeps on an assistant message: the thinking blocks as they came,
/// signature and all, which the API wants back unchanged on tool-use turns.
/// `{"thinking_blocks": [{"type":"thinking","thinking":…,"signature":…} | {"type":"redacted_thinking","data":…}]}`
enum AnthropicState {
  static func make(_ blocks: [JSON]) -> WireState {
    WireState(wire: .anthropic, data: ["thinking_blocks": .array(blocks)])
  }

  /// The blocks to replay; anything that is not a well-formed thinking block is left out, and
  /// thinking with an empty signature unless `unsigned`.
  static func thinkingBlocks(_ data: JSON, unsigned: Bool) -> [JSON] {
    (data["thinking_blocks"]?.arrayValue ?? []).filter { b in
      switch b["type"]?.stringValue {
      case "thinking":
        guard b["thinking"]?.stringValue != nil, let s = b["signature"]?.stringValue else {
          return false
        }
        return unsigned || !s.isEmpty
      case "redacted_thinking": return b["data"]?.stringValue != nil
      default: return false
      }
    }
  }
}
