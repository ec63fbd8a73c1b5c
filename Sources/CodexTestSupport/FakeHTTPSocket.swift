// Platform file: the fake servers' only contact with Glibc (sockets, poll, pipes, pthreads).
#if canImport(Glibc)
  import Glibc
#endif

/// Why the fake server could not start.
public struct FakeHTTPServerError: Error, Sendable, CustomStringConvertible {
  public let description: String
}

/// Thin, blocking-with-poll socket helpers. Every wait also watches a "stop" descriptor, so a
/// server can interrupt all of its threads at once.
enum FakeSocket {
  enum Wait {
    case ready
    case stopped
    case timedOut
  }

  /// A listening TCP socket on 127.0.0.1 with a kernel-chosen port.
  static func listenOnLoopback() throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw error("socket") }
    var address = loopbackAddress(port: 0)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(fd, 128) == 0 else {
      let failure = error("bind/listen")
      Glibc.close(fd)
      throw failure
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else {
      let failure = error("getsockname")
      Glibc.close(fd)
      throw failure
    }
    setNonBlocking(fd)
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
  }

  /// A loopback listener that never accepts, with its accept queue already full: the kernel
  /// drops further SYNs, so a client's connect hangs until its own timeout. Returns the
  /// listener and the connections that fill the queue (the caller closes them all).
  static func unresponsiveListener() throws -> (port: Int, fds: [Int32]) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw error("socket") }
    var fds = [fd]
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ready = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 && listen(fd, 0) == 0 && getsockname(fd, $0, &length) == 0
      }
    }
    guard ready else {
      let failure = error("bind/listen")
      fds.forEach(close)
      throw failure
    }
    // A backlog of 0 still queues one connection (more on some kernels): fill generously.
    var target = address
    for _ in 0..<4 {
      let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
      guard client >= 0 else { break }
      fds.append(client)
      setNonBlocking(client)
      _ = withUnsafePointer(to: &target) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
    }
    return (Int(UInt16(bigEndian: address.sin_port)), fds)
  }

  private static func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
  }

  /// A loopback port that nothing listens on (bound, then closed): connecting there is refused.
  static func unusedLoopbackPort() throws -> Int {
    let (fd, port) = try listenOnLoopback()
    Glibc.close(fd)
    return port
  }

  static func accept(_ listener: Int32) -> Int32? {
    let fd = Glibc.accept(listener, nil, nil)
    guard fd >= 0 else { return nil }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    setNonBlocking(fd)
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    return fd
  }

  static func setNonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
  }

  static func close(_ fd: Int32) {
    _ = Glibc.close(fd)
  }

  /// A pipe whose descriptors are not inherited by child processes.
  static func makePipe() throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { throw error("pipe") }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (fds[0], fds[1])
  }

  static func writeByte(_ fd: Int32) {
    var byte: UInt8 = 1
    _ = Glibc.write(fd, &byte, 1)
  }

  /// Waits until `fd` is ready for `events`, `stop` becomes readable, or the timeout passes
  /// (`nil`: no timeout).
  static func wait(
    _ fd: Int32, for events: Int32, stop: Int32, timeoutMilliseconds: Int? = nil
  ) -> Wait {
    var fds = [
      pollfd(fd: stop, events: Int16(POLLIN), revents: 0),
      pollfd(fd: fd, events: Int16(events), revents: 0),
    ]
    let deadline = timeoutMilliseconds.map { ContinuousClock.now + .milliseconds($0) }
    while true {
      var timeout: Int32 = -1
      if let deadline {
        let left = deadline - ContinuousClock.now
        if left <= .zero { return .timedOut }
        let (seconds, attoseconds) = left.components
        timeout = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
      }
      fds[0].revents = 0
      fds[1].revents = 0
      let count = poll(&fds, nfds_t(fds.count), timeout)
      if count < 0 {
        if errno == EINTR { continue }
        return .stopped
      }
      if fds[0].revents != 0 { return .stopped }
      // Errors and hang-ups count as "ready": the following read or write reports them.
      if fds[1].revents != 0 { return .ready }
    }
  }

  static func waitReadable(_ fd: Int32, stop: Int32, timeoutMilliseconds: Int? = nil) -> Wait {
    wait(fd, for: POLLIN, stop: stop, timeoutMilliseconds: timeoutMilliseconds)
  }

  enum Read {
    case data([UInt8])
    case closed
    case stopped
  }

  /// Waits for data and reads what is there (at most 64 KiB).
  static func read(_ fd: Int32, stop: Int32) -> Read {
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      guard wait(fd, for: POLLIN, stop: stop) == .ready else { return .stopped }
      let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if count > 0 { return .data(Array(buffer[0..<count])) }
      if count == 0 { return .closed }
      if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
      return .closed
    }
  }

  /// Writes everything; false when the peer is gone or the server stops.
  static func write(_ fd: Int32, _ bytes: [UInt8], stop: Int32) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let count = bytes.withUnsafeBytes {
        let rest = UnsafeRawBufferPointer(rebasing: $0[offset...])
        return send(fd, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL))
      }
      if count > 0 {
        offset += count
        continue
      }
      if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        guard wait(fd, for: POLLOUT, stop: stop) == .ready else { return false }
        continue
      }
      return false
    }
    return true
  }

  private static func error(_ call: String) -> FakeHTTPServerError {
    FakeHTTPServerError(description: "\(call) failed: \(String(cString: strerror(errno)))")
  }
}

/// A joinable OS thread: the fake server's threads block in poll, which must not happen on the
/// Swift cooperative pool.
struct FakeThread: Sendable {
  private let handle: pthread_t

  init(_ body: @escaping @Sendable () -> Void) throws {
    final class Body {
      let run: @Sendable () -> Void
      init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    let box = Unmanaged.passRetained(Body(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(
      &thread, nil,
      { argument in
        guard let argument else { return nil }
        Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
        return nil
      }, box)
    guard rc == 0 else {
      Unmanaged<Body>.fromOpaque(box).release()
      throw FakeHTTPServerError(description: "pthread_create failed: \(rc)")
    }
    handle = thread
  }

  func join() {
    _ = pthread_join(handle, nil)
  }
}
