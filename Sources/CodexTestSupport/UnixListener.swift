// Platform file: a Unix socket listener for sandbox tests.
#if canImport(Glibc)
  import Glibc
#endif

/// A Unix stream socket listening at a path, or in the abstract namespace (`abstract: true`,
/// the name without the leading NUL). The kernel queues connections in the backlog, so a client's
/// connect() succeeds without anyone calling accept(); `acceptPending()` counts them afterwards.
public final class UnixListener {
  let fd: Int32
  public let name: String

  public init(name: String, abstract: Bool = false) throws {
    struct SocketError: Error, CustomStringConvertible {
      var description: String
    }
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw SocketError(description: "socket failed: errno \(errno)") }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(name.utf8)
    let offset = abstract ? 1 : 0
    guard bytes.count + offset < MemoryLayout.size(ofValue: address.sun_path) else {
      close(fd)
      throw SocketError(description: "socket name too long: \(name)")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { path in
      for (index, byte) in bytes.enumerated() { path[index + offset] = byte }
    }
    let length = MemoryLayout<sa_family_t>.size + offset + bytes.count + (abstract ? 0 : 1)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
      close(fd)
      throw SocketError(description: "bind/listen \(name) failed: errno \(errno)")
    }
    self.fd = fd
    self.name = name
  }

  /// Accepts (and closes) every connection waiting now; returns how many there were.
  public func acceptPending() -> Int {
    var count = 0
    while true {
      var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&ready, 1, 0) > 0 else { return count }
      let client = accept(fd, nil, nil)
      guard client >= 0 else { return count }
      close(client)
      count += 1
    }
  }

  deinit { close(fd) }
}
