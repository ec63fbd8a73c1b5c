/// Google Gemini's native API (protocols.md §6): `streamGenerateContent` with `alt=sse`, the key
/// in the `x-goog-api-key` header (never in the URL, so it never reaches a log), `user`/`model`
/// roles, whole function calls, and thought signatures echoed back where they came.
public struct GeminiWire: Wire {
  public init() {}
  public var api: WireAPI { .gemini }
  public var framing: Framing { .sse }

  /// Request fields that are not generation options; every other option goes under
  /// `generationConfig`. (The API takes proto field names in either case.)
  static let topLevelKeys: Set<String> = [
    "safetySettings", "safety_settings", "cachedContent", "cached_content", "toolConfig",
    "tool_config", "labels", "serviceTier", "service_tier",
  ]

  /// The versioned API root. Users give the bare host, `…/v1beta`, or the OpenAI-compatible
  /// `…/v1beta/openai` they used with the chat wire: all mean the same API.
  public static func versionedRoot(_ baseURL: String) -> String {
    var s = baseURL
    while s.hasSuffix("/") { s.removeLast() }
    if s.hasSuffix("/openai") { s.removeLast("/openai".count) }
    let last = s.split(separator: "/").last ?? ""
    let isVersion =
      last.count > 1 && last.first == "v" && last.dropFirst().first.map(\.isNumber) == true
    return isVersion ? s : s + "/v1beta"
  }

  /// `models/{model}` for a bare id, the name as given for a full resource name
  /// (`models/…`, `tunedModels/…`), each segment escaped.
  static func resource(_ model: String) -> String {
    let name = model.contains("/") ? model : "models/" + model
    return name.split(separator: "/", omittingEmptySubsequences: false)
      .map { URLQuery.escape(String($0)) }.joined(separator: "/")
  }

  func url(_ provider: ProviderInfo, _ path: String) -> String {
    var p = provider
    p.baseURL = Self.versionedRoot(provider.baseURL)
    return p.url(path: path)
  }

  public func authHeaders(apiKey: String?, provider: ProviderInfo) -> [(
    name: String, value: String
  )] {
    apiKey.map { [("x-goog-api-key", $0)] } ?? []
  }

  public func encode(
    _ request: ChatRequest, provider: ProviderInfo, headers: [(name: String, value: String)]
  ) throws -> HTTPRequest {
    HTTPRequest(
      method: "POST",
      url: url(provider, Self.resource(request.model) + ":streamGenerateContent?alt=sse"),
      headers: headers + [("Accept", "text/event-stream")], body: body(request).serializedBytes())
  }

  public func body(_ request: ChatRequest) -> JSON {
    var b = JSONObject()
    if let sys = request.instructions, !sys.isEmpty {
      b["systemInstruction"] = ["parts": [["text": .string(sys)]]]
    }
    b["contents"] = .array(Self.contents(request.messages))
    if !request.tools.isEmpty {
      // `parametersJsonSchema` takes JSON Schema as it is (`$ref`/`$defs`, `anyOf`,
      // `additionalProperties`); the older `parameters` takes an OpenAPI subset and rejects
      // the rest with 400. Only what even that field refuses is cleaned (`GeminiSchema`).
      b["tools"] = [
        [
          "functionDeclarations": .array(
            request.tools.map { t in
              [
                "name": .string(t.name), "description": .string(t.description),
                "parametersJsonSchema": GeminiSchema.cleaned(t.parameters),
              ]
            })
        ]
      ]
    }
    var config = JSONObject()
    let o = request.options
    if let t = o.temperature { config["temperature"] = .double(t) }
    if let p = o.topP { config["topP"] = .double(p) }
    if let m = o.maxOutputTokens { config["maxOutputTokens"] = .int(Int64(m)) }
    for e in o.extra.entries {
      if Self.topLevelKeys.contains(e.key) { b[e.key] = e.value } else { config[e.key] = e.value }
    }
    if !config.isEmpty { b["generationConfig"] = .object(config) }
    return .object(b)
  }

  /// The history as Gemini contents. Consecutive items of one role share a content, so the
  /// function responses of a round are one `user` content with as many parts as the model
  /// turn had calls, which the API checks.
  static func contents(_ history: [ChatMessage]) -> [JSON] {
    var out: [(role: String, parts: [JSON])] = []
    func add(_ role: String, _ parts: [JSON]) {
      guard !parts.isEmpty else { return }
      if let last = out.indices.last, out[last].role == role {
        out[last].parts += parts
      } else {
        out.append((role, parts))
      }
    }
    // Ids the server gave to the last model turn's calls, to echo in the responses.
    var serverIDs: [String: String] = [:]
    for m in history {
      switch m {
      case .user(let text):
        add("user", text.isEmpty ? [] : [["text": .string(text)]])
      case .assistant(let a):
        let state = a.wireState.flatMap { $0.wire == .gemini ? GeminiState($0.data) : nil }
        let calls = state?.calls.count == a.toolCalls.count ? state?.calls : nil
        var parts: [JSON] = []
        if let s = state?.thoughtSignature {
          parts.append(["text": "", "thought": true, "thoughtSignature": .string(s)])
        }
        if !a.text.isEmpty || state?.textSignature != nil {
          var p: JSONObject = ["text": .string(a.text)]
          if let s = state?.textSignature { p["thoughtSignature"] = .string(s) }
          parts.append(.object(p))
        }
        serverIDs = [:]
        for (n, c) in a.toolCalls.enumerated() {
          var call: JSONObject = [
            "name": .string(c.name), "args": Wires.argumentsObject(c.arguments),
          ]
          let recorded = calls?[n]
          if let id = recorded?.id {
            call["id"] = .string(id)
            serverIDs[c.id] = id
          }
          var p: JSONObject = ["functionCall": .object(call)]
          if let s = recorded?.signature { p["thoughtSignature"] = .string(s) }
          parts.append(.object(p))
        }
        add("model", parts)
      case .toolResult(let r):
        // `response` must be an object: `output` for a result, `error` for a failure.
        var fr: JSONObject = [
          "name": .string(r.name),
          "response": [r.isError ? "error" : "output": .string(r.output)],
        ]
        if let id = serverIDs[r.callID] { fr["id"] = .string(id) }
        add("user", [["functionResponse": .object(fr)]])
      }
    }
    return out.map { ["role": .string($0.role), "parts": .array($0.parts)] }
  }

  public func makeDecoder() -> any WireDecoder { GeminiDecoder() }

  public func modelsURL(provider: ProviderInfo) -> String? { url(provider, "models") }

  /// `{"models":[{"name":"models/gemini-2.5-flash",…}]}`: the ids without the prefix, as they
  /// are given to `-m`.
  public func modelIDs(fromListing json: JSON) -> [String] {
    (json["models"]?.arrayValue ?? []).compactMap { m in
      guard let name = m["name"]?.stringValue else { return nil }
      return name.hasPrefix("models/") ? String(name.dropFirst("models/".count)) : name
    }
  }

  /// Gemini's error body, also as the one-element array the SDK accepts; the `status`
  /// (`RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`) as the type, and `RetryInfo.retryDelay` as the
  /// wait a 429 asks for.
  public func readError(status: Int, body: [UInt8]) -> ErrorReading {
    guard var json = try? JSON.parse(body) else { return ErrorReading(ErrorBody.parse(body)) }
    if let a = json.arrayValue, a.count == 1, let only = a.first { json = only }
    guard var err = ErrorBody.from(json) else { return ErrorReading(ErrorBody.parse(body)) }
    if let s = json["error"]?["status"]?.stringValue { err.type = s }
    var delay: Duration?
    for d in json["error"]?["details"]?.arrayValue ?? [] {
      if let text = d["retryDelay"]?.stringValue { delay = Self.protoDuration(text) }
    }
    return ErrorReading(err, retryAfter: delay)
  }

  /// A protobuf JSON duration (`"31s"`, `"0.5s"`); nil when it is not one or is negative.
  static func protoDuration(_ s: String) -> Duration? {
    guard s.hasSuffix("s"), let v = Double(s.dropLast()), v.isFinite, v >= 0, v < 86_400 * 365
    else { return nil }
    return .milliseconds(Int64((v * 1000).rounded()))
  }
}

/// What `GeminiWire` keeps on an assistant message: the thought signatures where they came
/// (on the text, on a thought part, on each call) and the ids the server gave its calls, which
/// must be echoed (never ids made up here).
/// `{"calls":[{"id"?:…,"signature"?:…}, …], "text_signature"?:…, "thought_signature"?:…}`,
/// `calls` in the message's tool-call order.
struct GeminiState: Equatable {
  struct Call: Equatable {
    var id: String?
    var signature: String?
  }
  var calls: [Call] = []
  var textSignature: String?
  var thoughtSignature: String?

  init() {}

  init?(_ data: JSON) {
    guard data.objectValue != nil else { return nil }
    calls = (data["calls"]?.arrayValue ?? []).map {
      Call(id: $0["id"]?.stringValue, signature: $0["signature"]?.stringValue)
    }
    textSignature = data["text_signature"]?.stringValue
    thoughtSignature = data["thought_signature"]?.stringValue
  }

  /// Nothing worth keeping: no signature and no server id.
  var isEmpty: Bool {
    textSignature == nil && thoughtSignature == nil
      && calls.allSatisfy { $0.id == nil && $0.signature == nil }
  }

  var wireState: WireState {
    var o = JSONObject()
    o["calls"] = .array(
      calls.map { c in
        var e = JSONObject()
        if let id = c.id { e["id"] = .string(id) }
        if let s = c.signature { e["signature"] = .string(s) }
        return .object(e)
      })
    if let s = textSignature { o["text_signature"] = .string(s) }
    if let s = thoughtSignature { o["thought_signature"] = .string(s) }
    return WireState(wire: .gemini, data: .object(o))
  }
}

/// Tool schemas as `parametersJsonSchema` accepts them: JSON Schema less the keywords that
/// only describe the schema document (`$schema`, `$id`, `$comment`), and, where a node has a
/// `$ref`, less every sibling but `description` and `default`, which the API rejects
/// ("$ref … was set alongside unsupported fields"). Property names are data, never cleaned.
enum GeminiSchema {
  static let documentKeywords: Set<String> = ["$schema", "$id", "$comment"]
  static let refSiblings: Set<String> = ["$ref", "description", "default"]
  /// Keywords whose value is a map from names the user chose to schemas.
  static let schemaMaps: Set<String> = [
    "properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
  ]

  static func cleaned(_ schema: JSON, depth: Int = 0) -> JSON {
    // Deeper than any real schema: left as it is rather than walked without end.
    guard depth < 64 else { return schema }
    switch schema {
    case .object(let o):
      let hasRef = o["$ref"] != nil
      var out = JSONObject()
      for e in o.entries {
        if documentKeywords.contains(e.key) { continue }
        if hasRef, !refSiblings.contains(e.key) { continue }
        if schemaMaps.contains(e.key), case .object(let m) = e.value {
          out[e.key] = .object(
            JSONObject(m.entries.map { ($0.key, cleaned($0.value, depth: depth + 1)) }))
        } else if e.key == "default" || e.key == "enum" || e.key == "const"
          || e.key == "examples"
        {
          out[e.key] = e.value
        } else {
          out[e.key] = cleaned(e.value, depth: depth + 1)
        }
      }
      return .object(out)
    case .array(let a):
      return .array(a.map { cleaned($0, depth: depth + 1) })
    default:
      return schema
    }
  }
}
