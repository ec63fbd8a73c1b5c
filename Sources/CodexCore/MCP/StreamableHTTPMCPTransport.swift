import Synchronization

/// MCP's streamable HTTP transport: every message is a POST to one URL; the answer is 202 (a
/// notification or response accepted), one JSON message, or an SSE stream that may carry the
/// server's own requests and notifications before the response. The `Mcp-Session-Id` the server
/// gives on `initialize` is echoed on every later request, with `MCP-Protocol-Version`; a 404
/// to a request that carried it means the session is gone (`MCPError.sessionExpired`). After
/// the handshake a GET opens the stream for messages the server starts (405: it has none).
public final class StreamableHTTPMCPTransport: MCPTransport {
  public let url: String
  let headers: [(name: String, value: String)]
  let http: any HTTPTransport
  /// Longest wait for the connection; answers are timed by the client, per request.
  let connectTimeout: Duration

  struct State {
    var continuation: AsyncStream<MCPTransportEvent>.Continuation?
    var sessionID: String?
    var protocolVersion: String?
    var serverStream: Task<Void, Never>?
    var closed = false
  }
  let state = Mutex(State())

  /// The largest JSON answer read (a tool result with images can be big, but not unbounded).
  static let maxBodyBytes = 64 << 20

  public init(
    url: String, headers: [(name: String, value: String)], http: any HTTPTransport,
    connectTimeout: Duration = .seconds(10)
  ) {
    self.url = url
    self.headers = headers
    self.http = http
    self.connectTimeout = connectTimeout
  }

  public var sessionID: String? { state.withLock { $0.sessionID } }

  public func start() async throws -> AsyncStream<MCPTransportEvent> {
    let (stream, continuation) = AsyncStream<MCPTransportEvent>.makeStream()
    state.withLock { $0.continuation = continuation }
    return stream
  }

  func yield(_ event: MCPTransportEvent) {
    _ = state.withLock { $0.continuation }?.yield(event)
  }

  func requestHeaders(accept: String, json: Bool) -> [(name: String, value: String)] {
    var h: [(name: String, value: String)] = []
    if json { h.append(("Content-Type", "application/json")) }
    h.append(("Accept", accept))
    let (session, version) = state.withLock { ($0.sessionID, $0.protocolVersion) }
    if let session { h.append(("Mcp-Session-Id", session)) }
    if let version { h.append(("MCP-Protocol-Version", version)) }
    // The user's headers last: they may deliberately override ours (a proxy's Accept).
    return h + headers
  }

  public func send(_ message: JSONRPCMessage) async throws {
    if state.withLock({ $0.closed }) { throw MCPError.disconnected("the connection was closed") }
    let hadSession = state.withLock { $0.sessionID != nil }
    let request = HTTPRequest(
      method: "POST", url: url,
      headers: requestHeaders(accept: "application/json, text/event-stream", json: true),
      body: message.json.serializedBytes(), connectTimeout: connectTimeout, idleTimeout: nil)
    let response: HTTPStreamingResponse
    do {
      response = try await http.send(request)
    } catch let e as TransportError {
      throw MCPError.transport(e.description)
    }
    if let session = response.head.header("mcp-session-id"), !session.isEmpty {
      // Visible ASCII only (the spec's rule): anything else could smuggle header lines.
      if session.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) {
        state.withLock { $0.sessionID = session }
      } else {
        throw MCPError.protocolViolation("the Mcp-Session-Id header has invalid characters")
      }
    }
    let status = response.head.status
    if status == 404 && hadSession { throw MCPError.sessionExpired }
    guard (200..<300).contains(status) else {
      let body = (try? await response.collectBody(limit: 4096)) ?? []
      throw MCPError.http(status: status, detail: Self.errorDetail(body))
    }
    if status == 202 || status == 204 { return }
    var awaited: JSONRPCID?
    if case .request(let id, _, _) = message { awaited = id }
    let contentType = (response.head.header("content-type") ?? "").lowercased()
    if contentType.hasPrefix("text/event-stream") {
      let answered = try await readEvents(response.body, awaiting: awaited)
      if awaited != nil && !answered {
        throw MCPError.transport("the server ended its event stream without answering")
      }
      return
    }
    let body = try await response.collectBody(limit: Self.maxBodyBytes + 1)
    if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
      if awaited == nil { return }
      throw MCPError.protocolViolation("an empty answer to a request")
    }
    guard body.count <= Self.maxBodyBytes else {
      throw MCPError.protocolViolation("an answer larger than \(Self.maxBodyBytes >> 20) MiB")
    }
    guard contentType.hasPrefix("application/json") || contentType.isEmpty else {
      throw MCPError.protocolViolation(
        "an answer of type '\(contentType)' (expected JSON or an event stream)")
    }
    do {
      yield(.message(try JSONRPCMessage.parse(body)))
    } catch {
      yield(.invalid("\(error)"))
    }
  }

  /// Hands each event's message to the client; true once the response to `awaiting` passed.
  func readEvents(_ body: HTTPBody, awaiting: JSONRPCID?) async throws -> Bool {
    var framer = SSEFramer()
    var answered = false
    var size = 0
    func handle(_ events: [SSEEvent]) {
      for event in events {
        // An event with an id and no data primes resumption (2025-11-25): nothing to read.
        if event.data.isEmpty { continue }
        if let name = event.event, name != "message" { continue }
        do {
          let message = try JSONRPCMessage.parse(Array(event.data.utf8))
          switch message {
          case .result(let id, _) where id == awaiting, .error(let id?, _) where id == awaiting:
            answered = true
          default: break
          }
          yield(.message(message))
        } catch {
          yield(.invalid("\(error) in an event"))
        }
      }
    }
    do {
      for try await chunk in body {
        size += chunk.count
        handle(framer.feed(chunk))
        if answered { return true }
        if size > Self.maxBodyBytes * 2 {
          throw MCPError.protocolViolation("an event stream of more than 128 MiB")
        }
      }
    } catch let e as TransportError {
      throw MCPError.transport(e.description)
    }
    handle(framer.finish())
    return answered
  }

  public func negotiated(protocolVersion: String) {
    state.withLock { $0.protocolVersion = protocolVersion }
  }

  public func resetSession() {
    let task = state.withLock { s -> Task<Void, Never>? in
      s.sessionID = nil
      s.protocolVersion = nil
      defer { s.serverStream = nil }
      return s.serverStream
    }
    task?.cancel()
  }

  public func openServerChannel() {
    let task = Task<Void, Never> { [weak self] in await self?.listen() }
    let old = state.withLock { s -> Task<Void, Never>? in
      defer { s.serverStream = task }
      return s.serverStream
    }
    old?.cancel()
  }

  /// The GET stream for messages the server starts (list_changed, its own requests). It is
  /// optional: a 405 or an error ends it quietly; the POST answers still carry everything a
  /// request needs.
  func listen() async {
    let request = HTTPRequest(
      method: "GET", url: url, headers: requestHeaders(accept: "text/event-stream", json: false),
      connectTimeout: connectTimeout, idleTimeout: nil)
    guard let response = try? await http.send(request), response.head.status == 200,
      (response.head.header("content-type") ?? "").lowercased().hasPrefix("text/event-stream")
    else { return }
    _ = try? await readEvents(response.body, awaiting: nil)
  }

  /// Ends the session (DELETE, when there is one; a 405 is fine) and the event stream.
  public func close() async {
    let (task, session, continuation) = state.withLock {
      s -> (Task<Void, Never>?, String?, AsyncStream<MCPTransportEvent>.Continuation?) in
      if s.closed { return (nil, nil, nil) }
      s.closed = true
      defer { s.serverStream = nil }
      return (s.serverStream, s.sessionID, s.continuation)
    }
    task?.cancel()
    if session != nil {
      let request = HTTPRequest(
        method: "DELETE", url: url, headers: requestHeaders(accept: "*/*", json: false),
        connectTimeout: .seconds(2), idleTimeout: .seconds(2))
      if let response = try? await http.send(request) {
        _ = try? await response.collectBody(limit: 4096)
      }
    }
    continuation?.yield(.closed("the connection was closed"))
    continuation?.finish()
  }

  /// A short, printable version of an error body (JSON-RPC error messages are preferred).
  static func errorDetail(_ body: [UInt8]) -> String {
    if let json = try? JSON.parse(body), let message = json["error"]?["message"]?.stringValue {
      return String(message.prefix(300))
    }
    let text = String(decoding: body.prefix(300), as: UTF8.self)
    return text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(String.init)
      .joined().trimmingWhitespace()
  }
}
