/// Everything that can go wrong talking to a model, each with a one-line description that says
/// what happened and what to do about it.
public enum ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
  case missingAPIKey(provider: String, envKey: String, instructions: String?)
  case unreachable(provider: String, url: String, detail: String, startHint: String?)
  case unauthorized(provider: String, status: Int, envKey: String?, message: String)
  case modelNotFound(provider: String, model: String, available: [String]?, message: String)
  case endpointNotFound(provider: String, url: String, status: Int, wire: WireAPI)
  case rateLimited(provider: String, message: String, attempts: Int)
  case quotaExceeded(provider: String, message: String)
  case server(provider: String, status: Int, message: String, attempts: Int)
  case badRequest(provider: String, status: Int, message: String)
  /// The request does not fit the model's context window; `window` when the server said it.
  case contextOverflow(provider: String, message: String, window: Int?, promptTokens: Int?)
  /// An error object inside a 200 stream.
  case streamError(provider: String, message: String)
  case malformedStream(provider: String, detail: String)
  case idleTimeout(provider: String, url: String, seconds: Double)
  case connectionLost(provider: String, url: String, detail: String)
  case tls(provider: String, url: String, detail: String)
  case invalidRequest(String)

  /// One line, whatever a server's message holds (line breaks become spaces), and URLs in it
  /// (the provider's, and any the server's message quotes) lose their credentials:
  /// `user:password@` and secret query values (`Redaction`).
  public var description: String { Self.oneLine(Redaction.text(unredactedDescription)) }

  static func oneLine(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isLineBreak) else { return text }
    var out = String.UnicodeScalarView()
    var lastWasBreak = false
    for scalar in text.unicodeScalars {
      if isLineBreak(scalar) {
        if !lastWasBreak { out.append(" ") }
        lastWasBreak = true
      } else {
        out.append(scalar)
        lastWasBreak = false
      }
    }
    return String(out)
  }

  static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: return true
    default: return false
    }
  }

  var unredactedDescription: String {
    switch self {
    case .missingAPIKey(let p, let env, let instr):
      return "\(p) needs an API key: set the environment variable \(env)"
        + (instr.map { " (\($0))" } ?? "")
    case .unreachable(let p, let url, let detail, let hint):
      let start = hint.map { "; is the server running? Start it with `\($0)`" } ?? ""
      return "cannot reach \(p) at \(url) (\(detail))\(start)"
    case .unauthorized(let p, let status, let env, let msg):
      let fix =
        env.map { "check the key in $\($0)" } ?? "this server wants a key: set env_key for it"
      return "\(p) rejected the request with \(status) (\(msg)): \(fix)"
    case .modelNotFound(let p, let model, let available, let msg):
      var s = "\(p) has no model '\(model)'"
      if let available {
        s +=
          available.isEmpty
          ? "; the server lists no models" : "; available: \(available.joined(separator: ", "))"
      } else if !msg.isEmpty {
        s += " (\(msg))"
      }
      if p.lowercased().contains("ollama") { s += "; pull it with `ollama pull \(model)`" }
      return s
    case .endpointNotFound(let p, let url, let status, let wire):
      return
        "\(p) answered \(status) for POST \(url): the server does not serve the '\(wire.rawValue)' "
        + "wire there; check base_url (does it need /v1?) and wire_api"
    case .rateLimited(let p, let msg, let attempts):
      return "\(p) is rate limiting requests (429: \(msg)); gave up after \(attempts) attempts"
    case .quotaExceeded(let p, let msg):
      return "\(p) says the account's quota is exhausted (\(msg)): check billing; not retried"
    case .server(let p, let status, let msg, let attempts):
      return "\(p) failed with HTTP \(status) (\(msg)) after \(attempts) attempts"
    case .badRequest(let p, let status, let msg):
      return "\(p) rejected the request with HTTP \(status): \(msg)"
    case .contextOverflow(let p, let msg, let window, _):
      let size = window.map { " (\($0) tokens)" } ?? ""
      return "the conversation no longer fits the model's context window\(size) at \(p): \(msg); "
        + "start a new conversation, or set model_context_window so codex compacts earlier"
    case .streamError(let p, let msg):
      return "\(p) reported an error mid-stream: \(msg)"
    case .malformedStream(let p, let detail):
      return "\(p) sent malformed stream data: \(detail)"
    case .idleTimeout(let p, let url, let s):
      return "\(p) at \(url) sent nothing for \(Self.seconds(s)); gave up "
        + "(raise stream_idle_timeout_ms if the model is slow to load)"
    case .connectionLost(let p, let url, let detail):
      return "connection to \(p) at \(url) dropped mid-answer (\(detail))"
    case .tls(let p, let url, let detail):
      return "TLS error talking to \(p) at \(url): \(detail)"
    case .invalidRequest(let msg):
      return msg
    }
  }

  static func seconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s))s" : "\(s)s"
  }
}

/// Pulls a human message out of the error bodies servers send: OpenAI `{"error":{"message"}}`,
/// vLLM's flat `{"object":"error","message"}`, Ollama and TGI `{"error":"..."}`, Anthropic
/// `{"type":"error","error":{...}}`, or plain text.
public struct ErrorBody: Sendable, Equatable {
  public var message: String
  public var code: String?
  public var type: String?

  public init(message: String, code: String? = nil, type: String? = nil) {
    self.message = message
    self.code = code
    self.type = type
  }

  public static func parse(_ bytes: [UInt8]) -> ErrorBody {
    if let json = try? JSON.parse(bytes), let e = from(json) { return e }
    let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
    return ErrorBody(message: text.isEmpty ? "no error message" : String(text.prefix(300)))
  }

  /// The error carried by a JSON payload, if it is one (used on stream chunks too).
  public static func from(_ json: JSON) -> ErrorBody? {
    if let err = json["error"] {
      if let s = err.stringValue {
        return ErrorBody(message: s, type: json["error_type"]?.stringValue)
      }
      if err.objectValue != nil {
        let msg = err["message"]?.stringValue ?? err.serialized()
        return ErrorBody(
          message: msg, code: codeString(err["code"]), type: err["type"]?.stringValue)
      }
      if err.isNull { return nil }
    }
    if json["object"]?.stringValue == "error", let msg = json["message"]?.stringValue {
      return ErrorBody(
        message: msg, code: codeString(json["code"]), type: json["type"]?.stringValue)
    }
    if json["detail"] != nil, json.objectValue?.keys == ["detail"] {
      // FastAPI-style validation errors (some proxies).
      return ErrorBody(message: json["detail"]?.stringValue ?? (json["detail"]?.serialized() ?? ""))
    }
    return nil
  }

  private static func codeString(_ v: JSON?) -> String? {
    switch v {
    case .string(let s): return s
    case .int(let i): return String(i)
    default: return nil
    }
  }
}
