// Platform file: the `codex serve` HTTP server's only contact with Glibc (sockets, epoll through
// the C shim, resource limits). Everything here is a thin wrapper that reports failures as
// values; the server decides what they mean.
import CSandbox

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A listening TCP socket.
struct ListeningSocket: Sendable {
  var fd: Int32
  /// The port actually bound (the kernel's choice when 0 was asked for).
  var port: Int
  /// Whether the bound address is a loopback one (127.0.0.0/8, ::1).
  var isLoopback: Bool
}

/// The outcome of one non-blocking read or write.
enum SocketIO: Equatable {
  case transferred(Int)
  case wouldBlock
  /// The peer closed its side (read) or is gone (write).
  case closed
}

enum ServerSocket {
  /// Binds and listens on `host:port` (a name, an IPv4 or an IPv6 address), non-blocking.
  /// `loopbackOnly`: an address that is not loopback is refused after binding and before
  /// listening, so not one connection is ever accepted on it.
  static func listen(
    host: String, port: Int, loopbackOnly: Bool = false, backlog: Int32 = 1024
  ) throws -> ListeningSocket {
    guard (0...65535).contains(port) else {
      throw ServeError.cannotListen(host: host, port: port, detail: "the port must be 0-65535")
    }
    var hints = addrinfo()
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let rc = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
    guard rc == 0, let first = list else {
      let detail = rc == 0 ? "no address" : String(cString: gai_strerror(rc))
      throw ServeError.cannotListen(host: host, port: port, detail: detail)
    }
    defer { freeaddrinfo(first) }
    var lastError = "no usable address"
    var cursor: UnsafeMutablePointer<addrinfo>? = first
    while let info = cursor {
      cursor = info.pointee.ai_next
      let fd = socket(
        info.pointee.ai_family,
        Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
      guard fd >= 0 else {
        lastError = errorText(errno)
        continue
      }
      var one: Int32 = 1
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
      guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
        lastError = errorText(errno)
        Glibc.close(fd)
        continue
      }
      var address = sockaddr_storage()
      var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
      let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
      }
      guard named == 0 else {
        lastError = errorText(errno)
        Glibc.close(fd)
        continue
      }
      let (boundPort, loopback) = describe(address)
      if loopbackOnly, !loopback {
        Glibc.close(fd)
        throw ServeError.exposedWithoutKey(host: host)
      }
      guard Glibc.listen(fd, backlog) == 0 else {
        lastError = errorText(errno)
        Glibc.close(fd)
        continue
      }
      return ListeningSocket(fd: fd, port: boundPort, isLoopback: loopback)
    }
    throw ServeError.cannotListen(host: host, port: port, detail: lastError)
  }

  /// The port of an address and whether it is a loopback one.
  private static func describe(_ address: sockaddr_storage) -> (port: Int, loopback: Bool) {
    var copy = address
    switch Int32(address.ss_family) {
    case AF_INET:
      return withUnsafePointer(to: &copy) {
        $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
          let ip = UInt32(bigEndian: v4.pointee.sin_addr.s_addr)
          return (Int(UInt16(bigEndian: v4.pointee.sin_port)), ip >> 24 == 127)
        }
      }
    case AF_INET6:
      return withUnsafePointer(to: &copy) {
        $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
          let bytes = withUnsafeBytes(of: v6.pointee.sin6_addr) { Array($0) }
          let isV6Loopback = bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
          // ::ffff:127.x.x.x
          let isMappedLoopback =
            bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            && bytes[12] == 127
          return (
            Int(UInt16(bigEndian: v6.pointee.sin6_port)), isV6Loopback || isMappedLoopback
          )
        }
      }
    default:
      return (0, false)
    }
  }

  enum Accepted {
    case connection(fd: Int32, peer: String)
    case none
    /// Out of descriptors or memory: the listener stays readable, so the loop must back off.
    case exhausted(String)
  }

  static func accept(_ listener: Int32) -> Accepted {
    var peer = [CChar](repeating: 0, count: 64)
    let fd = peer.withUnsafeMutableBufferPointer { csb_accept(listener, $0.baseAddress, $0.count) }
    if fd >= 0 {
      let text = String(
        decoding: peer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      return .connection(fd: fd, peer: text)
    }
    switch -fd {
    case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .exhausted(errorText(-fd))
    default: return .none  // EAGAIN, or a connection that was reset before we took it
    }
  }

  static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> SocketIO {
    while true {
      let n = recv(fd, buffer.baseAddress, buffer.count, 0)
      if n > 0 { return .transferred(n) }
      if n == 0 { return .closed }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: return .wouldBlock
      default: return .closed
      }
    }
  }

  static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> SocketIO {
    guard bytes.count > 0 else { return .transferred(0) }
    while true {
      let n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
      if n >= 0 { return .transferred(n) }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: return .wouldBlock
      default: return .closed
      }
    }
  }

  /// Ends both directions without releasing the descriptor number: a thread other than the
  /// loop uses this, so the number cannot be reused while the loop may still read it.
  static func shutdown(_ fd: Int32) {
    _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
  }

  /// Sends FIN after the queued bytes; the socket can still be read.
  static func shutdownWrite(_ fd: Int32) {
    _ = Glibc.shutdown(fd, Int32(SHUT_WR))
  }

  static func close(_ fd: Int32) {
    _ = Glibc.close(fd)
  }

  /// Raises the soft open-file limit to the hard one (at most 65,536): every proxied stream
  /// holds two sockets, and the common default of 1,024 would cap the server near 500.
  static func raiseOpenFileLimit() {
    var limit = rlimit()
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    guard getrlimit(resource, &limit) == 0 else { return }
    let wanted = min(limit.rlim_max, 65536)
    if limit.rlim_cur < wanted {
      limit.rlim_cur = wanted
      _ = setrlimit(resource, &limit)
    }
  }

  static func errorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
  }
}

/// epoll through the C shim, and an eventfd to wake the waiting thread. Registration and
/// waking are safe from any thread; `wait` is for the loop's thread.
final class EventPoll: Sendable {
  static let readable = UInt32(CSB_EPOLL_IN)
  static let writable = UInt32(CSB_EPOLL_OUT)
  static let error = UInt32(CSB_EPOLL_ERR)
  static let hangUp = UInt32(CSB_EPOLL_HUP)
  static let peerClosed = UInt32(CSB_EPOLL_RDHUP)

  let fd: Int32
  let wakeFD: Int32

  init() throws {
    let e = csb_epoll_create()
    guard e >= 0 else {
      throw ServeError.cannotListen(
        host: "", port: 0, detail: "epoll: \(ServerSocket.errorText(-e))")
    }
    let w = csb_wake_fd_create()
    guard w >= 0 else {
      Glibc.close(e)
      throw ServeError.cannotListen(
        host: "", port: 0, detail: "eventfd: \(ServerSocket.errorText(-w))")
    }
    fd = e
    wakeFD = w
  }

  deinit {
    Glibc.close(fd)
    Glibc.close(wakeFD)
  }

  /// Level-triggered registration. Safe from any thread.
  @discardableResult
  func add(_ socket: Int32, events: UInt32, token: UInt64) -> Bool {
    csb_epoll_ctl(fd, 1, socket, events, token) == 0
  }

  @discardableResult
  func modify(_ socket: Int32, events: UInt32, token: UInt64) -> Bool {
    csb_epoll_ctl(fd, 3, socket, events, token) == 0
  }

  func remove(_ socket: Int32) {
    _ = csb_epoll_ctl(fd, 2, socket, 0, 0)
  }

  /// Ready (token, events) pairs; `timeoutMilliseconds` -1 waits without limit.
  func wait(
    tokens: inout [UInt64], events: inout [UInt32], timeoutMilliseconds: Int32
  ) -> Int {
    let capacity = Int32(min(tokens.count, events.count))
    let n = tokens.withUnsafeMutableBufferPointer { t in
      events.withUnsafeMutableBufferPointer { e in
        csb_epoll_wait(fd, t.baseAddress, e.baseAddress, capacity, timeoutMilliseconds)
      }
    }
    return max(0, Int(n))
  }

  /// Wakes `wait` from any thread.
  func wake() {
    _ = csb_wake_fd_signal(wakeFD)
  }

  /// Clears the wake counter (on the waiting thread, after the wake fd was readable).
  func drainWake() {
    var counter: UInt64 = 0
    _ = Glibc.read(wakeFD, &counter, 8)
  }
}
