#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One HTTP request as a wire encodes it. Headers keep their order and case.
public struct HTTPRequest: Sendable, Equatable {
  public var method: String
  public var url: String
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]
  /// Longest wait for the TCP/TLS connection.
  public var connectTimeout: Duration
  /// Longest silence between two received chunks (the first byte included: a local server may
  /// load a model first, so callers pass a generous value). `nil` waits forever.
  public var idleTimeout: Duration?
  /// Lower-cased names of headers whose values must never be shown (`DEBUG=1`), whatever the
  /// name: values taken from the environment through `env_http_headers`.
  public var secretHeaderNames: Set<String> = []

  public init(
    method: String = "POST", url: String, headers: [(name: String, value: String)] = [],
    body: [UInt8] = [], connectTimeout: Duration = .seconds(10), idleTimeout: Duration? = nil
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.connectTimeout = connectTimeout
    self.idleTimeout = idleTimeout
  }

  public func header(_ name: String) -> String? {
    headers.first(where: { $0.name.lowercased() == name.lowercased() })?.value
  }

  public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
    a.method == b.method && a.url == b.url && a.body == b.body
      && a.headers.map { "\($0.name): \($0.value)" } == b.headers.map { "\($0.name): \($0.value)" }
      && a.connectTimeout == b.connectTimeout && a.idleTimeout == b.idleTimeout
  }
}

/// The status line and headers of a response, available before the body streams.
public struct HTTPResponseHead: Sendable, Equatable {
  public var status: Int
  /// Header names lower-cased, in arrival order.
  public var headers: [(name: String, value: String)]

  public init(status: Int, headers: [(name: String, value: String)] = []) {
    self.status = status
    self.headers = headers
  }

  public func header(_ name: String) -> String? {
    let n = name.lowercased()
    return headers.first(where: { $0.name == n })?.value
  }

  public static func == (a: HTTPResponseHead, b: HTTPResponseHead) -> Bool {
    a.status == b.status
      && a.headers.map { "\($0.name): \($0.value)" } == b.headers.map { "\($0.name): \($0.value)" }
  }
}

/// A response whose body arrives as chunks, exactly as the network delivers them. Ending the
/// iteration early (or cancelling the task) aborts the transfer at once.
public struct HTTPStreamingResponse: Sendable {
  public var head: HTTPResponseHead
  public var body: HTTPBody

  public init(head: HTTPResponseHead, body: HTTPBody) {
    self.head = head
    self.body = body
  }

  public init(head: HTTPResponseHead, body: AsyncThrowingStream<[UInt8], any Error>) {
    self.init(head: head, body: HTTPBody(body))
  }

  /// Reads the whole body (for error responses and small JSON replies), at most `limit` bytes.
  public func collectBody(limit: Int = 1 << 20) async throws -> [UInt8] {
    var out: [UInt8] = []
    for try await chunk in body {
      out.append(contentsOf: chunk.prefix(max(0, limit - out.count)))
      if out.count >= limit { break }
    }
    return out
  }
}

/// Why a transfer failed below HTTP. Each case names what to check.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Nothing listens there, or the host does not resolve.
  case cannotConnect(url: String, detail: String)
  /// The connection was not made within the connect timeout.
  case connectTimeout(url: String, seconds: Double)
  /// The server went silent for longer than the idle timeout.
  case idleTimeout(url: String, seconds: Double)
  /// TLS failed (certificate, handshake). Verification is never turned off.
  case tls(url: String, detail: String)
  /// The connection dropped before the response was complete.
  case connectionLost(url: String, detail: String)
  case invalidURL(String)
  case cancelled
  /// The HTTP library itself cannot be used (libcurl missing): retrying will not help.
  case unavailable(String)
  case other(url: String, detail: String)

  /// URLs lose their credentials (`Redaction`): this text reaches logs and the terminal.
  public var description: String { Redaction.text(unredactedDescription) }

  var unredactedDescription: String {
    switch self {
    case .cannotConnect(let url, let d): return "cannot connect to \(url): \(d)"
    case .connectTimeout(let url, let s): return "no connection to \(url) within \(s)s"
    case .idleTimeout(let url, let s): return "\(url) sent nothing for \(s)s (idle timeout)"
    case .tls(let url, let d): return "TLS error talking to \(url): \(d)"
    case .connectionLost(let url, let d): return "connection to \(url) dropped: \(d)"
    case .invalidURL(let u): return "invalid URL '\(u)'"
    case .cancelled: return "cancelled"
    case .unavailable(let d): return d
    case .other(let url, let d): return "HTTP transfer to \(url) failed: \(d)"
    }
  }
}

/// The role: send a request, get the head, then the body as a stream of chunks.
/// `CurlTransport` is the real one.
public protocol HTTPTransport: Sendable {
  func send(_ request: HTTPRequest) async throws -> HTTPStreamingResponse
}
