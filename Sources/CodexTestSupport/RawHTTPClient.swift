// Platform file: a raw TCP client for tests that must send exactly the bytes they choose
// (hostile input, slow headers, dropped connections) and read exactly what came back.
import CodexCore

#if canImport(Glibc)
  import Glibc
#endif

/// A response as read off the wire by `RawHTTPConnection`.
public struct RawHTTPResponse: Sendable {
  public var status: Int
  /// Header names lower-cased.
  public var headers: [(name: String, value: String)]
  /// The body, de-chunked.
  public var body: [UInt8]
  /// Each chunk as it arrived on the wire (chunked bodies only).
  public var chunks: [[UInt8]]

  public func header(_ name: String) -> String? {
    let n = name.lowercased()
    return headers.first(where: { $0.name == n })?.value
  }

  public var bodyText: String { String(decoding: body, as: UTF8.self) }
  public var bodyJSON: JSON? { try? JSON.parse(body) }
}

public struct RawHTTPError: Error, CustomStringConvertible {
  public var description: String
}

/// One blocking TCP connection to 127.0.0.1. Every call blocks its thread (with a timeout), so
/// async tests go through `RawHTTPConnection.run`, which uses a thread of its own: blocking the
/// cooperative pool would starve the server under test.
public final class RawHTTPConnection: @unchecked Sendable {
  /// How long a read waits for the server by default: a hang guard, never a speed check. The
  /// suite runs on two cores, where CPU-bound tests can hold the cooperative pool (on which the
  /// server under test runs its handlers) for half a minute at the start of a run.
  public static let hangGuardMs: Int32 = 120_000

  public let fd: Int32
  private var buffer: [UInt8] = []

  public init(port: Int) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw RawHTTPError(description: "socket: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let rc = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard rc == 0 else {
      Glibc.close(fd)
      throw RawHTTPError(description: "connect to port \(port): errno \(errno)")
    }
    self.fd = fd
  }

  deinit { Glibc.close(fd) }

  /// Runs blocking work on a dedicated thread and returns its result.
  public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T
  {
    try await withCheckedThrowingContinuation { continuation in
      let rc = Platform.startThread {
        continuation.resume(with: Result { try body() })
      }
      if rc != 0 {
        continuation.resume(throwing: RawHTTPError(description: "cannot start a thread: \(rc)"))
      }
    }
  }

  public func send(_ text: String) throws { try send(Array(text.utf8)) }

  /// Writes every byte; throws when the peer is gone.
  public func send(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes {
        Glibc.send(
          fd, UnsafeRawBufferPointer(rebasing: $0[offset...]).baseAddress, $0.count - offset,
          Int32(MSG_NOSIGNAL))
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw RawHTTPError(description: "send: errno \(errno)")
      }
      offset += n
    }
  }

  /// Closes our writing side (the server sees end of input).
  public func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

  /// Closes the connection with a reset rather than a FIN: a client that vanishes.
  public func abort() {
    var l = linger(l_onoff: 1, l_linger: 0)
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
    _ = shutdown(fd, Int32(SHUT_RDWR))
  }

  /// Sets a small receive buffer, so a test can make the client slow to take a response.
  public func setReceiveBuffer(_ bytes: Int32) {
    var size = bytes
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
  }

  /// Whether the server has sent something (or closed) within the timeout.
  public func waitReadable(timeoutMs: Int32) -> Bool {
    if !buffer.isEmpty { return true }
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, timeoutMs) > 0
  }

  /// Waits up to the timeout for the connection to fail (a reset from the server); returns
  /// whether it did. Nothing is read.
  public func waitForError(timeoutMs: Int32) -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMs))
    while ContinuousClock.now < deadline {
      var error: Int32 = 0
      var length = socklen_t(MemoryLayout<Int32>.size)
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
      if error != 0 { return true }
      var p = pollfd(fd: fd, events: 0, revents: 0)
      _ = poll(&p, 1, 10)
      if p.revents & Int16(POLLERR) != 0 { return true }
    }
    return false
  }

  /// Reads up to and including the blank line that ends a head, as text.
  public func readRawHead(timeoutMs: Int32 = RawHTTPConnection.hangGuardMs) throws -> String {
    while true {
      if let end = buffer.firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A]) {
        defer { buffer.removeFirst(end.upperBound) }
        return String(decoding: buffer[..<end.upperBound], as: UTF8.self)
      }
      guard try fill(timeoutMs: timeoutMs) else {
        throw RawHTTPError(description: "connection closed mid-head")
      }
    }
  }

  /// More bytes, or nil at end of stream; throws on timeout.
  func fill(timeoutMs: Int32) throws -> Bool {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    let ready = poll(&p, 1, timeoutMs)
    if ready == 0 { throw RawHTTPError(description: "timed out waiting for the server") }
    var chunk = [UInt8](repeating: 0, count: 65536)
    let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    if n < 0 { throw RawHTTPError(description: "recv failed: errno \(errno)") }
    if n == 0 { return false }
    buffer.append(contentsOf: chunk[0..<n])
    return true
  }

  /// Whatever arrives next (at least one byte); throws on timeout or when the server closed.
  public func readSome(timeoutMs: Int32 = RawHTTPConnection.hangGuardMs) throws -> [UInt8] {
    if buffer.isEmpty {
      guard try fill(timeoutMs: timeoutMs) else {
        throw RawHTTPError(description: "the server closed the connection")
      }
    }
    defer { buffer = [] }
    return buffer
  }

  /// Reads until the server closes the connection; returns everything read. Throws on timeout.
  public func readToEnd(timeoutMs: Int32 = RawHTTPConnection.hangGuardMs) throws -> [UInt8] {
    while try fill(timeoutMs: timeoutMs) {}
    defer { buffer = [] }
    return buffer
  }

  /// Whether the server closed the connection within the timeout (data before the close is
  /// discarded).
  public func waitForClose(timeoutMs: Int32) -> Bool {
    do {
      while try fill(timeoutMs: timeoutMs) {}
      return true
    } catch {
      return false
    }
  }

  private func takeLine(timeoutMs: Int32) throws -> String {
    while true {
      if let nl = buffer.firstIndex(of: 0x0A) {
        var line = Array(buffer[..<nl])
        buffer.removeFirst(nl + 1)
        if line.last == 0x0D { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
      }
      guard try fill(timeoutMs: timeoutMs) else {
        throw RawHTTPError(description: "connection closed mid-line")
      }
    }
  }

  private func take(_ count: Int, timeoutMs: Int32) throws -> [UInt8] {
    while buffer.count < count {
      guard try fill(timeoutMs: timeoutMs) else {
        throw RawHTTPError(description: "connection closed mid-body")
      }
    }
    defer { buffer.removeFirst(count) }
    return Array(buffer[..<count])
  }

  /// Reads one response (skipping 1xx heads), its body by `Content-Length`, chunks or close.
  /// `onChunk` sees each chunk as it arrives.
  public func readResponse(
    timeoutMs: Int32 = RawHTTPConnection.hangGuardMs, onChunk: ([UInt8]) -> Void = { _ in }
  ) throws -> RawHTTPResponse {
    var status = 0
    var headers: [(name: String, value: String)] = []
    repeat {
      let statusLine = try takeLine(timeoutMs: timeoutMs)
      let parts = statusLine.split(separator: " ")
      guard parts.count >= 2, let s = Int(parts[1]) else {
        throw RawHTTPError(description: "bad status line '\(statusLine)'")
      }
      status = s
      headers = []
      while true {
        let line = try takeLine(timeoutMs: timeoutMs)
        if line.isEmpty { break }
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers.append(
          (
            line[..<colon].lowercased(),
            String(line[line.index(after: colon)...].drop { $0 == " " })
          ))
      }
    } while status < 200
    var response = RawHTTPResponse(status: status, headers: headers, body: [], chunks: [])
    if response.header("transfer-encoding")?.lowercased() == "chunked" {
      while true {
        let sizeLine = try takeLine(timeoutMs: timeoutMs)
        guard let size = Int(sizeLine, radix: 16) else {
          throw RawHTTPError(description: "bad chunk size '\(sizeLine)'")
        }
        if size == 0 {
          _ = try takeLine(timeoutMs: timeoutMs)
          break
        }
        let chunk = try take(size, timeoutMs: timeoutMs)
        _ = try takeLine(timeoutMs: timeoutMs)
        response.chunks.append(chunk)
        response.body += chunk
        onChunk(chunk)
      }
    } else if let length = response.header("content-length").flatMap({ Int($0) }) {
      response.body = try take(length, timeoutMs: timeoutMs)
    } else {
      response.body = try readToEnd(timeoutMs: timeoutMs)
    }
    return response
  }
}

/// A loopback port that refuses connections for as long as this object lives: bound, never
/// listening. Unlike a port found free and released, no other server (a test running beside
/// this one) can take it in the meantime.
public final class RefusingPort: @unchecked Sendable {
  public let port: Int
  private let fd: Int32

  public init() throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw RawHTTPError(description: "socket: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
      }
    }
    guard ok else {
      Glibc.close(fd)
      throw RawHTTPError(description: "bind: errno \(errno)")
    }
    self.fd = fd
    port = Int(UInt16(bigEndian: address.sin_port))
  }

  deinit { Glibc.close(fd) }
}
