import CodexCore
import Synchronization

/// A real HTTP/1.1 server on 127.0.0.1 (kernel-chosen port) for integration and end-to-end
/// tests. Each connection gets its own thread; keep-alive, `Content-Length` and chunked request
/// bodies, `Expect: 100-continue` and proxy-style absolute-form targets are understood.
///
/// ```swift
/// let server = try FakeHTTPServer { request in
///   request.index == 0 ? .json(429, #"{"error":"slow down"}"#, headers: [("Retry-After", "1")])
///                      : .sse([#"{"choices":[]}"#, "[DONE]"])
/// }
/// defer { server.stop() }
/// ```
///
/// The handler runs on the connection's thread; it must not call `stop()`.
public final class FakeHTTPServer: Sendable {
  private let core: FakeHTTPServerCore

  public init(handler: @escaping @Sendable (RecordedRequest) -> FakeResponse) throws {
    core = try FakeHTTPServerCore(handler: handler)
  }

  deinit {
    core.stop()
  }

  public var port: Int { core.port }

  /// `http://127.0.0.1:PORT`, without a trailing slash.
  public var baseURL: String { "http://127.0.0.1:\(core.port)" }

  /// Every request received so far, in arrival order.
  public var requests: [RecordedRequest] { core.state.withLock { $0.requests } }

  /// The requests that ask the model (every wire POSTs them), without the GETs a client makes
  /// around them (model listings, context-window lookups).
  public var modelRequests: [RecordedRequest] { requests.filter { $0.method == "POST" } }

  /// Connections currently open (a client that went away shows up as a decrease).
  public var openConnectionCount: Int { core.state.withLock { $0.openConnections } }

  /// Body bytes of scripted `.send` steps the socket has taken so far, over all responses (for
  /// tests that check a client does not read ahead without bound).
  public var bodyBytesSent: Int { core.state.withLock { $0.bodyBytesSent } }

  /// When the server last saw a connection end (the client closed it, or the script did), so a
  /// test can time how fast a client hangs up without counting its own polling.
  public var lastConnectionClosedAt: ContinuousClock.Instant? {
    core.state.withLock { $0.lastClosedAt }
  }

  /// Polls until `condition` holds or `timeout` passes; returns whether it held. For waiting on
  /// effects the client cannot observe directly (a connection the client dropped was closed).
  public func wait(
    timeout: Duration = .seconds(30), until condition: @Sendable (FakeHTTPServer) -> Bool
  ) async -> Bool {
    await Waiting.until(budget: timeout) { condition(self) }
  }

  /// Closes the listener and every connection, interrupts scripted sleeps, hangs and gates,
  /// and joins all threads. Safe to call more than once.
  public func stop() {
    core.stop()
  }

  /// A loopback port nothing listens on (bound, then closed), for "connection refused" tests.
  public static func unusedLoopbackPort() throws -> Int {
    try FakeSocket.unusedLoopbackPort()
  }
}

final class FakeHTTPServerCore: Sendable {
  struct State {
    var requests: [RecordedRequest] = []
    var acceptThread: FakeThread?
    var connectionThreads: [FakeThread] = []
    var nextConnectionID = 0
    var openConnections = 0
    var lastClosedAt: ContinuousClock.Instant?
    var bodyBytesSent = 0
    var stopped = false
  }

  let port: Int
  let state = Mutex(State())
  private let listenFD: Int32
  /// Written once by `stop()` and never read: every thread's poll watches it.
  private let stopRead: Int32
  private let stopWrite: Int32
  private let handler: @Sendable (RecordedRequest) -> FakeResponse

  init(handler: @escaping @Sendable (RecordedRequest) -> FakeResponse) throws {
    self.handler = handler
    (listenFD, port) = try FakeSocket.listenOnLoopback()
    do {
      (stopRead, stopWrite) = try FakeSocket.makePipe()
    } catch {
      FakeSocket.close(listenFD)
      throw error
    }
    let thread = try FakeThread { [self] in acceptLoop() }
    state.withLock { $0.acceptThread = thread }
  }

  func stop() {
    let acceptThread: FakeThread?? = state.withLock { state in
      if state.stopped { return .none }
      state.stopped = true
      return .some(state.acceptThread)
    }
    guard case .some(let thread) = acceptThread else { return }
    FakeSocket.writeByte(stopWrite)
    thread?.join()
    // The accept thread is gone, so no connection thread can be added any more.
    for connection in state.withLock({ $0.connectionThreads }) { connection.join() }
    FakeSocket.close(listenFD)
    FakeSocket.close(stopRead)
    FakeSocket.close(stopWrite)
  }

  private func acceptLoop() {
    while FakeSocket.waitReadable(listenFD, stop: stopRead) == .ready {
      guard let fd = FakeSocket.accept(listenFD) else { continue }
      let started = state.withLock { state -> Bool in
        guard !state.stopped else { return false }
        let id = state.nextConnectionID
        guard let thread = try? FakeThread({ [self] in serve(fd, connectionID: id) }) else {
          return false
        }
        state.nextConnectionID += 1
        state.openConnections += 1
        state.connectionThreads.append(thread)
        return true
      }
      if !started { FakeSocket.close(fd) }
    }
  }

  private func serve(_ fd: Int32, connectionID: Int) {
    defer {
      FakeSocket.close(fd)
      state.withLock {
        $0.openConnections -= 1
        $0.lastClosedAt = .now
      }
    }
    var buffer: [UInt8] = []
    while true {
      guard let (head, body) = readRequest(fd, &buffer) else { return }
      let request = state.withLock { state in
        let request = RecordedRequest(
          method: head.method, path: head.target, version: head.version, headers: head.headers,
          body: body, index: state.requests.count, connectionID: connectionID)
        state.requests.append(request)
        return request
      }
      let response = handler(request)
      guard respond(fd, response, isHead: head.method == "HEAD"), !head.wantsClose else { return }
    }
  }

  /// Reads one complete request; nil when the client closed, the bytes are not HTTP, or the
  /// server stops.
  private func readRequest(
    _ fd: Int32, _ buffer: inout [UInt8]
  ) -> (FakeHTTPRequestParser.Head, [UInt8])? {
    do {
      var head = try FakeHTTPRequestParser.parseHead(buffer)
      while head == nil {
        guard receive(fd, into: &buffer) else { return nil }
        head = try FakeHTTPRequestParser.parseHead(buffer)
      }
      guard let head else { return nil }
      var parsed = try FakeHTTPRequestParser.parseBody(buffer, head: head)
      if parsed == nil && head.header("expect")?.lowercased() == "100-continue" {
        guard FakeSocket.write(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), stop: stopRead)
        else { return nil }
      }
      while parsed == nil {
        guard receive(fd, into: &buffer) else { return nil }
        parsed = try FakeHTTPRequestParser.parseBody(buffer, head: head)
      }
      guard let parsed else { return nil }
      buffer.removeFirst(parsed.next)
      return (head, parsed.body)
    } catch {
      let reason = (error as? FakeHTTPRequestParser.Malformed)?.reason ?? "\(error)"
      let reply =
        "HTTP/1.1 400 Bad Request\r\nContent-Length: \(reason.utf8.count)\r\n"
        + "Connection: close\r\n\r\n\(reason)"
      _ = FakeSocket.write(fd, Array(reply.utf8), stop: stopRead)
      return nil
    }
  }

  private func receive(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
    guard case .data(let bytes) = FakeSocket.read(fd, stop: stopRead) else { return false }
    buffer.append(contentsOf: bytes)
    return true
  }

  /// Plays the response script; returns whether the connection may serve another request.
  private func respond(_ fd: Int32, _ response: FakeResponse, isHead: Bool) -> Bool {
    if response.framing != .raw {
      guard FakeSocket.write(fd, responseHead(response), stop: stopRead) else { return false }
      if isHead { return response.framing != .closeDelimited }
    }
    for step in response.steps {
      switch step {
      case .send(let bytes):
        guard !bytes.isEmpty else { continue }
        var wire: [UInt8] = []
        if response.framing == .chunked {
          wire.append(contentsOf: Array((String(bytes.count, radix: 16) + "\r\n").utf8))
          wire.append(contentsOf: bytes)
          wire.append(contentsOf: [0x0D, 0x0A])
        } else {
          wire = bytes
        }
        guard FakeSocket.write(fd, wire, stop: stopRead) else { return false }
        state.withLock { $0.bodyBytesSent += bytes.count }
      case .sleep(let milliseconds):
        let slept = FakeSocket.waitReadable(-1, stop: stopRead, timeoutMilliseconds: milliseconds)
        guard slept == .timedOut else { return false }
      case .wait(let gate):
        guard gate.wait(stop: stopRead) else { return false }
      case .close:
        return false
      case .hang:
        // Discard anything the client still sends; return when it closes or we stop.
        while case .data = FakeSocket.read(fd, stop: stopRead) {}
        return false
      }
    }
    switch response.framing {
    case .chunked:
      return FakeSocket.write(fd, Array("0\r\n\r\n".utf8), stop: stopRead)
    case .contentLength:
      return true
    case .closeDelimited, .raw:
      return false
    }
  }

  private func responseHead(_ response: FakeResponse) -> [UInt8] {
    var headers = response.headers
    func hasHeader(_ name: String) -> Bool {
      headers.contains(where: { $0.name.lowercased() == name })
    }
    switch response.framing {
    case .contentLength where !hasHeader("content-length"):
      let length = response.steps.reduce(0) { total, step in
        if case .send(let bytes) = step { return total + bytes.count }
        return total
      }
      headers.append((name: "Content-Length", value: "\(length)"))
    case .chunked where !hasHeader("transfer-encoding"):
      headers.append((name: "Transfer-Encoding", value: "chunked"))
    case .closeDelimited where !hasHeader("connection"):
      headers.append((name: "Connection", value: "close"))
    default:
      break
    }
    var text = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n"
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    text += "\r\n"
    return Array(text.utf8)
  }
}
