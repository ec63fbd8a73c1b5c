/// Hugging Face TGI's native `POST /generate_stream` (protocols.md §4): one SSE event per token,
/// no `[DONE]`, no tool calls. We render the chat into a prompt ourselves with a `ChatTemplate`;
/// tools are described in the prompt and the model's printed calls are picked up as text calls.
public struct TGIWire: Wire {
  public init() {}
  public var api: WireAPI { .tgi }
  public var framing: Framing { .sse }

  public func encode(
    _ request: ChatRequest, provider: ProviderInfo, headers: [(name: String, value: String)]
  ) throws -> HTTPRequest {
    var p = provider
    // `…/v1` is the Messages API's base; the native routes live at the root.
    var base = provider.baseURL
    while base.hasSuffix("/") { base.removeLast() }
    if base.hasSuffix("/v1") { base.removeLast(3) }
    p.baseURL = base
    let template = ChatTemplate.named(provider.chatTemplate, model: request.model)
    return HTTPRequest(
      method: "POST", url: p.url(path: "generate_stream"),
      headers: headers + [("Accept", "text/event-stream")],
      body: body(request, template: template).serializedBytes())
  }

  public func body(_ request: ChatRequest, template: ChatTemplate) -> JSON {
    var params = JSONObject()
    let o = request.options
    params["max_new_tokens"] = .int(Int64(o.maxOutputTokens ?? 2048))
    if let t = o.temperature {
      // TGI rejects temperature 0; greedy decoding is do_sample=false.
      if t > 0 {
        params["temperature"] = .double(t)
        params["do_sample"] = true
      } else {
        params["do_sample"] = false
      }
    }
    // TGI requires 0 < top_p < 1; 1.0 means "off", so leave it out.
    if let p = o.topP, p > 0, p < 1 { params["top_p"] = .double(p) }
    // At most four stop sequences.
    params["stop"] = .array(template.stopSequences.prefix(4).map { .string($0) })
    params["details"] = true
    for e in o.extra.entries { params[e.key] = e.value }
    return [
      "inputs": .string(template.render(request)),
      "parameters": .object(params),
    ]
  }

  public func makeDecoder() -> any WireDecoder { TGIDecoder() }
  public func modelsURL(provider: ProviderInfo) -> String? { nil }
  public func modelIDs(fromListing json: JSON) -> [String] { [] }
}

public struct TGIDecoder: WireDecoder {
  var finished = false
  public init() {}

  public mutating func decode(_ frame: WireFrame) throws -> [ChatEvent] {
    guard case .event(_, let data) = frame, !data.isEmpty else { return [] }
    if data == "[DONE]" { return [] }
    let json = try Wires.parseJSON(data)
    if let e = ErrorBody.from(json) { throw WireError.serverError(e.message) }
    var events: [ChatEvent] = []
    if let tok = json["token"], tok["special"]?.boolValue != true,
      let text = tok["text"]?.stringValue, !text.isEmpty
    {
      events.append(.textDelta(text))
    }
    if let gen = json["generated_text"], !gen.isNull { events += finish(details: json["details"]) }
    return events
  }

  /// The last event (the one with `generated_text`): usage and finish reason from `details`.
  mutating func finish(details: JSON?) -> [ChatEvent] {
    finished = true
    var events: [ChatEvent] = []
    if let n = details?["generated_tokens"]?.intValue {
      events.append(
        .usage(TokenUsage(inputTokens: details?["input_length"]?.intValue ?? 0, outputTokens: n)))
    }
    let fr = details?["finish_reason"]?.stringValue
    events.append(.finished(fr == "length" ? .length : .stop))
    return events
  }

  /// A token event, read from its bytes; the last one too, whose `generated_text` repeats the
  /// whole answer: stepped over, only `details` is built. Mirrors `decode` for those shapes (an
  /// error takes the general path); see `DeltaScanner`.
  public mutating func decodeFast(_ frame: RawWireFrame, into events: inout [ChatEvent]) -> Bool {
    guard frame.data.first == UInt8(ascii: "{") else { return false }
    var text: String?
    var special = false
    var final = false
    var details: Int?
    var p = JSONParser(frame.data)
    do {
      var seen: UInt8 = 0
      var more = false
      try p.enterObject(depth: 0)
      while let key = try p.nextMember(&more) {
        if DeltaScanner.is(key, "token") {
          try DeltaScanner.once(&seen, 1)
          try p.enterObject(depth: 1)
          var moreInToken = false
          while let key = try p.nextMember(&moreInToken) {
            if DeltaScanner.is(key, "text") {
              try DeltaScanner.once(&seen, 2)
              text = try p.stringOrNull()
            } else if DeltaScanner.is(key, "special") {
              try DeltaScanner.once(&seen, 4)
              special = try p.bool()
            } else {
              try p.skipValue(depth: 2)
            }
          }
        } else if DeltaScanner.is(key, "generated_text") {
          try DeltaScanner.once(&seen, 8)
          if p.i < p.b.count, p.b[p.i] == UInt8(ascii: "\"") {
            try p.skipString()
            final = true
          } else {
            try p.null()
          }
        } else if DeltaScanner.is(key, "details") {
          try DeltaScanner.once(&seen, 16)
          details = p.i
          try p.skipValue(depth: 1)
        } else if DeltaScanner.is(key, "error") || DeltaScanner.is(key, "object")
          || DeltaScanner.is(key, "detail")
        {
          // What `ErrorBody.from` looks at: the general path decides.
          return false
        } else {
          try p.skipValue(depth: 1)
        }
      }
    } catch {
      return false
    }
    guard DeltaScanner.atEnd(&p) else { return false }
    var detailsValue: JSON?
    if final, let details {
      p.i = details
      do { detailsValue = try p.value(depth: 1) } catch { return false }
    }
    if !special, let t = text, !t.isEmpty { events.append(.textDelta(t)) }
    if final { events += finish(details: detailsValue) }
    return true
  }

  public mutating func finish() throws -> [ChatEvent] {
    if !finished {
      throw WireError.truncated("the stream ended before the final event with generated_text")
    }
    return []
  }

  public mutating func decodeComplete(_ json: JSON) throws -> [ChatEvent] {
    if let e = ErrorBody.from(json) { throw WireError.serverError(e.message) }
    let item = json.arrayValue?.first ?? json
    guard let text = item["generated_text"]?.stringValue else {
      throw WireError.malformed("a TGI response has no 'generated_text'")
    }
    finished = true
    return [.textDelta(text), .finished(.stop)]
  }
}
