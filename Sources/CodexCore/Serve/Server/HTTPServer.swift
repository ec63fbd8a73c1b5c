import Synchronization

/// Our own HTTP/1.1 server: one event-loop thread with epoll accepts connections, reads and
/// parses requests and watches deadlines; each complete request is answered by `handler` in
/// its own task, which writes the response straight to the socket. Keep-alive, chunked and
/// `Content-Length` request bodies, `Expect: 100-continue`, streamed chunked responses with a
/// bounded queue per client, size limits and read timeouts (`HTTPServerLimits`). Bad HTTP is
/// answered 400 (or 413, 431, 501, 505) with a one-line reason and the connection closed.
///
/// A client that disconnects while its request is answered has its handler's task cancelled at
/// once. `shutdown` stops accepting, lets requests in flight finish within a grace period,
/// then cancels the rest.
public final class HTTPServer: Sendable {
  public typealias Handler = @Sendable (HTTPServerRequest, HTTPResponseWriter) async -> Void

  private let core: HTTPServerCore

  /// Binds `host:port` (port 0: the kernel picks; see `port`). Serving starts with `start()`.
  /// `loopbackOnly`: an address that is not a loopback one is refused
  /// (`ServeError.exposedWithoutKey`), checked on the address actually bound.
  public init(
    host: String, port: Int, limits: HTTPServerLimits = HTTPServerLimits(),
    loopbackOnly: Bool = false, handler: @escaping Handler
  ) throws {
    ServerSocket.raiseOpenFileLimit()
    let listener = try ServerSocket.listen(host: host, port: port, loopbackOnly: loopbackOnly)
    do {
      core = try HTTPServerCore(listener: listener, limits: limits, handler: handler)
    } catch {
      ServerSocket.close(listener.fd)
      throw error
    }
  }

  /// The bound port.
  public var port: Int { core.listener.port }

  /// Whether the server listens on a loopback address only.
  public var isLoopback: Bool { core.listener.isLoopback }

  /// Starts the event loop thread.
  public func start() throws {
    try core.start()
  }

  /// Requests whose handler has not returned yet, including ones whose body is still arriving.
  public var requestsInFlight: Int { core.inFlight.load(ordering: .acquiring) }

  public var openConnections: Int { core.openConnections.load(ordering: .acquiring) }

  /// Closes the listener (new connections are refused from when this returns) and the idle
  /// connections; requests in flight go on. `shutdown` does this first.
  public func stopAccepting() async {
    guard core.isRunning else { return }
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      core.post(.beginDrain(c))
    }
  }

  /// Stops accepting and closes idle connections; requests in flight get `grace` to finish
  /// (their connections close afterwards), then the rest are cancelled. Returns how many were
  /// cut off. The loop thread has ended when this returns.
  @discardableResult
  public func shutdown(grace: Duration) async -> Int {
    guard core.isRunning else { return 0 }
    await stopAccepting()
    let deadline = ContinuousClock.now + grace
    while core.inFlight.load(ordering: .acquiring) > 0, ContinuousClock.now < deadline {
      try? await Task.sleep(for: .milliseconds(10))
    }
    let cutOff = core.inFlight.load(ordering: .acquiring)
    core.post(.exit)
    // Cancelled handlers end promptly (their upstream requests are aborted at once).
    let end = ContinuousClock.now + .seconds(5)
    while !core.exited.load(ordering: .acquiring) || core.inFlight.load(ordering: .acquiring) > 0,
      ContinuousClock.now < end
    {
      try? await Task.sleep(for: .milliseconds(5))
    }
    return cutOff
  }
}

final class HTTPServerCore: @unchecked Sendable {
  enum Job {
    case responseDone(HTTPConnection, close: Bool)
    case beginDrain(CheckedContinuation<Void, Never>?)
    case exit
  }

  static let listenerToken: UInt64 = 0
  static let wakeToken: UInt64 = 1

  let listener: ListeningSocket
  let limits: HTTPServerLimits
  let handler: HTTPServer.Handler
  let poll: EventPoll

  // Shared with other threads.
  private let jobs = Mutex<(pending: [Job], closed: Bool)>(([], false))
  let inFlight = Atomic<Int>(0)
  let openConnections = Atomic<Int>(0)
  let draining = Atomic<Bool>(false)
  let exited = Atomic<Bool>(false)
  private let started = Atomic<Bool>(false)

  /// Whether the loop thread was started and has not ended.
  var isRunning: Bool {
    started.load(ordering: .acquiring) && !exited.load(ordering: .acquiring)
  }

  // Loop-confined.
  private var connections: [UInt64: HTTPConnection] = [:]
  /// Connections counted in `inFlight` while their request's body arrives (the handler's task
  /// takes the count over when it starts).
  private var countedWhileReading: Set<UInt64> = []
  private var nextID: UInt64 = 2
  private var listening = true
  private var acceptPaused = false
  private var nextScan: ContinuousClock.Instant?
  private var scratch = [UInt8](repeating: 0, count: 64 * 1024)
  private var running = true

  init(listener: ListeningSocket, limits: HTTPServerLimits, handler: @escaping HTTPServer.Handler)
    throws
  {
    self.listener = listener
    self.limits = limits
    self.handler = handler
    poll = try EventPoll()
    poll.add(listener.fd, events: EventPoll.readable, token: Self.listenerToken)
    poll.add(poll.wakeFD, events: EventPoll.readable, token: Self.wakeToken)
  }

  deinit {
    // A server never started still holds its listener (a started one closed it on exit).
    if !started.load(ordering: .acquiring) { ServerSocket.close(listener.fd) }
  }

  func start() throws {
    guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
    let rc = Platform.startThread { [self] in run() }
    if rc != 0 {
      throw ServeError.cannotListen(
        host: "", port: listener.port, detail: "cannot start the server thread (error \(rc))")
    }
  }

  func post(_ job: Job) {
    let accepted = jobs.withLock { j -> Bool in
      guard !j.closed else { return false }
      j.pending.append(job)
      return true
    }
    if accepted {
      poll.wake()
    } else if case .beginDrain(let done) = job {
      done?.resume()  // the loop has ended: nothing accepts any more
    }
  }

  // MARK: The loop

  private func run() {
    var tokens = [UInt64](repeating: 0, count: 256)
    var events = [UInt32](repeating: 0, count: 256)
    while running {
      let n = poll.wait(tokens: &tokens, events: &events, timeoutMilliseconds: timeout())
      for k in 0..<n {
        switch tokens[k] {
        case Self.listenerToken: acceptAll()
        case Self.wakeToken: poll.drainWake()
        default:
          if let connection = connections[tokens[k]] { handle(connection, events[k]) }
        }
      }
      runJobs()
      if let next = nextScan, ContinuousClock.now >= next { scan() }
    }
    for connection in Array(connections.values) { close(connection) }
    if listening { ServerSocket.close(listener.fd) }
    let left = jobs.withLock { j -> [Job] in
      j.closed = true
      defer { j.pending.removeAll() }
      return j.pending
    }
    for case .beginDrain(let done) in left { done?.resume() }
    exited.store(true, ordering: .releasing)
  }

  private func timeout() -> Int32 {
    guard let next = nextScan else { return -1 }
    let left = next - ContinuousClock.now
    if left <= .zero { return 0 }
    let (s, atto) = left.components
    return Int32(clamping: s * 1000 + atto / 1_000_000_000_000_000 + 1)
  }

  private func runJobs() {
    let pending = jobs.withLock { j -> [Job] in
      defer { j.pending.removeAll() }
      return j.pending
    }
    for job in pending {
      switch job {
      case .responseDone(let connection, let close): responseDone(connection, close: close)
      case .beginDrain(let done):
        beginDrain()
        done?.resume()
      case .exit: running = false
      }
    }
  }

  private func schedule(_ instant: ContinuousClock.Instant) {
    if let next = nextScan, next <= instant { return }
    nextScan = instant
  }

  private func setDeadline(_ connection: HTTPConnection, _ instant: ContinuousClock.Instant?) {
    connection.deadline = instant
    if let instant { schedule(instant) }
  }

  // MARK: Accepting

  private func acceptAll() {
    guard listening, !acceptPaused else { return }
    while true {
      switch ServerSocket.accept(listener.fd) {
      case .none:
        return
      case .exhausted:
        // Out of descriptors: stop watching the listener briefly instead of spinning on it.
        acceptPaused = true
        poll.modify(listener.fd, events: 0, token: Self.listenerToken)
        schedule(.now + .milliseconds(100))
        return
      case .connection(let fd, let peer):
        if connections.count >= limits.maxConnections || draining.load(ordering: .acquiring) {
          ServerSocket.close(fd)
          continue
        }
        let id = nextID
        nextID += 1
        let connection = HTTPConnection(id: id, fd: fd, peer: peer, limits: limits, poll: poll)
        guard poll.add(fd, events: HTTPConnection.readInterest, token: id) else {
          ServerSocket.close(fd)
          continue
        }
        connections[id] = connection
        openConnections.add(1, ordering: .releasing)
        setDeadline(connection, .now + limits.keepAliveTimeout)
      }
    }
  }

  // MARK: Reading

  private func handle(_ connection: HTTPConnection, _ events: UInt32) {
    if events & EventPoll.writable != 0 {
      switch connection.flush() {
      case .open: break
      case .drained:
        finishClosing(connection)
        return
      case .gone:
        close(connection)
        return
      }
    }
    let readable = EventPoll.readable | EventPoll.peerClosed | EventPoll.hangUp | EventPoll.error
    if events & readable != 0 { read(connection) }
  }

  private func read(_ connection: HTTPConnection) {
    let fd = connection.fdForReading
    guard fd >= 0 else { return }
    if connection.phase == .lingering {
      discard(connection, fd)
      return
    }
    var total = 0
    // At most 1 MiB per wakeup, so one fast uploader cannot starve the other connections.
    while total < 1 << 20 {
      let result = scratch.withUnsafeMutableBytes { ServerSocket.receive(fd, into: $0) }
      switch result {
      case .transferred(let n):
        total += n
        scratch.withUnsafeBytes {
          connection.parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<n]))
        }
        continue
      case .wouldBlock:
        break
      case .closed:
        // The client left. Mid-answer this cancels the handler (and its upstream request).
        close(connection)
        return
      }
      break
    }
    guard total > 0 else { return }
    switch connection.phase {
    case .idle:
      connection.phase = .reading
      connection.requestStart = .now
      setDeadline(connection, .now + limits.headerTimeout)
      process(connection)
    case .reading:
      if connection.parser.isReadingBody, let bodyStart = connection.bodyStart {
        setDeadline(
          connection, min(.now + limits.bodyIdleTimeout, bodyStart + limits.bodyTimeout))
      }
      process(connection)
    case .handling:
      // A pipelined request waits for the current answer; only so much of it is buffered.
      if connection.parser.bufferedCount > limits.maxHeaderBytes {
        connection.readPaused = true
        connection.setReading(false)
      }
    case .closing, .lingering:
      break
    }
  }

  /// Drops what a refused client still sends; its end closes the connection.
  private func discard(_ connection: HTTPConnection, _ fd: Int32) {
    for _ in 0..<16 {
      switch scratch.withUnsafeMutableBytes({ ServerSocket.receive(fd, into: $0) }) {
      case .transferred: continue
      case .wouldBlock: return
      case .closed:
        close(connection)
        return
      }
    }
  }

  /// The last response has gone out on a connection that closes after it.
  private func finishClosing(_ connection: HTTPConnection) {
    guard connection.lingers else {
      close(connection)
      return
    }
    connection.phase = .lingering
    connection.shutdownWrite()
    connection.setReading(true)
    setDeadline(connection, .now + .seconds(2))
  }

  /// Acts on what the buffered bytes complete.
  private func process(_ connection: HTTPConnection) {
    while connection.phase == .reading || connection.phase == .idle {
      let event: HTTPRequestParser.Event?
      do {
        event = try connection.parser.next()
      } catch {
        refuse(connection, status: error.status, message: error.message)
        return
      }
      guard let event else { return }
      switch event {
      case .head(let head):
        if !countedWhileReading.contains(connection.id) {
          countedWhileReading.insert(connection.id)
          inFlight.add(1, ordering: .releasing)
        }
        connection.phase = .reading
        connection.bodyStart = .now
        setDeadline(connection, .now + min(limits.bodyIdleTimeout, limits.bodyTimeout))
        if head.version == "HTTP/1.1", head.header("expect")?.lowercased() == "100-continue" {
          _ = connection.enqueue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
      case .request(let head, let body):
        dispatch(connection, head, body)
      }
    }
  }

  private func dispatch(
    _ connection: HTTPConnection, _ head: HTTPRequestParser.Head, _ body: [UInt8]
  ) {
    if countedWhileReading.remove(connection.id) == nil { inFlight.add(1, ordering: .releasing) }
    let request = HTTPServerRequest(
      method: head.method, target: head.target, version: head.version, headers: head.headers,
      body: body, peer: connection.peer, receivedAt: connection.requestStart ?? .now)
    connection.phase = .handling
    connection.requestStart = nil
    connection.bodyStart = nil
    setDeadline(connection, nil)
    let writer = HTTPResponseWriter(
      connection: connection, request: request,
      serverDraining: { [self] in draining.load(ordering: .acquiring) },
      onComplete: { [self] close in post(.responseDone(connection, close: close)) })
    let handler = self.handler
    let task = Task { [self] in
      await handler(request, writer)
      writer.finish()
      inFlight.subtract(1, ordering: .releasing)
    }
    if !connection.setAbort({ task.cancel() }) { task.cancel() }
  }

  private func responseDone(_ connection: HTTPConnection, close shouldClose: Bool) {
    guard !connection.isClosed else { return }
    _ = connection.setAbort(nil)
    if shouldClose || draining.load(ordering: .acquiring) {
      connection.phase = .closing
      connection.closeAfterFlush()
      connection.setReading(false)
      if connection.pendingOutput == 0 { finishClosing(connection) }
      return
    }
    connection.phase = .idle
    setDeadline(connection, .now + limits.keepAliveTimeout)
    if connection.readPaused {
      connection.readPaused = false
      connection.setReading(true)
    }
    if connection.parser.bufferedCount > 0 {
      // A pipelined request came in meanwhile.
      connection.phase = .reading
      connection.requestStart = .now
      setDeadline(connection, .now + limits.headerTimeout)
      process(connection)
    }
  }

  /// Answers a request we will not serve (bad HTTP, a timeout) and closes the connection.
  private func refuse(_ connection: HTTPConnection, status: Int, message: String) {
    let body = ServeErrorBody.generic(status: status, message: message)
    let head = HTTPResponseWriter.head(
      status: status,
      headers: [("Content-Type", "application/json"), ("Content-Length", "\(body.count)")],
      close: true)
    connection.phase = .closing
    connection.lingers = true
    setDeadline(connection, nil)
    connection.closeAfterFlush()
    connection.setReading(false)
    if case .closed = connection.enqueue(head + body) {
      close(connection)
    } else if connection.pendingOutput == 0 {
      finishClosing(connection)
    }
  }

  private func close(_ connection: HTTPConnection) {
    guard connections.removeValue(forKey: connection.id) != nil else { return }
    if countedWhileReading.remove(connection.id) != nil {
      inFlight.subtract(1, ordering: .releasing)
    }
    connection.close()
    openConnections.subtract(1, ordering: .releasing)
  }

  // MARK: Deadlines

  private func scan() {
    let now = ContinuousClock.now
    nextScan = nil
    if acceptPaused {
      acceptPaused = false
      if listening {
        poll.modify(listener.fd, events: EventPoll.readable, token: Self.listenerToken)
      }
    }
    for connection in Array(connections.values) {
      if connection.writeTrouble(now: now) {
        close(connection)
        continue
      }
      guard let deadline = connection.deadline else { continue }
      if now < deadline {
        schedule(deadline)
        continue
      }
      switch connection.phase {
      case .reading:
        let what = connection.parser.isReadingBody ? "the request body" : "the request head"
        refuse(connection, status: 408, message: "\(what) did not arrive in time")
      default:
        close(connection)
      }
    }
    // Stalled writers are looked at once a second while anything is connected.
    if !connections.isEmpty { schedule(now + .seconds(1)) }
  }

  // MARK: Shutdown

  private func beginDrain() {
    draining.store(true, ordering: .releasing)
    if listening {
      listening = false
      poll.remove(listener.fd)
      ServerSocket.close(listener.fd)
    }
    for connection in Array(connections.values) {
      switch connection.phase {
      case .idle:
        close(connection)
      case .reading where !connection.parser.isReadingBody:
        // Not a request yet; nothing is lost.
        close(connection)
      default:
        break
      }
    }
  }
}
