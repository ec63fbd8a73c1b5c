/// OpenAI Chat Completions, as served by OpenAI, vLLM, llama.cpp, TGI's Messages API, LM Studio,
/// Ollama's `/v1` and every proxy. Server habits are in protocols.md §1 and §4.
public struct OpenAIChatWire: Wire {
  public init() {}
  public var api: WireAPI { .chat }
  public var framing: Framing { .sse }

  public func encode(
    _ request: ChatRequest, provider: ProviderInfo, headers: [(name: String, value: String)]
  ) throws -> HTTPRequest {
    HTTPRequest(
      method: "POST", url: provider.url(path: Self.path("chat/completions", provider)),
      headers: headers + [("Accept", "text/event-stream")],
      body: body(request, flavor: provider.flavor, includeUsage: true).serializedBytes())
  }

  /// `includeUsage` is false on the retry for servers that reject `stream_options`.
  public func body(_ request: ChatRequest, flavor: ServerFlavor, includeUsage: Bool) -> JSON {
    var b = JSONObject()
    // TGI reads `model` as a LoRA adapter id; "tgi" means the base model.
    b["model"] = .string(flavor == .tgi ? "tgi" : request.model)
    b["messages"] = .array(messages(request, flavor: flavor))
    if !request.tools.isEmpty {
      // Never `tools: []`: current vLLM answers it with 400.
      b["tools"] = .array(request.tools.map(\.chatCompletionsJSON))
    }
    b["stream"] = true
    if includeUsage { b["stream_options"] = ["include_usage": true] }
    let o = request.options
    if let t = o.temperature { b["temperature"] = .double(t) }
    if let p = o.topP { b["top_p"] = .double(p) }
    if let m = o.maxOutputTokens {
      // OpenAI's o-series reject max_tokens; Ollama's /v1 ignores max_completion_tokens.
      b[flavor == .openai ? "max_completion_tokens" : "max_tokens"] = .int(Int64(m))
    }
    for e in o.extra.entries { b[e.key] = e.value }
    return .object(b)
  }

  func messages(_ request: ChatRequest, flavor: ServerFlavor) -> [JSON] {
    var out: [JSON] = []
    if let sys = request.instructions, !sys.isEmpty {
      out.append(["role": "system", "content": .string(sys)])
    }
    for m in request.messages {
      switch m {
      case .user(let text):
        out.append(["role": "user", "content": .string(text)])
      case .assistant(let a):
        var o: JSONObject = ["role": "assistant"]
        if a.toolCalls.isEmpty {
          o["content"] = .string(a.text)
        } else {
          // TGI reads a message as content *or* tool calls: any content key, even "", makes it
          // drop the calls. Everyone else accepts null.
          if !a.text.isEmpty {
            o["content"] = .string(a.text)
          } else if flavor != .tgi {
            o["content"] = .null
          }
          o["tool_calls"] = .array(
            a.toolCalls.map { c in
              [
                "id": .string(c.id), "type": "function",
                "function": ["name": .string(c.name), "arguments": .string(c.arguments)],
              ]
            })
          // DeepSeek's thinking mode wants its reasoning back on tool-call turns; OpenAI
          // rejects unknown message fields, so only others get it.
          if !a.reasoning.isEmpty, flavor != .openai, flavor != .tgi {
            o["reasoning_content"] = .string(a.reasoning)
          }
        }
        out.append(.object(o))
      case .toolResult(let r):
        out.append([
          "role": "tool", "tool_call_id": .string(r.callID), "content": .string(r.output),
        ])
      }
    }
    return out
  }

  public func readError(status: Int, body: [UInt8]) -> ErrorReading {
    Wires.openAIErrorReading(status: status, body: body)
  }

  /// Some OpenAI-compatible servers reject `stream_options` (vLLM when not streaming, older
  /// proxies); usage is nice to have, so the request goes again without it. Once: the changed
  /// request has no `stream_options` left to drop.
  public func adjustAfterError(status: Int, error: ErrorBody, request: HTTPRequest)
    -> HTTPRequest?
  {
    guard status == 400, error.message.contains("stream_options"),
      case .object(var o)? = try? JSON.parse(request.body), o["stream_options"] != nil
    else { return nil }
    o["stream_options"] = nil
    var changed = request
    changed.body = JSON.object(o).serializedBytes()
    return changed
  }

  public func makeDecoder() -> any WireDecoder { OpenAIChatDecoder() }

  public func modelsURL(provider: ProviderInfo) -> String? {
    provider.url(path: Self.path("models", provider))
  }

  /// TGI serves this wire (its Messages API) under `/v1`, but its documented URL is the server
  /// root, which its native `tgi` wire uses as is: so for TGI a root URL means `/v1` here.
  static func path(_ path: String, _ provider: ProviderInfo) -> String {
    guard provider.flavor == .tgi else { return path }
    var rest = Substring(provider.baseURL)
    if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
    let pathStart = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
    let urlPath = rest[pathStart...].prefix { $0 != "?" && $0 != "#" }
    return urlPath.allSatisfy { $0 == "/" } ? "v1/" + path : path
  }

  public func modelIDs(fromListing json: JSON) -> [String] {
    if let data = json["data"]?.arrayValue { return data.compactMap { $0["id"]?.stringValue } }
    if let models = json["models"]?.arrayValue {
      return models.compactMap { $0["name"]?.stringValue ?? $0["model"]?.stringValue }
    }
    return []
  }
}

/// Assembles the chat stream: text and reasoning deltas pass straight through; tool-call
/// fragments are collected by `index` (never by id: TGI repeats ids, Ollama sends whole calls)
/// and emitted complete when the stream ends.
public struct OpenAIChatDecoder: WireDecoder {
  struct PartialCall {
    var id = ""
    var name = ""
    var arguments = ""
  }
  var calls: [Int: PartialCall] = [:]
  var callOrder: [Int] = []
  var finishReason: String?
  var sawDone = false
  var sawAnything = false
  /// Which reasoning field this server uses, fixed at the first one seen, so a build that
  /// sends both `reasoning` and `reasoning_content` is not printed twice.
  var reasoningField: String?

  public init() {}

  public mutating func decode(_ frame: WireFrame) throws -> [ChatEvent] {
    guard case .event(let name, let data) = frame else { return [] }
    if data.isEmpty { return [] }
    if data == "[DONE]" {
      sawDone = true
      return []
    }
    let json = try Wires.parseJSON(data)
    if name == "error" || json["error"] != nil {
      if let e = ErrorBody.from(json) { throw WireError.serverError(e.message) }
      if name == "error" { throw WireError.serverError(json["message"]?.stringValue ?? data) }
    }
    sawAnything = true
    var events: [ChatEvent] = []
    if let choices = json["choices"]?.arrayValue, let choice = choices.first {
      if let delta = choice["delta"] {
        events += decodeDelta(delta)
      } else if let message = choice["message"] {
        events += decodeDelta(message)
      }
      if let fr = choice["finish_reason"]?.stringValue { finishReason = fr }
    }
    if let u = json["usage"], let usage = Self.usage(u) { events.append(.usage(usage)) }
    return events
  }

  /// A chunk carrying only text or reasoning (no tool calls, usage or error), read from its
  /// bytes. Mirrors `decode` + `decodeDelta` for that shape; see `DeltaScanner`.
  public mutating func decodeFast(_ frame: RawWireFrame, into events: inout [ChatEvent]) -> Bool {
    // Named events (`error`, anything unusual) and `[DONE]` take the general path.
    guard frame.eventName == nil, frame.data.first == UInt8(ascii: "{") else { return false }
    var content: String?
    var reasoning: String?
    var reasoningContent: String?
    var finish: String?
    var p = JSONParser(frame.data)
    do {
      var seen: UInt8 = 0
      var more = false
      try p.enterObject(depth: 0)
      while let key = try p.nextMember(&more) {
        if DeltaScanner.is(key, "choices") {
          try DeltaScanner.once(&seen, 1)
          try p.enterArray(depth: 1)
          var moreChoices = false
          var index = 0
          while try p.nextElement(&moreChoices) {
            defer { index += 1 }
            guard index == 0 else {
              try p.skipValue(depth: 2)
              continue
            }
            try p.enterObject(depth: 2)
            var moreInChoice = false
            while let key = try p.nextMember(&moreInChoice) {
              if DeltaScanner.is(key, "delta") {
                try DeltaScanner.once(&seen, 2)
                try p.enterObject(depth: 3)
                var moreInDelta = false
                while let key = try p.nextMember(&moreInDelta) {
                  if DeltaScanner.is(key, "content") {
                    try DeltaScanner.once(&seen, 4)
                    content = try p.stringOrNull()
                  } else if DeltaScanner.is(key, "reasoning") {
                    try DeltaScanner.once(&seen, 8)
                    reasoning = try p.stringOrNull()
                  } else if DeltaScanner.is(key, "reasoning_content") {
                    try DeltaScanner.once(&seen, 16)
                    reasoningContent = try p.stringOrNull()
                  } else if DeltaScanner.is(key, "tool_calls") {
                    try p.null()
                  } else {
                    try p.skipValue(depth: 4)
                  }
                }
              } else if DeltaScanner.is(key, "finish_reason") {
                try DeltaScanner.once(&seen, 32)
                finish = try p.stringOrNull()
              } else if DeltaScanner.is(key, "message") {
                return false
              } else {
                try p.skipValue(depth: 3)
              }
            }
          }
        } else if DeltaScanner.is(key, "usage") {
          try p.null()
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
    sawAnything = true
    if reasoningField == nil {
      if let r = reasoning, !r.isEmpty {
        reasoningField = "reasoning"
      } else if let r = reasoningContent, !r.isEmpty {
        reasoningField = "reasoning_content"
      }
    }
    if let f = reasoningField, let r = f == "reasoning" ? reasoning : reasoningContent, !r.isEmpty {
      events.append(.reasoningDelta(r))
    }
    if let c = content, !c.isEmpty { events.append(.textDelta(c)) }
    if let fr = finish { finishReason = fr }
    return true
  }

  mutating func decodeDelta(_ delta: JSON) -> [ChatEvent] {
    var events: [ChatEvent] = []
    if reasoningField == nil {
      for f in ["reasoning", "reasoning_content"] {
        if let r = delta[f]?.stringValue, !r.isEmpty {
          reasoningField = f
          break
        }
      }
    }
    if let f = reasoningField, let r = delta[f]?.stringValue, !r.isEmpty {
      events.append(.reasoningDelta(r))
    }
    if let c = delta["content"]?.stringValue, !c.isEmpty { events.append(.textDelta(c)) }
    if let tcs = delta["tool_calls"]?.arrayValue {
      for (n, tc) in tcs.enumerated() {
        let index = tc["index"]?.intValue ?? n
        if calls[index] == nil {
          calls[index] = PartialCall()
          callOrder.append(index)
        }
        if let id = tc["id"]?.stringValue, !id.isEmpty, calls[index]?.id.isEmpty == true {
          calls[index]?.id = id
        }
        let fn = tc["function"]
        if let name = fn?["name"]?.stringValue, !name.isEmpty, calls[index]?.name.isEmpty == true {
          calls[index]?.name = name
        }
        if let args = fn?["arguments"] {
          // Ollama's /v1 and a few proxies send the arguments as an object, not a string.
          if let s = args.stringValue {
            calls[index]?.arguments += s
          } else if args.objectValue != nil {
            calls[index]?.arguments += args.serialized()
          }
        }
      }
    }
    return events
  }

  public mutating func finish() throws -> [ChatEvent] {
    if !sawDone && finishReason == nil && calls.isEmpty {
      throw WireError.truncated(
        sawAnything ? "the stream ended before [DONE]" : "the stream ended with no data")
    }
    return assembled()
  }

  mutating func assembled() -> [ChatEvent] {
    var events: [ChatEvent] = []
    for (n, index) in callOrder.enumerated() {
      guard let c = calls[index] else { continue }
      let id = c.id.isEmpty ? "call_\(n)" : c.id
      events.append(.toolCall(ToolCall(id: id, name: c.name, arguments: c.arguments)))
    }
    // Whether the turn called tools is decided from the calls themselves: TGI never says
    // `tool_calls`, and vLLM says `stop` for a named tool_choice. `length` wins: a call cut off
    // at the token limit has incomplete arguments, and the agent must say so to the model.
    let reason: FinishReason
    if finishReason == "length" {
      reason = .length
    } else if !callOrder.isEmpty {
      reason = .toolCalls
    } else {
      switch finishReason {
      case "length": reason = .length
      case "content_filter": reason = .contentFilter
      case nil, "stop", "eos_token", "stop_sequence", "tool_calls", "function_call": reason = .stop
      case .some(let other): reason = .other(other)
      }
    }
    events.append(.finished(reason))
    calls = [:]
    callOrder = []
    return events
  }

  public mutating func decodeComplete(_ json: JSON) throws -> [ChatEvent] {
    if let e = ErrorBody.from(json) { throw WireError.serverError(e.message) }
    guard json["choices"]?.arrayValue != nil else {
      throw WireError.malformed("a chat completion response has no 'choices'")
    }
    let events = try decode(.event(name: nil, data: json.serialized()))
    return events + assembled()
  }

  static func usage(_ u: JSON) -> TokenUsage? {
    guard u.objectValue != nil else { return nil }
    let input = u["prompt_tokens"]?.intValue ?? 0
    let output = u["completion_tokens"]?.intValue ?? 0
    return TokenUsage(
      inputTokens: input, outputTokens: output,
      cachedInputTokens: u["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0,
      reasoningTokens: u["completion_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0,
      cost: reportedCost(u["cost"]))
  }

  /// OpenRouter's `usage.cost` (US dollars, in its last chunk); nothing else sends one. A value
  /// that is not a finite, non-negative number is ignored rather than trusted.
  static func reportedCost(_ v: JSON?) -> Double? {
    guard let d = v?.doubleValue, d.isFinite, d >= 0 else { return nil }
    return d
  }
}
