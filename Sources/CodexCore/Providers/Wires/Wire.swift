/// One unit of a response stream, as the framer cut it.
public enum WireFrame: Sendable, Equatable {
  /// A Server-Sent Event: the optional `event:` name and the joined `data:` lines.
  case event(name: String?, data: String)
  /// One NDJSON line (without its line end).
  case line([UInt8])
}

public enum Framing: Sendable {
  case sse
  case ndjson
}

/// A wire is two pure halves: encode a `ChatRequest` into an HTTP request, and decode stream
/// frames into `ChatEvent`s. No I/O happens here, so both halves are tested on fixtures. A wire
/// also owns what is particular to its API around them: how a request authenticates, what an
/// error body says, and which variant of a rejected request to try; `ModelClient` asks it and
/// knows no vendor.
public protocol Wire: Sendable {
  var api: WireAPI { get }
  var framing: Framing { get }
  /// `headers` are the provider's resolved headers (auth, the user's own); the wire adds its own.
  func encode(
    _ request: ChatRequest, provider: ProviderInfo, headers: [(name: String, value: String)]
  ) throws -> HTTPRequest
  func makeDecoder() -> any WireDecoder
  /// Where the server lists its models (for "model not found" messages), if it has such a list.
  func modelsURL(provider: ProviderInfo) -> String?
  /// Model ids out of that list's JSON.
  func modelIDs(fromListing json: JSON) -> [String]
  /// The headers every request to this API carries: the key in the API's scheme
  /// (`Authorization: Bearer` unless it has its own) and any version header it requires.
  /// `apiKey` is nil when no key is configured.
  func authHeaders(apiKey: String?, provider: ProviderInfo) -> [(name: String, value: String)]
  /// What a failed response's body says, and what that means for retrying.
  func readError(status: Int, body: [UInt8]) -> ErrorReading
  /// A changed request to send in place of one the server rejected (a server that refuses an
  /// optional field), or nil to let the error stand. Not counted as a retry.
  func adjustAfterError(status: Int, error: ErrorBody, request: HTTPRequest) -> HTTPRequest?
}

extension Wire {
  public func authHeaders(apiKey: String?, provider: ProviderInfo) -> [(
    name: String, value: String
  )] {
    apiKey.map { [("Authorization", "Bearer \($0)")] } ?? []
  }

  public func readError(status: Int, body: [UInt8]) -> ErrorReading {
    ErrorReading(ErrorBody.parse(body))
  }

  public func adjustAfterError(status: Int, error: ErrorBody, request: HTTPRequest)
    -> HTTPRequest?
  {
    nil
  }
}

/// A failed response as its wire reads it.
public struct ErrorReading: Sendable, Equatable {
  public var error: ErrorBody
  /// The account is out of credit (OpenAI's `insufficient_quota`): retrying cannot help.
  public var quotaExhausted: Bool
  /// The wait the body asks for (Gemini's `RetryInfo`); headers, when present, win.
  public var retryAfter: Duration?

  public init(_ error: ErrorBody, quotaExhausted: Bool = false, retryAfter: Duration? = nil) {
    self.error = error
    self.quotaExhausted = quotaExhausted
    self.retryAfter = retryAfter
  }
}

/// A frame before any `String` or array is made for it: views into the framer's buffers, valid
/// only during the call that receives it.
public struct RawWireFrame {
  /// The SSE `event:` name; nil when there is none, and always for NDJSON.
  public var eventName: UnsafeBufferPointer<UInt8>?
  /// The SSE data (its lines joined with `\n`) or the NDJSON line.
  public var data: UnsafeBufferPointer<UInt8>
  public var framing: Framing

  public init(
    eventName: UnsafeBufferPointer<UInt8>?, data: UnsafeBufferPointer<UInt8>, framing: Framing
  ) {
    self.eventName = eventName
    self.data = data
    self.framing = framing
  }

  /// The owned frame the general path decodes.
  public var frame: WireFrame {
    switch framing {
    case .sse:
      return .event(
        name: eventName.map { String(decoding: $0, as: UTF8.self) },
        data: String(decoding: data, as: UTF8.self))
    case .ndjson:
      return .line(Array(data))
    }
  }
}

/// Incremental decoder for one response. `decode` is fed frames in order; `finish` is called
/// once the body ends and returns whatever the end completes (assembled tool calls, `finished`).
public protocol WireDecoder {
  mutating func decode(_ frame: WireFrame) throws -> [ChatEvent]
  /// The fast path for the frame almost every event is (one text delta), read straight from
  /// its bytes. Appends exactly the events `decode` would return and makes the same state
  /// changes, or returns false having changed nothing, and the frame goes to `decode`.
  mutating func decodeFast(_ frame: RawWireFrame, into events: inout [ChatEvent]) -> Bool
  mutating func finish() throws -> [ChatEvent]
  /// Decodes a whole non-streaming JSON response (a server that ignored `stream: true`).
  mutating func decodeComplete(_ json: JSON) throws -> [ChatEvent]
}

extension WireDecoder {
  public mutating func decodeFast(_ frame: RawWireFrame, into events: inout [ChatEvent]) -> Bool {
    false
  }
}

/// What a decoder found wrong with the stream; the client turns it into a `ProviderError`
/// naming the provider.
public enum WireError: Error, Sendable, Equatable {
  /// The server reported an error inside the stream (HTTP status was already 200).
  case serverError(String)
  /// The server reported a passing failure inside the stream (Anthropic's `overloaded_error`):
  /// retried like a 503 while nothing has reached the user.
  case transient(String)
  /// The bytes are not what the wire promises.
  case malformed(String)
  /// The stream ended before the wire's end marker (connection closed early).
  case truncated(String)
}

public enum Wires {
  public static func wire(for api: WireAPI) -> any Wire {
    switch api {
    case .chat: return OpenAIChatWire()
    case .responses: return OpenAIResponsesWire()
    case .ollama: return OllamaWire()
    case .tgi: return TGIWire()
    case .anthropic: return AnthropicWire()
    case .gemini: return GeminiWire()
    }
  }

  /// Headers every request sends: JSON body, the wire's auth headers, the user's own headers
  /// (which replace any of the same name).
  public static func commonHeaders(
    wire: any Wire, provider: ProviderInfo, apiKey: String?, environment: [String: String]
  )
    -> [(name: String, value: String)]
  {
    var h: [(name: String, value: String)] = [
      ("Content-Type", "application/json")
    ]
    h += wire.authHeaders(apiKey: apiKey, provider: provider)
    for (name, value) in provider.httpHeaders {
      h.removeAll { $0.name.lowercased() == name.lowercased() }
      h.append((name, value))
    }
    for (name, env) in provider.envHTTPHeaders {
      if let v = environment[env], !v.isEmpty {
        h.removeAll { $0.name.lowercased() == name.lowercased() }
        h.append((name, v))
      }
    }
    return h
  }

  static func parseJSON(_ data: String) throws -> JSON {
    do {
      return try JSON.parse(data)
    } catch let e as JSONError {
      throw WireError.malformed("\(e.message) in \(preview(data))")
    }
  }

  static func parseJSON(_ bytes: [UInt8]) throws -> JSON {
    do {
      return try JSON.parse(bytes)
    } catch let e as JSONError {
      throw WireError.malformed(
        "\(e.message) in \(preview(String(decoding: bytes, as: UTF8.self)))")
    }
  }

  static func preview(_ s: String) -> String {
    s.count > 120 ? "'\(s.prefix(120))…'" : "'\(s)'"
  }

  /// OpenAI's error shape, which every OpenAI-compatible server and proxy relays: out of credit
  /// is `insufficient_quota`, a 429 that retrying cannot fix.
  static func openAIErrorReading(status: Int, body: [UInt8]) -> ErrorReading {
    let err = ErrorBody.parse(body)
    return ErrorReading(
      err,
      quotaExhausted: status == 429
        && (err.code == "insufficient_quota" || err.type == "insufficient_quota"))
  }

  /// A token count from a server: non-negative and bounded, so sums of counts never overflow.
  static func count(_ v: JSON?) -> Int {
    min(max(v?.intValue ?? 0, 0), 1 << 40)
  }

  /// Tool arguments as a JSON object, for wires that send objects rather than strings.
  /// Empty means `{}`; text that is not an object is wrapped so nothing is lost.
  static func argumentsObject(_ text: String) -> JSON {
    let t = text.trimmingWhitespace()
    if t.isEmpty { return .object(JSONObject()) }
    if let v = try? JSON.parse(t), v.objectValue != nil { return v }
    return ["input": .string(text)]
  }
}
