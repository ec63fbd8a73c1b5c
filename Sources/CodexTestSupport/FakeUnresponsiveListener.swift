/// A loopback port where TCP connects hang (the listener never accepts and its queue is full),
/// for connect-timeout tests without touching the network. Closed on deinit or `close()`.
public final class FakeUnresponsiveListener: Sendable {
  public let port: Int
  private let fds: [Int32]

  public init() throws {
    (port, fds) = try FakeSocket.unresponsiveListener()
  }

  deinit {
    fds.forEach(FakeSocket.close)
  }

  /// `http://127.0.0.1:PORT`.
  public var baseURL: String { "http://127.0.0.1:\(port)" }
}
