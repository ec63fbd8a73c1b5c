/// A JSON-RPC 2.0 request id: a number or a string (MCP forbids null).
public enum JSONRPCID: Sendable, Hashable, CustomStringConvertible {
  case int(Int64)
  case string(String)

  public var json: JSON {
    switch self {
    case .int(let i): return .int(i)
    case .string(let s): return .string(s)
    }
  }

  init?(_ json: JSON) {
    switch json {
    case .int(let i): self = .int(i)
    case .string(let s): self = .string(s)
    case .double(let d):
      guard let i = Int64(exactly: d) else { return nil }
      self = .int(i)
    default: return nil
    }
  }

  public var description: String {
    switch self {
    case .int(let i): return String(i)
    case .string(let s): return JSON.quoted(s)
    }
  }
}

/// An error object of a JSON-RPC response.
public struct JSONRPCErrorObject: Sendable, Equatable, CustomStringConvertible {
  public var code: Int64
  public var message: String
  public var data: JSON?

  public init(code: Int64, message: String, data: JSON? = nil) {
    self.code = code
    self.message = message
    self.data = data
  }

  public static let parseError: Int64 = -32700
  public static let invalidRequest: Int64 = -32600
  public static let methodNotFound: Int64 = -32601
  public static let invalidParams: Int64 = -32602
  public static let internalError: Int64 = -32603

  public var description: String { "\(message) (JSON-RPC error \(code))" }

  var json: JSON {
    var o: JSONObject = ["code": .int(code), "message": .string(message)]
    if let data { o["data"] = data }
    return .object(o)
  }
}

/// One JSON-RPC 2.0 message, as MCP exchanges them (one per line on stdio, one per POST or SSE
/// event over HTTP). Batches are not part of MCP since 2025-06-18, and are refused.
public enum JSONRPCMessage: Sendable, Equatable {
  case request(id: JSONRPCID, method: String, params: JSON?)
  case notification(method: String, params: JSON?)
  case result(id: JSONRPCID, result: JSON)
  /// `id` is nil only when the peer could not read our request's id.
  case error(id: JSONRPCID?, JSONRPCErrorObject)

  public var json: JSON {
    var o: JSONObject = ["jsonrpc": "2.0"]
    switch self {
    case .request(let id, let method, let params):
      o["id"] = id.json
      o["method"] = .string(method)
      if let params { o["params"] = params }
    case .notification(let method, let params):
      o["method"] = .string(method)
      if let params { o["params"] = params }
    case .result(let id, let result):
      o["id"] = id.json
      o["result"] = result
    case .error(let id, let error):
      o["id"] = id?.json ?? .null
      o["error"] = error.json
    }
    return .object(o)
  }

  /// The message as one line of JSON (strings escape newlines, so it never spans lines).
  public func serializedLine() -> [UInt8] {
    var bytes = json.serializedBytes()
    bytes.append(0x0A)
    return bytes
  }

  /// Reads one message, checking its shape: what a server sends is untrusted.
  public static func parse(_ bytes: some Collection<UInt8>) throws(JSONRPCParseError)
    -> JSONRPCMessage
  {
    let value: JSON
    do {
      value = try JSON.parse(Array(bytes))
    } catch {
      throw JSONRPCParseError("invalid JSON: \(error) in \(preview(bytes))")
    }
    return try parse(value)
  }

  public static func parse(_ value: JSON) throws(JSONRPCParseError) -> JSONRPCMessage {
    guard let o = value.objectValue else {
      if value.arrayValue != nil {
        throw JSONRPCParseError("a JSON-RPC batch (MCP has none since 2025-06-18)")
      }
      throw JSONRPCParseError("expected a JSON-RPC object, got \(value.kindName)")
    }
    // A missing "jsonrpc" is forgiven: the Python SDK (v2) drops it from some server-sent
    // notifications (it serializes with exclude_unset). A different version is not.
    if let version = o["jsonrpc"], version.stringValue != "2.0" {
      throw JSONRPCParseError("not JSON-RPC 2.0 (\"jsonrpc\" is not \"2.0\")")
    }
    let params = o["params"]
    if let params, params.objectValue == nil, params.arrayValue == nil, !params.isNull {
      throw JSONRPCParseError("\"params\" must be an object or an array")
    }
    if let method = o["method"] {
      guard let name = method.stringValue else {
        throw JSONRPCParseError("\"method\" must be a string")
      }
      let cleanParams = params?.isNull == true ? nil : params
      guard let rawID = o["id"] else { return .notification(method: name, params: cleanParams) }
      guard let id = JSONRPCID(rawID) else {
        throw JSONRPCParseError("request id must be a number or a string")
      }
      return .request(id: id, method: name, params: cleanParams)
    }
    let rawID = o["id"]
    if let error = o["error"] {
      guard let e = error.objectValue, let code = e["code"]?.intValue,
        let message = e["message"]?.stringValue
      else {
        throw JSONRPCParseError("\"error\" must be an object with a numeric code and a message")
      }
      let id = rawID.flatMap { JSONRPCID($0) }
      return .error(
        id: id, JSONRPCErrorObject(code: Int64(code), message: message, data: e["data"]))
    }
    guard let rawID, let id = JSONRPCID(rawID) else {
      throw JSONRPCParseError("a response without a valid id")
    }
    guard let result = o["result"] else {
      throw JSONRPCParseError("neither a method, a result nor an error")
    }
    return .result(id: id, result: result)
  }

  static func preview(_ bytes: some Collection<UInt8>) -> String {
    let text = String(decoding: bytes.prefix(120), as: UTF8.self)
    let escaped = text.unicodeScalars.map { s -> String in
      s.value < 0x20 || s.value == 0x7F ? "\\u{\(String(s.value, radix: 16))}" : String(s)
    }.joined()
    return "'" + escaped + (bytes.count > 120 ? "…'" : "'")
  }
}

public struct JSONRPCParseError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
