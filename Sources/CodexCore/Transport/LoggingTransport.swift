/// `DEBUG=1`: wraps a transport and reports what goes over the wire — the request (method, URL,
/// headers with secrets redacted, body), the response status and headers, and every received
/// line with its arrival time since the request started. The sink decides where text goes
/// (the terminal writes it to stderr); CodexCore itself never prints.
public struct LoggingTransport: HTTPTransport {
  let inner: any HTTPTransport
  let sink: @Sendable (String) -> Void

  public init(wrapping inner: any HTTPTransport, sink: @escaping @Sendable (String) -> Void) {
    self.inner = inner
    self.sink = sink
  }

  public func send(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
    let start = ContinuousClock.now
    var lines = ["> \(request.method) \(Redaction.url(request.url))"]
    for h in request.headers { lines.append("> \(h.name): \(Redaction.header(h.name, h.value))") }
    if !request.body.isEmpty {
      lines.append("> body (\(request.body.count) bytes):")
      lines.append("> " + String(decoding: request.body, as: UTF8.self))
    }
    sink(lines.joined(separator: "\n"))
    let response: HTTPStreamingResponse
    do {
      response = try await inner.send(request)
    } catch {
      sink("[\(Self.ms(since: start))] ! \(error)")
      throw error
    }
    var head = ["[\(Self.ms(since: start))] < HTTP \(response.head.status)"]
    for h in response.head.headers {
      head.append("< \(h.name): \(Redaction.header(h.name, h.value))")
    }
    sink(head.joined(separator: "\n"))

    let sink = self.sink
    let (body, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
    let pump = Task {
      var pending: [UInt8] = []
      do {
        for try await chunk in response.body {
          continuation.yield(chunk)
          // Report whole lines as they complete, each stamped with its arrival time.
          pending.append(contentsOf: chunk)
          var out: [String] = []
          while let nl = pending.firstIndex(of: 0x0A) {
            let line = pending[..<nl]
            pending.removeSubrange(...nl)
            if line.isEmpty || line == [0x0D] { continue }
            out.append("[\(Self.ms(since: start))] < " + String(decoding: line, as: UTF8.self))
          }
          if !out.isEmpty { sink(out.joined(separator: "\n")) }
        }
        if !pending.isEmpty {
          sink("[\(Self.ms(since: start))] < " + String(decoding: pending, as: UTF8.self))
        }
        sink("[\(Self.ms(since: start))] < end of body")
        continuation.finish()
      } catch {
        sink("[\(Self.ms(since: start))] ! \(error)")
        continuation.finish(throwing: error)
      }
    }
    continuation.onTermination = { _ in pump.cancel() }
    return HTTPStreamingResponse(head: response.head, body: HTTPBody(body))
  }

  static func ms(since start: ContinuousClock.Instant) -> String {
    let d = ContinuousClock.now - start
    let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    return "+\(Int(ms))ms"
  }
}

/// Hides secrets in what we show: credentials in headers and in URL query strings.
public enum Redaction {
  static let secretHeaderWords = [
    "authorization", "api-key", "apikey", "token", "secret", "cookie", "key",
  ]
  static let secretQueryWords = ["key", "token", "secret", "sig", "signature", "password"]

  public static func header(_ name: String, _ value: String) -> String {
    let n = name.lowercased()
    guard secretHeaderWords.contains(where: { n.contains($0) }) else { return value }
    return redact(value)
  }

  /// Keeps the scheme word (`Bearer`) so the log still shows which kind of credential went out.
  public static func redact(_ value: String) -> String {
    let parts = value.split(separator: " ", maxSplits: 1)
    if parts.count == 2 { return "\(parts[0]) <redacted \(parts[1].count) chars>" }
    return "<redacted \(value.count) chars>"
  }

  public static func url(_ url: String) -> String {
    guard let q = url.firstIndex(of: "?") else { return url }
    let base = url[..<q]
    let params = url[url.index(after: q)...].split(separator: "&").map { p -> String in
      let kv = p.split(separator: "=", maxSplits: 1)
      let k = kv.first.map(String.init) ?? ""
      if kv.count == 2, secretQueryWords.contains(where: { k.lowercased().contains($0) }) {
        return "\(k)=<redacted>"
      }
      return String(p)
    }
    return base + "?" + params.joined(separator: "&")
  }
}
