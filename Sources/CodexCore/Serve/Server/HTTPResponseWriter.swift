import Synchronization

/// How a handler answers one request: either a whole response (`respond`) or a streamed one
/// (`startStream`, `write`..., `finish`). Streamed bodies are chunked (close-delimited for an
/// HTTP/1.0 client), and `write` waits while the client is slower than the stream: the queue
/// per client is bounded, so a slow reader holds back the upstream instead of growing memory.
public final class HTTPResponseWriter: Sendable {
  private enum State {
    case notStarted
    case streaming(chunked: Bool)
    case done
  }

  private let state = Mutex(State.notStarted)
  private let connection: HTTPConnection
  private let version: String
  private let clientWantsClose: Bool
  private let isHead: Bool
  /// Asked when the head goes out: true once the server is shutting down.
  private let serverDraining: @Sendable () -> Bool
  /// Told when the response is complete, and whether the connection closes after it.
  private let onComplete: @Sendable (_ close: Bool) -> Void

  init(
    connection: HTTPConnection, request: HTTPServerRequest,
    serverDraining: @escaping @Sendable () -> Bool,
    onComplete: @escaping @Sendable (_ close: Bool) -> Void
  ) {
    self.connection = connection
    version = request.version
    clientWantsClose = request.wantsClose
    isHead = request.method == "HEAD"
    self.serverDraining = serverDraining
    self.onComplete = onComplete
  }

  /// Whether the client is still connected.
  public var isConnected: Bool { !connection.isClosed }

  /// A complete response with `Content-Length`.
  public func respond(
    status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []
  ) {
    let close = shouldClose
    let started = state.withLock { s -> Bool in
      guard case .notStarted = s else { return false }
      s = .done
      return true
    }
    guard started else { return }
    var out = Self.head(
      status: status, headers: headers + [("Content-Length", "\(body.count)")], close: close)
    if !isHead { out.append(contentsOf: body) }
    _ = connection.enqueue(out)
    onComplete(close)
  }

  /// Sends the head of a streamed response; the body follows with `write` and `finish`.
  public func startStream(status: Int, headers: [(name: String, value: String)] = []) throws {
    let chunked = version != "HTTP/1.0"
    let close = shouldClose || !chunked
    try state.withLock { s in
      guard case .notStarted = s else { throw HTTPServerError.misuse("the head was already sent") }
      s = .streaming(chunked: chunked)
    }
    var all = headers
    if chunked { all.append(("Transfer-Encoding", "chunked")) }
    guard case .queued = connection.enqueue(Self.head(status: status, headers: all, close: close))
    else { throw HTTPServerError.clientGone }
  }

  /// Sends one piece of a streamed body; waits while the client's queue is full. Throws
  /// `HTTPServerError.clientGone` when the client has disconnected.
  public func write(_ bytes: [UInt8]) async throws {
    if try send(bytes) > connection.limits.outputHighWatermark {
      try await connection.waitForDrain()
    }
  }

  /// Sends one piece of a streamed body without waiting (what the socket does not take is
  /// queued); returns how many bytes are queued for this client. A caller that streams this
  /// way calls `waitForRoom` between pieces to keep the queue bounded.
  @discardableResult
  public func send(_ bytes: [UInt8]) throws -> Int {
    guard !bytes.isEmpty else { return 0 }
    let chunked: Bool = try state.withLock { s in
      guard case .streaming(let chunked) = s else {
        throw HTTPServerError.misuse("write before startStream or after finish")
      }
      return chunked
    }
    if isHead { return 0 }
    let framed: [UInt8]
    if chunked {
      var f: [UInt8] = []
      f.reserveCapacity(bytes.count + 12)
      f.append(contentsOf: String(bytes.count, radix: 16).utf8)
      f.append(contentsOf: [0x0D, 0x0A])
      f.append(contentsOf: bytes)
      f.append(contentsOf: [0x0D, 0x0A])
      framed = f
    } else {
      framed = bytes
    }
    switch connection.enqueue(framed) {
    case .closed: throw HTTPServerError.clientGone
    case .queued(let pending): return pending
    }
  }

  /// Returns at once while the client's queue is below the high watermark; otherwise waits
  /// until it has drained to the low one. Throws when the client has disconnected.
  public func waitForRoom() async throws {
    switch connection.queued() {
    case .closed: throw HTTPServerError.clientGone
    case .queued(let pending):
      if pending > connection.limits.outputHighWatermark { try await connection.waitForDrain() }
    }
  }

  /// Ends a streamed body (or, when nothing was sent, answers 500 so the client is not left
  /// waiting). Safe to call more than once.
  public func finish() {
    let previous = state.withLock { s -> State in
      let was = s
      if case .streaming = s { s = .done }
      return was
    }
    switch previous {
    case .done:
      return
    case .notStarted:
      respond(
        status: 500, headers: [("Content-Type", "application/json")],
        body: Array(
          #"{"error":{"message":"the handler sent no response","type":"server_error"}}"#.utf8))
    case .streaming(let chunked):
      let close = shouldClose || !chunked
      if chunked, !isHead { _ = connection.enqueue(Array("0\r\n\r\n".utf8)) }
      onComplete(close)
    }
  }

  private var shouldClose: Bool { clientWantsClose || serverDraining() }

  static func head(status: Int, headers: [(name: String, value: String)], close: Bool) -> [UInt8] {
    var text = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\n"
    for (name, value) in headers {
      // Values come from our own code, but an upstream's header passed along must never be able
      // to inject a line.
      let clean = value.filter { $0 != "\r" && $0 != "\n" }
      text += "\(name): \(clean)\r\n"
    }
    if close { text += "Connection: close\r\n" }
    text += "\r\n"
    return Array(text.utf8)
  }

  static func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 100: return "Continue"
    case 200: return "OK"
    case 204: return "No Content"
    case 400: return "Bad Request"
    case 401: return "Unauthorized"
    case 403: return "Forbidden"
    case 404: return "Not Found"
    case 405: return "Method Not Allowed"
    case 408: return "Request Timeout"
    case 409: return "Conflict"
    case 413: return "Content Too Large"
    case 415: return "Unsupported Media Type"
    case 422: return "Unprocessable Content"
    case 429: return "Too Many Requests"
    case 431: return "Request Header Fields Too Large"
    case 500: return "Internal Server Error"
    case 501: return "Not Implemented"
    case 502: return "Bad Gateway"
    case 503: return "Service Unavailable"
    case 504: return "Gateway Timeout"
    case 505: return "HTTP Version Not Supported"
    case 529: return "Overloaded"
    default: return "Status"
    }
  }
}
