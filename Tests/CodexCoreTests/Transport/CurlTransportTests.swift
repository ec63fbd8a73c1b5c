import CodexTestSupport
import Foundation
import Synchronization
import Testing

@testable import CodexCore

/// CurlTransport against the fake server, over real loopback sockets.
@Suite struct CurlTransportTests {
  let transport = CurlTransport()

  func get(_ server: FakeHTTPServer, _ path: String = "/", idle: Duration? = nil) -> HTTPRequest {
    HTTPRequest(method: "GET", url: server.baseURL + path, idleTimeout: idle)
  }

  @Test func jsonResponse() async throws {
    let server = try FakeHTTPServer { _ in
      .json(200, #"{"ok":true}"#, headers: [("X-Request-Id", "req_1")])
    }
    defer { server.stop() }
    let response = try await transport.send(get(server, "/v1/models"))
    #expect(response.head.status == 200)
    #expect(response.head.header("X-Request-Id") == "req_1")
    #expect(response.head.headers.contains(where: { $0.name == "x-request-id" }))
    #expect(response.head.header("content-type") == "application/json")
    #expect(try await collect(response.body) == Array(#"{"ok":true}"#.utf8))
    #expect(server.requests.map(\.path) == ["/v1/models"])
  }

  @Test func sseChunksArriveBeforeTheStreamEnds() async throws {
    let gate = try FakeGate()
    let server = try FakeHTTPServer { _ in
      .stream(
        headers: [("Content-Type", "text/event-stream")],
        steps: [.send("data: one\n\n"), .wait(gate), .send("data: two\n\n")])
    }
    defer { server.stop() }
    let response = try await transport.send(get(server))
    var framer = SSEFramer()
    var events: [SSEEvent] = []
    for try await chunk in response.body {
      let fresh = framer.feed(chunk)
      if events.isEmpty && !fresh.isEmpty {
        // The server is still blocked on the gate: this chunk came before the next was sent.
        #expect(!gate.isOpen)
        gate.open()
      }
      events += fresh
    }
    events += framer.finish()
    #expect(events.map(\.data) == ["one", "two"])
    #expect(gate.isOpen)
  }

  @Test func chunksOfOneSocketReadAreHandedOverTogether() async throws {
    // 2,000 one-token HTTP chunks written at once, as a fast local server does: curl calls the
    // write callback per chunk, but the reader gets them in a few batches (one per socket
    // read), not one wake-up per token; the bytes are intact and in order.
    var wire: [UInt8] = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
    var expected: [UInt8] = []
    for i in 0..<2000 {
      let event = Array("data: {\"t\":\"token \(i)\"}\n\n".utf8)
      expected += event
      wire += Array(String(event.count, radix: 16).utf8) + [13, 10] + event + [13, 10]
    }
    wire += Array("0\r\n\r\n".utf8)
    let all = wire
    let server = try FakeHTTPServer { _ in .raw([.send(all)]) }
    defer { server.stop() }
    let response = try await transport.send(get(server))
    var chunks: [[UInt8]] = []
    for try await chunk in response.body { chunks.append(chunk) }
    #expect(chunks.joined().elementsEqual(expected))
    #expect(chunks.count <= 20, "\(chunks.count) hand-overs for 2,000 HTTP chunks")
    #expect(chunks.allSatisfy { $0.count <= CurlTransfer.batchLimit + 128 * 1024 })
  }

  @Test func keepAliveCommentsPassThroughTheFramer() async throws {
    let server = try FakeHTTPServer { _ in
      .stream(steps: [
        .send(": ping\n\n"), .send("data: a\n\n"), .send(": ping\n\n"), .send("data: [DONE]\n\n"),
      ])
    }
    defer { server.stop() }
    let response = try await transport.send(get(server))
    var framer = SSEFramer()
    let events = framer.feed(try await collect(response.body)) + framer.finish()
    #expect(events.map(\.data) == ["a", "[DONE]"])
  }

  @Test func rateLimitHeadIsVisibleWithRetryAfter() async throws {
    let server = try FakeHTTPServer { _ in
      .json(429, #"{"error":{"message":"slow down"}}"#, headers: [("Retry-After", "1")])
    }
    defer { server.stop() }
    let response = try await transport.send(get(server))
    #expect(response.head.status == 429)
    #expect(response.head.header("retry-after") == "1")
    #expect(String(decoding: try await response.collectBody(), as: UTF8.self).contains("slow down"))
  }

  @Test func serverErrorThenSuccessOnTheSameConnection() async throws {
    let server = try FakeHTTPServer { request in
      request.index == 0 ? .json(500, #"{"error":"boom"}"#) : .json(200, #"{"ok":1}"#)
    }
    defer { server.stop() }
    let first = try await transport.send(get(server))
    #expect(first.head.status == 500)
    #expect(try await collect(first.body) == Array(#"{"error":"boom"}"#.utf8))
    let second = try await transport.send(get(server))
    #expect(second.head.status == 200)
    #expect(try await collect(second.body) == Array(#"{"ok":1}"#.utf8))
    let requests = server.requests
    #expect(requests.count == 2)
    #expect(requests.first?.connectionID == requests.last?.connectionID, "keep-alive reuse")
  }

  @Test func connectionRefusedIsCannotConnect() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let url = "http://127.0.0.1:\(port)/v1/chat/completions"
    do {
      _ = try await transport.send(HTTPRequest(url: url))
      Issue.record("send should have thrown")
    } catch let error as TransportError {
      guard case .cannotConnect(let failedURL, let detail) = error else {
        Issue.record("expected cannotConnect, got \(error)")
        return
      }
      #expect(failedURL == url)
      #expect(detail.contains("\(port)"), "curl's error text names the port: \(detail)")
    }
  }

  @Test(arguments: [FakeResponse.Framing.chunked, .contentLength])
  func droppedConnectionMidBodyIsConnectionLost(_ framing: FakeResponse.Framing) async throws {
    let server = try FakeHTTPServer { _ in
      .stream(steps: [.send("data: a\n\n"), .close, .send("data: never\n\n")], framing: framing)
    }
    defer { server.stop() }
    let response = try await transport.send(get(server))
    #expect(response.head.status == 200)
    var received: [UInt8] = []
    await #expect {
      for try await chunk in response.body { received += chunk }
    } throws: { error in
      if case .connectionLost = error as? TransportError { return true }
      return false
    }
    #expect(received == Array("data: a\n\n".utf8))
  }

  @Test func badChunkedEncodingIsConnectionLost() async throws {
    let server = try FakeHTTPServer { _ in
      .raw([.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n")])
    }
    defer { server.stop() }
    await #expect {
      let response = try await transport.send(get(server))
      _ = try await collect(response.body)
    } throws: { error in
      if case .connectionLost = error as? TransportError { return true }
      return false
    }
  }

  @Test func silenceAfterTheFirstChunkIsIdleTimeout() async throws {
    let server = try FakeHTTPServer { _ in .sse(["a"], then: [.hang]) }
    defer { server.stop() }
    let response = try await transport.send(get(server, idle: .milliseconds(300)))
    var received: [UInt8] = []
    await #expect(throws: TransportError.idleTimeout(url: server.baseURL + "/", seconds: 0.3)) {
      for try await chunk in response.body { received += chunk }
    }
    #expect(received == Array("data: a\n\n".utf8))
    #expect(await server.wait { $0.openConnectionCount == 0 }, "the connection was dropped")
  }

  @Test func silenceBeforeTheHeadIsIdleTimeout() async throws {
    let server = try FakeHTTPServer { _ in .raw([.hang]) }
    defer { server.stop() }
    await #expect(throws: TransportError.idleTimeout(url: server.baseURL + "/", seconds: 0.3)) {
      _ = try await transport.send(get(server, idle: .milliseconds(300)))
    }
  }

  @Test func cancellingTheReaderAbortsASilentStream() async throws {
    let server = try FakeHTTPServer { _ in .sse(["a"], then: [.hang]) }
    defer { server.stop() }
    let transport = transport
    let firstChunk = try FakeGate()
    let reader = Task {
      let response = try await transport.send(get(server))
      var count = 0
      for try await _ in response.body {
        count += 1
        firstChunk.open()
      }
      return count
    }
    #expect(await eventually { firstChunk.isOpen })
    reader.cancel()
    let outcome = await result(of: reader)
    #expect(outcome != nil, "a cancelled read must end")
    #expect(await server.wait { $0.openConnectionCount == 0 }, "curl closed the connection")
    #expect(await eventually { transport.liveTransferCount == 0 }, "handle and context freed")
  }

  @Test func cancellingWhileWaitingForTheHeadThrowsCancellation() async throws {
    let server = try FakeHTTPServer { _ in .raw([.hang]) }
    defer { server.stop() }
    let transport = transport
    let sender = Task { try await transport.send(get(server)).head.status }
    #expect(await server.wait { $0.requests.count == 1 })
    sender.cancel()
    let outcome = await result(of: sender)
    guard case .failure(let error)? = outcome else {
      Issue.record("expected a failure, got \(String(describing: outcome))")
      return
    }
    #expect(error is CancellationError)
    #expect(await server.wait { $0.openConnectionCount == 0 })
    #expect(await eventually { transport.liveTransferCount == 0 })
  }

  @Test func leavingTheLoopEarlyAbortsTheTransfer() async throws {
    let server = try FakeHTTPServer { _ in .sse(["1", "2"], then: [.hang]) }
    defer { server.stop() }
    // As a wire's decode loop does: read in a function of its own, stop early, return. The
    // stream ends when the last reference to the response goes away.
    func readFirstChunk() async throws -> [UInt8]? {
      let response = try await transport.send(get(server))
      for try await chunk in response.body { return chunk }
      return nil
    }
    // Both events may come as one chunk: the transfer hands over what one socket read brought.
    let first = try await readFirstChunk() ?? []
    #expect(first.starts(with: Array("data: 1\n\n".utf8)))
    #expect(await server.wait { $0.openConnectionCount == 0 })
    #expect(await eventually { transport.liveTransferCount == 0 })
  }

  @Test func droppingAnUnreadResponseAbortsTheTransfer() async throws {
    let server = try FakeHTTPServer { _ in .sse(["1"], then: [.hang]) }
    defer { server.stop() }
    _ = try await transport.send(get(server)).head
    #expect(await server.wait { $0.openConnectionCount == 0 })
    #expect(await eventually { transport.liveTransferCount == 0 })
  }

  @Test func requestHeadersAndBodyArriveIntact() async throws {
    let server = try FakeHTTPServer { _ in .json(200, "{}") }
    defer { server.stop() }
    let payload =
      #"{"model":"m","messages":[{"role":"user","content":"héllo \"x\""}],"pad":""#
      + String(repeating: "z", count: 100_000) + #""}"#
    let request = HTTPRequest(
      method: "POST", url: server.baseURL + "/v1/chat/completions?api-version=2",
      headers: [
        ("Authorization", "Bearer sk-test"), ("Content-Type", "application/json"),
        ("X-Empty", ""), ("X-Custom", "a, b;c"),
      ],
      body: Array(payload.utf8))
    let response = try await transport.send(request)
    #expect(response.head.status == 200)
    _ = try await collect(response.body)
    let recorded = try #require(server.requests.first)
    #expect(recorded.method == "POST")
    #expect(recorded.path == "/v1/chat/completions?api-version=2")
    #expect(recorded.body == Array(payload.utf8))
    #expect(recorded.bodyJSON?["model"]?.stringValue == "m")
    #expect(recorded.header("authorization") == "Bearer sk-test")
    #expect(recorded.header("x-empty") == "")
    #expect(recorded.header("x-custom") == "a, b;c")
    #expect(recorded.header("expect") == nil, "no 100-continue round trip")
    #expect(recorded.header("accept-encoding") == nil)
    let names = recorded.headers.map(\.name)
    let ours = names.filter {
      ["authorization", "content-type", "x-empty", "x-custom"].contains($0)
    }
    #expect(ours == ["authorization", "content-type", "x-empty", "x-custom"], "order kept")
  }

  @Test(arguments: ["GET", "DELETE", "PUT"])
  func otherMethods(_ method: String) async throws {
    let server = try FakeHTTPServer { _ in .json(200, "{}") }
    defer { server.stop() }
    let body: [UInt8] = method == "PUT" ? Array("{\"a\":1}".utf8) : []
    let response = try await transport.send(
      HTTPRequest(method: method, url: server.baseURL + "/x", body: body))
    _ = try await collect(response.body)
    #expect(server.requests.map(\.method) == [method])
    #expect(server.requests.first?.body == body)
  }

  @Test func emptyPostBody() async throws {
    let server = try FakeHTTPServer { _ in .json(200, "{}") }
    defer { server.stop() }
    _ = try await collect(try await transport.send(HTTPRequest(url: server.baseURL)).body)
    #expect(server.requests.first?.method == "POST")
    #expect(server.requests.first?.header("content-length") == "0")
  }

  @Test func concurrentTransfersShareTheIOThread() async throws {
    let slow = try FakeGate()
    let server = try FakeHTTPServer { request in
      if request.path == "/slow" {
        return .sse(["first"], then: [.wait(slow), .send("data: second\n\n")])
      }
      return .json(200, "{\"path\":\"\(request.path)\"}")
    }
    defer { server.stop() }
    // A stream stays open, blocked on the server, while other transfers come and go.
    let stream = try await transport.send(get(server, "/slow"))
    var iterator = stream.body.makeAsyncIterator()
    #expect(try await iterator.next() == Array("data: first\n\n".utf8))

    let transport = transport
    let bodies = try await withThrowingTaskGroup(of: String.self) { group in
      for index in 0..<8 {
        group.addTask {
          let response = try await transport.send(self.get(server, "/\(index)"))
          return String(decoding: try await collect(response.body), as: UTF8.self)
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(Set(bodies) == Set((0..<8).map { "{\"path\":\"/\($0)\"}" }))

    slow.open()
    var rest: [UInt8] = []
    while let chunk = try await iterator.next() { rest += chunk }
    #expect(rest == Array("data: second\n\n".utf8))
  }

  @Test func informationalHeadsAreSkipped() async throws {
    let server = try FakeHTTPServer { _ in
      .raw([
        .send("HTTP/1.1 100 Continue\r\n\r\n"),
        .send("HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"),
        .send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\nok"),
      ])
    }
    defer { server.stop() }
    let response = try await transport.send(get(server))
    #expect(
      response.head
        == HTTPResponseHead(status: 200, headers: [("content-length", "2"), ("x-final", "yes")]))
    #expect(try await collect(response.body) == Array("ok".utf8))
  }

  @Test func redirectsAreNotFollowed() async throws {
    let server = try FakeHTTPServer { _ in
      .json(307, "", headers: [("Location", "/elsewhere")])
    }
    defer { server.stop() }
    let response = try await transport.send(get(server, "/here"))
    #expect(response.head.status == 307)
    #expect(response.head.header("location") == "/elsewhere")
    _ = try await collect(response.body)
    #expect(server.requests.map(\.path) == ["/here"])
  }

  @Test(arguments: ["ftp://127.0.0.1/x", "file:///etc/passwd", "http://", "not a url"])
  func invalidURLs(_ url: String) async throws {
    await #expect(throws: TransportError.invalidURL(url)) {
      _ = try await transport.send(HTTPRequest(url: url))
    }
  }

  @Test func responseOutlivesItsTransport() async throws {
    let gate = try FakeGate()
    let server = try FakeHTTPServer { _ in .sse(["a"], then: [.wait(gate), .send("data: b\n\n")]) }
    defer { server.stop() }
    var transport: CurlTransport? = CurlTransport()
    let response = try await transport?.send(get(server))
    transport = nil
    gate.open()
    let body = try await collect(try #require(response).body)
    #expect(body == Array("data: a\n\ndata: b\n\n".utf8))
  }

  @Test func manyRequestsLeaveNothingBehind() async throws {
    let server = try FakeHTTPServer { request in
      request.index % 3 == 0 ? .sse(["x"], then: [.hang]) : .json(200, "{}")
    }
    defer { server.stop() }
    func readFirstChunk() async throws {
      let response = try await transport.send(get(server, idle: .seconds(30)))
      for try await _ in response.body { break }
    }
    for _ in 0..<30 { try await readFirstChunk() }
    #expect(await eventually { transport.liveTransferCount == 0 })
  }
}

@Suite struct CurlTransportConnectFailureTests {
  @Test func unansweredConnectIsConnectTimeout() async throws {
    let listener = try FakeUnresponsiveListener()
    let url = listener.baseURL + "/v1/models"
    await #expect(throws: TransportError.connectTimeout(url: url, seconds: 0.2)) {
      _ = try await CurlTransport().send(
        HTTPRequest(method: "GET", url: url, connectTimeout: .milliseconds(200)))
    }
  }

  @Test func httpsToAPlainHTTPServerIsATLSError() async throws {
    let server = try FakeHTTPServer { _ in .json(200, "{}") }
    defer { server.stop() }
    let url = "https://127.0.0.1:\(server.port)/"
    await #expect {
      _ = try await CurlTransport().send(HTTPRequest(method: "GET", url: url))
    } throws: { error in
      guard case .tls(let failedURL, let detail) = error as? TransportError else { return false }
      return failedURL == url && !detail.isEmpty
    }
  }
}
