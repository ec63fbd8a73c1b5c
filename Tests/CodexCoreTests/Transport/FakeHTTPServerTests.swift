import Testing

@testable import CodexCore
@testable import CodexTestSupport

/// The fake server itself: what every integration and end-to-end test stands on.
@Suite struct FakeHTTPServerTests {
  @Test func parsesAChunkedRequestBodyWithExtensionsAndTrailers() throws {
    let wire = Array(
      ("POST /v1/x?y=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\nGET / HTTP/1.1\r\n").utf8)
    let head = try #require(try FakeHTTPRequestParser.parseHead(wire))
    #expect(head.method == "POST")
    #expect(head.target == "/v1/x?y=1")
    #expect(head.header("host") == "h")
    let parsed = try #require(try FakeHTTPRequestParser.parseBody(wire, head: head))
    #expect(parsed.body == Array("hello world".utf8))
    #expect(Array(wire[parsed.next...]) == Array("GET / HTTP/1.1\r\n".utf8))
  }

  @Test func incompleteRequestsWaitForMoreBytes() throws {
    let full = Array("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody".utf8)
    #expect(try FakeHTTPRequestParser.parseHead(Array(full[..<20])) == nil)
    let head = try #require(try FakeHTTPRequestParser.parseHead(full))
    #expect(try FakeHTTPRequestParser.parseBody(Array(full.dropLast()), head: head) == nil)
    #expect(try FakeHTTPRequestParser.parseBody(full, head: head)?.body == Array("body".utf8))
  }

  @Test func rejectsGarbage() {
    #expect(throws: FakeHTTPRequestParser.Malformed.self) {
      try FakeHTTPRequestParser.parseHead(Array("hello\r\n\r\n".utf8))
    }
  }

  @Test func chunkedRequestBodyAndExpectContinueOverTheWire() async throws {
    let server = try FakeHTTPServer { request in .json(200, request.bodyText) }
    defer { server.stop() }
    let payload = String(repeating: "0123456789", count: 5000)
    let request = HTTPRequest(
      url: server.baseURL + "/upload",
      headers: [("Transfer-Encoding", "chunked"), ("Expect", "100-continue")],
      body: Array(payload.utf8))
    let response = try await CurlTransport().send(request)
    #expect(response.head.status == 200)
    #expect(try await collect(response.body) == Array(payload.utf8))
    let recorded = try #require(server.requests.first)
    #expect(recorded.header("transfer-encoding") == "chunked")
    #expect(recorded.body == Array(payload.utf8))
  }

  @Test func sleepsBetweenChunksAndHeadRequests() async throws {
    let server = try FakeHTTPServer { _ in
      .stream(steps: [.send("a"), .sleep(milliseconds: 20), .send("b")])
    }
    defer { server.stop() }
    let transport = CurlTransport()
    let response = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL))
    #expect(try await collect(response.body) == Array("ab".utf8))
    let head = try await transport.send(HTTPRequest(method: "HEAD", url: server.baseURL))
    #expect(head.head.header("transfer-encoding") == "chunked")
    #expect(try await collect(head.body).isEmpty)
  }

  @Test func stopInterruptsGatesAndHangs() async throws {
    let gate = try FakeGate()
    let server = try FakeHTTPServer { request in
      request.path == "/gate" ? .sse(["a"], then: [.wait(gate)]) : .sse(["b"], then: [.hang])
    }
    let transport = CurlTransport()
    let gated = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/gate"))
    let hung = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/hang"))
    #expect(server.openConnectionCount == 2)
    let stopper = Task<Void, any Error> { server.stop() }
    #expect(await result(of: stopper) != nil, "stop() returned")
    #expect(server.openConnectionCount == 0)
    // Both bodies end with the dropped connection.
    for response in [gated, hung] {
      await #expect(throws: TransportError.self) { _ = try await collect(response.body) }
    }
    #expect(!gate.isOpen)
  }

  @Test func closeDelimitedBodies() async throws {
    let server = try FakeHTTPServer { _ in
      .stream(steps: [.send("x"), .send("y")], framing: .closeDelimited)
    }
    defer { server.stop() }
    let response = try await CurlTransport().send(HTTPRequest(method: "GET", url: server.baseURL))
    #expect(response.head.header("connection") == "close")
    #expect(try await collect(response.body) == Array("xy".utf8))
  }
}
