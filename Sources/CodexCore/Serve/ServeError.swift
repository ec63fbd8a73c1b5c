/// Why `codex serve` cannot start: one line saying what and how to fix it.
public enum ServeError: Error, Sendable, Equatable, CustomStringConvertible {
  case cannotListen(host: String, port: Int, detail: String)
  /// Listening beyond loopback without a key would hand every provider's key to the network.
  case exposedWithoutKey(host: String)
  case missingKeyVariable(String)

  public var description: String {
    switch self {
    case .cannotListen(let host, let port, let detail):
      let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
      var hint = ""
      if detail.lowercased().contains("in use") {
        hint = "; another server is listening there: stop it or pass --port"
      } else if detail.lowercased().contains("permission") {
        hint = "; ports below 1024 need privileges: pass --port 8000"
      }
      return "cannot listen on \(address): \(detail)\(hint)"
    case .exposedWithoutKey(let host):
      return
        "refusing to listen on \(host) without an API key: anyone who can reach it could use your "
        + "providers' keys; pass --api-key KEY (or set serve.api_key_env), or listen on 127.0.0.1"
    case .missingKeyVariable(let name):
      return "serve.api_key_env names $\(name), which is not set (or empty)"
    }
  }
}

/// Error bodies. Server-level refusals (bad HTTP, timeouts) happen before we know which API the
/// client speaks, so they carry both envelopes at once: OpenAI's `{"error":{"message","type",
/// "param","code"}}` and Anthropic's `{"type":"error","error":{"type","message"}}`. Each SDK
/// reads its own fields and ignores the others.
enum ServeErrorBody {
  static func generic(status: Int, message: String) -> [UInt8] {
    let type = errorType(status: status)
    let body: JSON = [
      "type": "error",
      "error": [
        "message": .string(message), "type": .string(type), "param": nil, "code": nil,
      ],
    ]
    return body.serializedBytes()
  }

  /// OpenAI's envelope. `code` is a string (or null) as OpenAI sends it.
  static func openAI(status: Int, message: String, code: String? = nil) -> [UInt8] {
    let body: JSON = [
      "error": [
        "message": .string(message), "type": .string(errorType(status: status)), "param": nil,
        "code": code.map { .string($0) } ?? .null,
      ]
    ]
    return body.serializedBytes()
  }

  /// Anthropic's envelope.
  static func anthropic(status: Int, message: String) -> [UInt8] {
    anthropicJSON(status: status, message: message).serializedBytes()
  }

  static func anthropicJSON(status: Int, message: String) -> JSON {
    [
      "type": "error",
      "error": ["type": .string(anthropicType(status: status)), "message": .string(message)],
    ]
  }

  /// The `type` OpenAI uses for each status.
  static func errorType(status: Int) -> String {
    switch status {
    case 401: return "authentication_error"
    case 403: return "permission_error"
    case 404: return "not_found_error"
    case 408, 504: return "timeout_error"
    case 413: return "request_too_large"
    case 429: return "rate_limit_error"
    case 400..<500: return "invalid_request_error"
    default: return "server_error"
    }
  }

  /// The `error.type` Anthropic uses for each status (protocols.md §5).
  static func anthropicType(status: Int) -> String {
    switch status {
    case 401: return "authentication_error"
    case 402: return "billing_error"
    case 403: return "permission_error"
    case 404: return "not_found_error"
    case 413: return "request_too_large"
    case 429: return "rate_limit_error"
    case 504: return "timeout_error"
    case 529: return "overloaded_error"
    case 400..<500: return "invalid_request_error"
    default: return "api_error"
    }
  }
}
