import Synchronization
import Testing

@testable import CodexCore

/// DEBUG=1's transport wrapper: what it reports, and that it passes the body through untouched
/// and only as fast as the reader pulls it.
@Suite struct LoggingTransportTests {
  /// Answers every request with `chunks`, pulled one by one; counts how many were pulled.
  struct ChunkedTransport: HTTPTransport {
    let chunks: [[UInt8]]
    let pulled = Counter()

    func send(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
      let chunks = self.chunks
      let pulled = self.pulled
      let body = AsyncThrowingStream<[UInt8], any Error>(unfolding: {
        let i = pulled.next()
        return i < chunks.count ? chunks[i] : nil
      })
      return HTTPStreamingResponse(
        head: HTTPResponseHead(
          status: 200, headers: [("content-type", "text/event-stream"), ("set-cookie", "s=1")]),
        body: body)
    }
  }

  final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
      value.withLock { v in
        defer { v += 1 }
        return v
      }
    }
    var count: Int { value.withLock { $0 } }
  }

  final class Lines: Sendable {
    private let value = Mutex<[String]>([])
    func add(_ s: String) { value.withLock { $0 += s.split(separator: "\n").map(String.init) } }
    var all: [String] { value.withLock { $0 } }
  }

  static func stripTimes(_ lines: [String]) -> [String] {
    lines.map { line in
      guard line.hasPrefix("[+"), let end = line.firstIndex(of: "]") else { return line }
      return "[t]" + line[line.index(after: end)...]
    }
  }

  @Test func reportsRequestHeadAndEachLineOnceWhileTheBodyPassesThrough() async throws {
    let chunks: [[UInt8]] = [
      Array("data: one\r\n\r\ndata: tw".utf8), Array("o\n\n: ping\n".utf8), Array("tail".utf8),
    ]
    let lines = Lines()
    let transport = LoggingTransport(
      wrapping: ChunkedTransport(chunks: chunks), sink: { lines.add($0) })
    let request = HTTPRequest(
      url: "http://127.0.0.1:1/v1/chat/completions?api-key=abc",
      headers: [("Authorization", "Bearer sk-123456")], body: Array("{}".utf8))
    let response = try await transport.send(request)
    var received: [[UInt8]] = []
    for try await chunk in response.body { received.append(chunk) }
    #expect(received == chunks, "the reader gets the chunks exactly as they came")
    #expect(
      Self.stripTimes(lines.all) == [
        "> POST http://127.0.0.1:1/v1/chat/completions?api-key=<redacted>",
        "> Authorization: Bearer <redacted 9 chars>",
        "> body (2 bytes):", "> {}",
        "[t] < HTTP 200", "< content-type: text/event-stream", "< set-cookie: <redacted 3 chars>",
        "[t] < data: one", "[t] < data: two", "[t] < : ping", "[t] < tail", "[t] < end of body",
      ])
  }

  @Test func theBodyIsPulledOnlyAsTheReaderAsks() async throws {
    let inner = ChunkedTransport(chunks: (0..<1000).map { Array("data: \($0)\n\n".utf8) })
    let transport = LoggingTransport(wrapping: inner, sink: { _ in })
    let response = try await transport.send(HTTPRequest(url: "http://127.0.0.1:1/"))
    var iterator = response.body.makeAsyncIterator()
    #expect(try await iterator.next() == Array("data: 0\n\n".utf8))
    // Nothing reads ahead into an unbounded buffer (a slow reader keeps the transport's bound).
    try await Task.sleep(for: .milliseconds(50))
    #expect(inner.pulled.count == 1)
  }
}
