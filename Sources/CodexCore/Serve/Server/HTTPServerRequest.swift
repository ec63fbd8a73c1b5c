/// One complete request as the server received it.
public struct HTTPServerRequest: Sendable {
  public var method: String
  /// The request target as sent (`/v1/models?x=1`).
  public var target: String
  /// `HTTP/1.1` or `HTTP/1.0`.
  public var version: String
  /// Header names lower-cased, in arrival order.
  public var headers: [(name: String, value: String)]
  /// The body, de-chunked.
  public var body: [UInt8]
  /// The client's address (`127.0.0.1:51234`).
  public var peer: String
  /// When the request's first byte arrived.
  public var receivedAt: ContinuousClock.Instant

  public init(
    method: String, target: String, version: String = "HTTP/1.1",
    headers: [(name: String, value: String)] = [], body: [UInt8] = [], peer: String = "",
    receivedAt: ContinuousClock.Instant = .now
  ) {
    self.method = method
    self.target = target
    self.version = version
    self.headers = headers
    self.body = body
    self.peer = peer
    self.receivedAt = receivedAt
  }

  /// The target without its query string.
  public var path: String {
    guard let q = target.firstIndex(of: "?") else { return target }
    return String(target[..<q])
  }

  /// The first value of a header (name matched case-insensitively).
  public func header(_ name: String) -> String? {
    let wanted = name.lowercased()
    return headers.first(where: { $0.name == wanted })?.value
  }

  /// Whether the client wants the connection closed after this response.
  var wantsClose: Bool {
    let tokens =
      headers.filter { $0.name == "connection" }
      .flatMap { $0.value.lowercased().split(separator: ",") }
      .map { String($0).trimmingWhitespace() }
    if tokens.contains("close") { return true }
    return version == "HTTP/1.0" && !tokens.contains("keep-alive")
  }
}

/// Sizes and timeouts that protect the server from clients, well-meaning or not.
public struct HTTPServerLimits: Sendable, Equatable {
  /// The request line and headers together.
  public var maxHeaderBytes: Int
  public var maxHeaderCount: Int
  public var maxBodyBytes: Int
  /// From a request's first byte to the end of its head: a client that trickles its headers
  /// (one byte a minute) is cut off here.
  public var headerTimeout: Duration
  /// The longest silence while a body is arriving, and the longest a whole body may take.
  public var bodyIdleTimeout: Duration
  public var bodyTimeout: Duration
  /// How long an idle keep-alive connection is kept.
  public var keepAliveTimeout: Duration
  /// A client that takes none of the pending response bytes for this long is disconnected.
  public var writeStallTimeout: Duration
  public var maxConnections: Int
  /// Response bytes queued for one slow client before its writer has to wait, and the level
  /// it must drain to before the writer goes on.
  public var outputHighWatermark: Int
  public var outputLowWatermark: Int

  public init(
    maxHeaderBytes: Int = 64 * 1024, maxHeaderCount: Int = 100, maxBodyBytes: Int = 16 << 20,
    headerTimeout: Duration = .seconds(10), bodyIdleTimeout: Duration = .seconds(30),
    bodyTimeout: Duration = .seconds(300), keepAliveTimeout: Duration = .seconds(75),
    writeStallTimeout: Duration = .seconds(120), maxConnections: Int = 4096,
    outputHighWatermark: Int = 256 * 1024, outputLowWatermark: Int = 64 * 1024
  ) {
    self.maxHeaderBytes = maxHeaderBytes
    self.maxHeaderCount = maxHeaderCount
    self.maxBodyBytes = maxBodyBytes
    self.headerTimeout = headerTimeout
    self.bodyIdleTimeout = bodyIdleTimeout
    self.bodyTimeout = bodyTimeout
    self.keepAliveTimeout = keepAliveTimeout
    self.writeStallTimeout = writeStallTimeout
    self.maxConnections = maxConnections
    self.outputHighWatermark = outputHighWatermark
    self.outputLowWatermark = min(outputLowWatermark, outputHighWatermark)
  }
}
