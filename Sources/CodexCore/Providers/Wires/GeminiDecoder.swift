/// Decodes a Gemini `streamGenerateContent?alt=sse` stream: each event is a whole
/// `GenerateContentResponse`. Text and thought parts pass through; function calls arrive whole
/// and are emitted at once; thought signatures and server call ids are kept for the next
/// request. No end marker: the chunk with a `finishReason` is the last, and the body's end
/// ends the stream.
public struct GeminiDecoder: WireDecoder {
  /// `usageMetadata` repeats on many chunks; the last one wins.
  var usage: JSON?
  var responseID: String?
  var state = GeminiState()
  var finishReason: String?
  var sawAnything = false

  public init() {}

  public mutating func decode(_ frame: WireFrame) throws -> [ChatEvent] {
    guard case .event(_, let data) = frame, !data.isEmpty else { return [] }
    return try chunk(Wires.parseJSON(data))
  }

  mutating func chunk(_ json: JSON) throws -> [ChatEvent] {
    if let e = json["error"], !e.isNull { throw Self.error(e, json) }
    sawAnything = true
    if let reason = json["promptFeedback"]?["blockReason"]?.stringValue {
      let detail = json["promptFeedback"]?["blockReasonMessage"]?.stringValue
      throw WireError.serverError(
        Self.oneLine(
          "the prompt was refused (blockReason \(reason)\(detail.map { ": \($0)" } ?? ""))"))
    }
    if responseID == nil, let id = json["responseId"]?.stringValue, !id.isEmpty {
      responseID = id
    }
    if let u = json["usageMetadata"], u.objectValue != nil { usage = u }
    guard let candidate = json["candidates"]?[0] else { return [] }
    var events: [ChatEvent] = []
    for part in candidate["content"]?["parts"]?.arrayValue ?? [] {
      events += decodePart(part)
    }
    if let reason = candidate["finishReason"]?.stringValue {
      try Self.checkFinish(reason, message: candidate["finishMessage"]?.stringValue)
      finishReason = reason
    }
    return events
  }

  mutating func decodePart(_ part: JSON) -> [ChatEvent] {
    let signature = part["thoughtSignature"]?.stringValue
    if let call = part["functionCall"], call.objectValue != nil {
      let n = state.calls.count
      let serverID = call["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
      state.calls.append(GeminiState.Call(id: serverID, signature: signature))
      let args = call["args"].flatMap { $0.objectValue != nil ? $0.serialized() : nil } ?? "{}"
      return [
        .toolCall(
          ToolCall(
            id: serverID ?? syntheticID(n), name: call["name"]?.stringValue ?? "",
            arguments: args))
      ]
    }
    let thought = part["thought"]?.boolValue == true
    if let signature {
      if thought { state.thoughtSignature = signature } else { state.textSignature = signature }
    }
    guard let text = part["text"]?.stringValue, !text.isEmpty else { return [] }
    return [thought ? .reasoningDelta(text) : .textDelta(text)]
  }

  /// An id for a call the server gave none: unique across a session (the response id is), so
  /// results never match the wrong call. It is never sent to Gemini.
  func syntheticID(_ n: Int) -> String {
    "call_\(responseID ?? "gemini")_\(n)"
  }

  /// An error object in the stream. Overload and internal failures pass; the rest say
  /// something about the request.
  static func error(_ e: JSON, _ json: JSON) -> WireError {
    let message = ErrorBody.from(json)?.message ?? e.serialized()
    switch e["code"]?.intValue {
    case 500, 503, 504: return .transient(message)
    default: return .serverError(message)
    }
  }

  /// Finish reasons that mean no usable answer, as one line each.
  static func checkFinish(_ reason: String, message: String?) throws {
    let why: String
    switch reason {
    case "STOP", "MAX_TOKENS", "FINISH_REASON_UNSPECIFIED", "OTHER": return
    case "SAFETY", "IMAGE_SAFETY":
      why = "the answer was withheld by its safety filters"
    case "RECITATION", "IMAGE_RECITATION":
      why = "the answer was withheld for reciting copyrighted text"
    case "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_PROHIBITED_CONTENT":
      why = "the answer was withheld for content the API blocks"
    case "MALFORMED_FUNCTION_CALL":
      why = "the model wrote a tool call it could not parse; ask again or rephrase"
    case "UNEXPECTED_TOOL_CALL":
      why = "the model called a tool that was not offered"
    case "TOO_MANY_TOOL_CALLS":
      why = "the model made too many tool calls in one answer"
    default:
      why = "the answer stopped early"
    }
    let detail = message.map { ": \($0)" } ?? ""
    throw WireError.serverError(oneLine("\(why) (finishReason \(reason)\(detail))"))
  }

  static func oneLine(_ s: String) -> String {
    s.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }
      .joined(separator: " ")
  }

  public mutating func finish() throws -> [ChatEvent] {
    guard sawAnything else { throw WireError.truncated("the stream ended with no data") }
    // Every complete stream ends with a chunk that says why it stopped.
    guard finishReason != nil else {
      throw WireError.truncated("the stream ended before a finishReason")
    }
    return end()
  }

  mutating func end() -> [ChatEvent] {
    var events: [ChatEvent] = []
    if let u = usage { events.append(.usage(Self.usage(u))) }
    if !state.isEmpty { events.append(.wireState(state.wireState)) }
    let reason: FinishReason
    if !state.calls.isEmpty {
      // No finish reason says "tool calls": they are read from the parts.
      reason = .toolCalls
    } else {
      switch finishReason {
      case "MAX_TOKENS": reason = .length
      case "OTHER": reason = .other("OTHER")
      default: reason = .stop
      }
    }
    events.append(.finished(reason))
    return events
  }

  /// `promptTokenCount` already includes the cached tokens; thoughts are output the model
  /// produced (counted in output, as the other wires count reasoning).
  static func usage(_ u: JSON) -> TokenUsage {
    let thoughts = Wires.count(u["thoughtsTokenCount"])
    return TokenUsage(
      inputTokens: Wires.count(u["promptTokenCount"]) + Wires.count(u["toolUsePromptTokenCount"]),
      outputTokens: Wires.count(u["candidatesTokenCount"]) + thoughts,
      cachedInputTokens: Wires.count(u["cachedContentTokenCount"]), reasoningTokens: thoughts)
  }

  /// A `generateContent` answer (a server that ignored `alt=sse`), or the whole `alt=json`
  /// stream: an array of the same chunks.
  public mutating func decodeComplete(_ json: JSON) throws -> [ChatEvent] {
    var events: [ChatEvent] = []
    for c in json.arrayValue ?? [json] {
      guard c.objectValue != nil else {
        throw WireError.malformed("a Gemini response is \(c.kindName), not an object")
      }
      events += try chunk(c)
    }
    guard sawAnything else { throw WireError.malformed("the Gemini response is empty") }
    return events + end()
  }
}
