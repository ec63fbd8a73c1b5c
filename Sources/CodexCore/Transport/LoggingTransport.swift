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
    for h in request.headers {
      let secret = request.secretHeaderNames.contains(h.name.lowercased())
      lines.append("> \(h.name): \(Redaction.header(h.name, h.value, knownSecret: secret))")
    }
    if !request.body.isEmpty {
      lines.append("> body (\(request.body.count) bytes):")
      lines.append("> " + String(decoding: request.body, as: UTF8.self))
    }
    sink(lines.joined(separator: "\n"))
    let response: HTTPStreamingResponse
    do {
      response = try await inner.send(request)
    } catch {
      sink("[\(Self.ms(since: start))] ! " + Redaction.text("\(error)"))
      throw error
    }
    var head = ["[\(Self.ms(since: start))] < HTTP \(response.head.status)"]
    for h in response.head.headers {
      head.append("< \(h.name): \(Redaction.header(h.name, h.value))")
    }
    sink(head.joined(separator: "\n"))

    // Pulled through, chunk by chunk as the reader asks: the inner body's bound (and its
    // cancellation when the reader goes) hold with DEBUG=1 too.
    let tap = BodyTap(response.body, start: start, sink: sink)
    let body = AsyncThrowingStream<[UInt8], any Error>(unfolding: { try await tap.next() })
    return HTTPStreamingResponse(head: response.head, body: HTTPBody(body))
  }

  static func ms(since start: ContinuousClock.Instant) -> String {
    let d = ContinuousClock.now - start
    let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    return "+\(Int(ms))ms"
  }
}

/// Reads a response body for one reader and reports each line as it completes, stamped with
/// its arrival time. One reader at a time (the unfolding stream calls `next` sequentially).
final class BodyTap: @unchecked Sendable {
  private var iterator: HTTPBody.AsyncIterator
  private let start: ContinuousClock.Instant
  private let sink: @Sendable (String) -> Void
  /// The start of a line whose end has not arrived yet.
  private var partial: [UInt8] = []
  private var ended = false

  init(_ body: HTTPBody, start: ContinuousClock.Instant, sink: @escaping @Sendable (String) -> Void)
  {
    iterator = body.makeAsyncIterator()
    self.start = start
    self.sink = sink
  }

  func next() async throws -> [UInt8]? {
    guard !ended else { return nil }
    let chunk: [UInt8]?
    do {
      chunk = try await iterator.next()
    } catch {
      ended = true
      sink(stamp() + "! " + Redaction.text("\(error)"))
      throw error
    }
    guard let chunk else {
      ended = true
      if !partial.isEmpty { sink(stamp() + "< " + String(decoding: partial, as: UTF8.self)) }
      sink(stamp() + "< end of body")
      return nil
    }
    report(chunk)
    return chunk
  }

  /// The arrival time every reported line starts with.
  private func stamp() -> String { "[\(LoggingTransport.ms(since: start))] " }

  /// Reports the lines `chunk` completes; keeps the unfinished rest for the next chunk.
  private func report(_ chunk: [UInt8]) {
    var out: [String] = []
    var lineStart = 0
    for (i, byte) in chunk.enumerated() where byte == 0x0A {
      var line = partial + chunk[lineStart..<i]
      partial = []
      lineStart = i + 1
      if line.last == 0x0D { line.removeLast() }
      if line.isEmpty { continue }
      out.append(stamp() + "< " + String(decoding: line, as: UTF8.self))
    }
    partial += chunk[lineStart...]
    if !out.isEmpty { sink(out.joined(separator: "\n")) }
  }
}
