/// What a transport hands the client: each message the server sent, in order, and finally why
/// the connection ended.
public enum MCPTransportEvent: Sendable, Equatable {
  case message(JSONRPCMessage)
  /// Something that is not a JSON-RPC message; the client treats it as fatal.
  case invalid(String)
  /// The connection is over (the process exited, the transport was closed); the last event.
  case closed(String)
}

/// The role: carry JSON-RPC messages to one MCP server and bring back what it sends.
/// `StdioMCPTransport` (a child process) and `StreamableHTTPMCPTransport` (POST + SSE) are the
/// real ones.
public protocol MCPTransport: Sendable {
  /// Connects (starts the process); events arrive on the returned stream, which has one reader.
  func start() async throws -> AsyncStream<MCPTransportEvent>
  /// Sends one message. Over HTTP this returns once the server's answer to it has been read
  /// and handed to the event stream (or the server accepted a notification).
  func send(_ message: JSONRPCMessage) async throws
  /// The version `initialize` settled on (HTTP sends it as a header on every later request).
  func negotiated(protocolVersion: String)
  /// Forgets the server's session (after a 404 says it has ended), before initializing again.
  func resetSession()
  /// After the handshake: open the channel for messages the server starts (HTTP's GET stream).
  func openServerChannel()
  /// Ends the connection and waits (bounded) for it to be over.
  func close() async
}

/// Why an MCP exchange failed; each case reads as one line.
public enum MCPError: Error, Sendable, Equatable, CustomStringConvertible {
  case startFailed(String)
  /// The connection ended (the process exited) while we needed it.
  case disconnected(String)
  case timedOut(method: String, seconds: Double)
  /// The server answered with a JSON-RPC error.
  case server(JSONRPCErrorObject)
  /// The server broke the protocol (invalid JSON, a malformed answer).
  case protocolViolation(String)
  case http(status: Int, detail: String)
  /// 404 to a request that carried our session id: the server forgot the session.
  case sessionExpired
  case unsupportedVersion(String)
  case transport(String)

  public var description: String {
    switch self {
    case .startFailed(let why): return "could not start: \(why)"
    case .disconnected(let why): return why
    case .timedOut(let method, let seconds):
      return "no answer to \(method) within \(Self.seconds(seconds))s"
    case .server(let e): return "the server answered with an error: \(e)"
    case .protocolViolation(let why): return "broke the MCP protocol: \(why)"
    case .http(let status, let detail):
      return "HTTP \(status)" + (detail.isEmpty ? "" : ": \(detail)")
    case .sessionExpired: return "the server ended the session (HTTP 404)"
    case .unsupportedVersion(let why): return why
    case .transport(let why): return why
    }
  }

  public static func seconds(_ s: Double) -> String {
    s == s.rounded() && s < 1e9 ? String(Int(s)) : String(s)
  }
}
