import Synchronization

/// One client connection.
///
/// Two sides meet here. The read side (parsing, deadlines, the request in flight) belongs to
/// the event loop's thread alone. The write side is shared: a handler's task sends response
/// bytes straight to the socket from its own thread (no hop to the loop per chunk), and only
/// what the socket does not take at once is queued for the loop to send when it is writable.
/// The descriptor is closed by the loop only, so its number cannot be reused under a writer.
final class HTTPConnection: @unchecked Sendable {
  enum Phase {
    /// Between requests (or before the first one).
    case idle
    /// A request's head or body is arriving.
    case reading
    /// A handler is answering a request.
    case handling
    /// The last response is going out; the connection closes once it has.
    case closing
    /// A refusal went out and our side is shut: what the client still sends is read and
    /// dropped for a moment, so closing does not reset the connection before the client has
    /// read why (a close with unread input sends RST, which can destroy the answer).
    case lingering
  }

  let id: UInt64
  let peer: String
  let limits: HTTPServerLimits

  // MARK: Loop-confined

  var parser: HTTPRequestParser
  var phase = Phase.idle
  /// When the current phase runs out (nil: no limit).
  var deadline: ContinuousClock.Instant?
  /// When the request being read started, and when its body started.
  var requestStart: ContinuousClock.Instant?
  var bodyStart: ContinuousClock.Instant?
  /// Reading stopped because a pipelined request filled the buffer while one is in flight.
  var readPaused = false
  /// Linger before closing (the request was refused; the client may still be sending).
  var lingers = false

  // MARK: Shared

  struct Shared {
    /// -1 once closed.
    var fd: Int32
    var output: [UInt8] = []
    var outputStart = 0
    var interest: UInt32
    /// A writer waiting for the queue to drain below the low watermark.
    var drainWaiter: CheckedContinuation<Void, any Error>?
    /// Cancels the handler of the request in flight (the client went away).
    var abort: (@Sendable () -> Void)?
    var closeWhenFlushed = false
    /// A send failed: the loop closes the connection at its next look.
    var broken = false
    /// The last time queued bytes moved (for the write stall timeout).
    var lastProgress: ContinuousClock.Instant = .now
  }

  let shared: Mutex<Shared>
  private let poll: EventPoll

  init(id: UInt64, fd: Int32, peer: String, limits: HTTPServerLimits, poll: EventPoll) {
    self.id = id
    self.peer = peer
    self.limits = limits
    self.poll = poll
    parser = HTTPRequestParser(limits: limits)
    shared = Mutex(Shared(fd: fd, interest: Self.readInterest))
  }

  static let readInterest = EventPoll.readable | EventPoll.peerClosed

  var pendingOutput: Int { shared.withLock { $0.output.count - $0.outputStart } }

  // MARK: Writing (any thread)

  enum Enqueued {
    /// Bytes still queued after this write.
    case queued(Int)
    case closed
  }

  /// Sends what the socket takes now and queues the rest for the loop.
  func enqueue(_ bytes: [UInt8]) -> Enqueued {
    shared.withLock { s in
      guard s.fd >= 0, !s.broken else { return .closed }
      var offset = 0
      if s.outputStart == s.output.count {
        // Nothing queued: straight to the socket, in order.
        switch bytes.withUnsafeBytes({ ServerSocket.send(s.fd, $0) }) {
        case .transferred(let n):
          offset = n
          s.lastProgress = .now
        case .wouldBlock:
          break
        case .closed:
          s.broken = true
          ServerSocket.shutdown(s.fd)
          return .closed
        }
        if offset == bytes.count { return .queued(0) }
        s.output.removeAll(keepingCapacity: s.output.capacity <= 512 * 1024)
        s.outputStart = 0
        s.lastProgress = .now
      }
      s.output.append(contentsOf: bytes[offset...])
      if s.interest & EventPoll.writable == 0 {
        s.interest |= EventPoll.writable
        poll.modify(s.fd, events: s.interest, token: id)
      }
      return .queued(s.output.count - s.outputStart)
    }
  }

  /// How much is queued, or `.closed` when the client is gone.
  func queued() -> Enqueued {
    shared.withLock { s in
      guard s.fd >= 0, !s.broken else { return .closed }
      return .queued(s.output.count - s.outputStart)
    }
  }

  /// Returns once the queue is at or below the low watermark; throws when the connection
  /// closes (or the task is cancelled) first.
  func waitForDrain() async throws {
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
        let outcome: Result<Void, any Error>? = shared.withLock { s in
          if s.fd < 0 || s.broken { return .failure(HTTPServerError.clientGone) }
          if s.output.count - s.outputStart <= limits.outputLowWatermark { return .success(()) }
          s.drainWaiter = c
          return nil
        }
        if let outcome { c.resume(with: outcome) }
      }
    } onCancel: {
      let waiter = shared.withLock { s in
        defer { s.drainWaiter = nil }
        return s.drainWaiter
      }
      waiter?.resume(throwing: CancellationError())
    }
  }

  /// Installs the handler's cancel action; false when the client is already gone.
  func setAbort(_ abort: (@Sendable () -> Void)?) -> Bool {
    shared.withLock { s in
      guard s.fd >= 0, !s.broken else { return false }
      s.abort = abort
      return true
    }
  }

  /// Close once everything queued has gone out (and stop reading).
  func closeAfterFlush() {
    shared.withLock { s in
      s.closeWhenFlushed = true
    }
  }

  // MARK: Loop side

  enum FlushOutcome {
    case open
    /// Everything went out and the connection was to close afterwards.
    case drained
    /// The client is gone.
    case gone
  }

  /// Sends queued bytes (the socket is writable).
  func flush() -> FlushOutcome {
    let (outcome, waiter): (FlushOutcome, CheckedContinuation<Void, any Error>?) =
      shared.withLock { s in
        guard s.fd >= 0, !s.broken else { return (.gone, nil) }
        while s.outputStart < s.output.count {
          let result = s.output.withUnsafeBytes {
            ServerSocket.send(s.fd, UnsafeRawBufferPointer(rebasing: $0[s.outputStart...]))
          }
          switch result {
          case .transferred(let n):
            s.outputStart += n
            s.lastProgress = .now
            continue
          case .wouldBlock:
            break
          case .closed:
            s.broken = true
            return (.gone, nil)
          }
          break
        }
        let pending = s.output.count - s.outputStart
        if pending == 0 {
          s.output.removeAll(keepingCapacity: s.output.capacity <= 512 * 1024)
          s.outputStart = 0
          if s.interest & EventPoll.writable != 0 {
            s.interest &= ~EventPoll.writable
            poll.modify(s.fd, events: s.interest, token: id)
          }
        } else if s.outputStart >= 256 * 1024 {
          s.output.removeFirst(s.outputStart)
          s.outputStart = 0
        }
        var waiter: CheckedContinuation<Void, any Error>?
        if pending <= limits.outputLowWatermark {
          waiter = s.drainWaiter
          s.drainWaiter = nil
        }
        let done = pending == 0 && s.closeWhenFlushed
        return (done ? .drained : .open, waiter)
      }
    waiter?.resume()
    return outcome
  }

  /// Whether reading should stop or resume, applied to the poll registration.
  func setReading(_ on: Bool) {
    shared.withLock { s in
      guard s.fd >= 0 else { return }
      // Peer-closed stays on either way: a client that leaves mid-answer must be noticed.
      let wanted =
        on ? s.interest | EventPoll.readable : s.interest & ~EventPoll.readable
      if wanted != s.interest {
        s.interest = wanted
        poll.modify(s.fd, events: wanted, token: id)
      }
    }
  }

  /// Ends our sending side (the response is complete); reading goes on.
  func shutdownWrite() {
    shared.withLock { s in
      if s.fd >= 0 { ServerSocket.shutdownWrite(s.fd) }
    }
  }

  /// The descriptor for reading; only the loop calls this, and only the loop closes it.
  var fdForReading: Int32 { shared.withLock { $0.fd } }

  /// Whether a send failed or the write queue has not moved for too long.
  func writeTrouble(now: ContinuousClock.Instant) -> Bool {
    shared.withLock { s in
      if s.broken { return true }
      return s.outputStart < s.output.count && now - s.lastProgress > limits.writeStallTimeout
    }
  }

  /// Closes the socket (loop only). The writer waiting for a drain gets an error and the
  /// handler in flight is cancelled: the client is gone.
  func close() {
    let (fd, waiter, abort):
      (Int32, CheckedContinuation<Void, any Error>?, (@Sendable () -> Void)?) =
        shared.withLock { s in
          let fd = s.fd
          s.fd = -1
          defer {
            s.drainWaiter = nil
            s.abort = nil
            s.output = []
            s.outputStart = 0
          }
          return (fd, s.drainWaiter, s.abort)
        }
    guard fd >= 0 else { return }
    poll.remove(fd)
    ServerSocket.close(fd)
    waiter?.resume(throwing: HTTPServerError.clientGone)
    abort?()
  }

  var isClosed: Bool { shared.withLock { $0.fd < 0 } }
}

/// Why a response could not be written.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The client disconnected (or stopped reading for too long).
  case clientGone
  /// A second response, or a body write without a streamed head.
  case misuse(String)

  public var description: String {
    switch self {
    case .clientGone: return "the client disconnected"
    case .misuse(let m): return m
    }
  }
}
