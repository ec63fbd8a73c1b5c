import CodexTestSupport
import Foundation
import Synchronization
import Testing

@testable import CodexCore

/// The streamable HTTP transport against a scripted server on a real socket (JSON and SSE
/// answers, the session id, a 404 that ends the session, errors), and against a server built on
/// the official Python SDK.
@Suite struct MCPHTTPClientTests {
  /// A scripted MCP endpoint: sessions numbered s1, s2, ...; `expireNext` makes the next request
  /// that carries a session id get 404.
  final class Scripted: Sendable {
    struct State {
      var sessions = 0
      var expireNext = false
    }
    let state = Mutex(State())

    func handle(_ req: RecordedRequest) -> FakeResponse {
      if req.method == "GET" { return .text(405, "") }
      if req.method == "DELETE" { return .text(200, "") }
      guard let body = req.bodyJSON else { return .text(400, "not json") }
      let id = body["id"]?.serialized() ?? "null"
      let method = body["method"]?.stringValue ?? ""
      if method != "initialize", req.header("Mcp-Session-Id") != nil {
        let expire = state.withLock { s -> Bool in
          defer { s.expireNext = false }
          return s.expireNext
        }
        if expire { return .text(404, "") }
      }
      switch method {
      case "initialize":
        let n = state.withLock { s -> Int in
          s.sessions += 1
          return s.sessions
        }
        return .json(
          200,
          #"{"jsonrpc":"2.0","id":\#(id),"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"scripted-http","version":"1"}}}"#,
          headers: [("Mcp-Session-Id", "s\(n)")])
      case "notifications/initialized", "notifications/cancelled":
        return .text(202, "")
      case "tools/list":
        // An SSE answer: a priming event, a notification, then the response.
        return FakeResponse(
          status: 200, headers: [("Content-Type", "text/event-stream")],
          steps: [
            .send("id: e1\ndata:\n\n"),
            .send(
              "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"hi\"}}\n\n"
            ),
            .send(
              "data: {\"jsonrpc\":\"2.0\",\"id\":\(id),\"result\":{\"tools\":[{\"name\":\"t\",\"inputSchema\":{\"type\":\"object\"}}]}}\n\n"
            ),
            .hang,
          ])
      case "tools/call":
        let name = body["params"]?["name"]?.stringValue ?? ""
        if name == "boom" { return .json(500, #"{"error":{"message":"kaput"}}"#) }
        if name == "silent" {
          return .sse([], then: [.send(": keep-alive\n\n")])
        }
        return .json(
          200,
          #"{"jsonrpc":"2.0","id":\#(id),"result":{"content":[{"type":"text","text":"called \#(name)"}]}}"#
        )
      default:
        return .json(
          200, #"{"jsonrpc":"2.0","id":\#(id),"error":{"code":-32601,"message":"nope"}}"#)
      }
    }
  }

  func connect(_ server: FakeHTTPServer, headers: [(name: String, value: String)] = [])
    async throws -> MCPClient
  {
    let transport = StreamableHTTPMCPTransport(
      url: server.baseURL + "/mcp", headers: headers, http: CurlTransport())
    let client = MCPClient(transport: transport, roots: ["/w"])
    _ = try await client.connect(timeout: .seconds(120))
    return client
  }

  @Test func sessionIDVersionAndHeadersGoOnEveryLaterRequest() async throws {
    let scripted = Scripted()
    let server = try FakeHTTPServer(handler: scripted.handle)
    defer { server.stop() }
    let client = try await connect(server, headers: [("Authorization", "Bearer tok")])
    let tools = try await client.listTools(timeout: .seconds(120))
    #expect(tools.map(\.name) == ["t"])
    let posts = server.requests.filter { $0.method == "POST" }
    #expect(posts.count == 3)
    #expect(posts[0].header("Mcp-Session-Id") == nil)
    #expect(posts[0].header("MCP-Protocol-Version") == nil)
    #expect(posts[0].header("Accept") == "application/json, text/event-stream")
    #expect(posts[0].header("Content-Type") == "application/json")
    for later in posts.dropFirst() {
      #expect(later.header("Mcp-Session-Id") == "s1")
      #expect(later.header("MCP-Protocol-Version") == "2025-06-18")
    }
    #expect(posts.allSatisfy { $0.header("Authorization") == "Bearer tok" })
    await client.close()
    let delete = try await waitFor { server.requests.first { $0.method == "DELETE" } }
    #expect(delete.header("Mcp-Session-Id") == "s1")
  }

  @Test func a404EndsTheSessionAndTheClientInitializesAgain() async throws {
    let scripted = Scripted()
    let server = try FakeHTTPServer(handler: scripted.handle)
    defer { server.stop() }
    let client = try await connect(server)
    scripted.state.withLock { $0.expireNext = true }
    let r = try await client.callTool("x", arguments: [:], timeout: .seconds(120))
    #expect(r.content.first?["text"] == "called x")
    let posts = server.requests.filter { $0.method == "POST" }
    let inits = posts.filter { $0.bodyJSON?["method"] == "initialize" }
    #expect(inits.count == 2)
    #expect(inits[1].header("Mcp-Session-Id") == nil)
    #expect(posts.last?.header("Mcp-Session-Id") == "s2")
    await client.close()
  }

  @Test func anHTTPErrorIsOneLineWithTheServersMessage() async throws {
    let server = try FakeHTTPServer(handler: Scripted().handle)
    defer { server.stop() }
    let client = try await connect(server)
    await #expect(throws: MCPError.http(status: 500, detail: "kaput")) {
      _ = try await client.callTool("boom", arguments: [:], timeout: .seconds(120))
    }
    await client.close()
  }

  @Test func anEventStreamThatEndsWithoutTheAnswerFailsTheRequest() async throws {
    let server = try FakeHTTPServer(handler: Scripted().handle)
    defer { server.stop() }
    let client = try await connect(server)
    await #expect(
      throws: MCPError.transport("the server ended its event stream without answering")
    ) {
      _ = try await client.callTool("silent", arguments: [:], timeout: .seconds(120))
    }
    await client.close()
  }

  @Test func nobodyListeningIsOneLine() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let transport = StreamableHTTPMCPTransport(
      url: "http://127.0.0.1:\(port)/mcp", headers: [], http: CurlTransport())
    let client = MCPClient(transport: transport, roots: [])
    await #expect {
      _ = try await client.connect(timeout: .seconds(120))
    } throws: { error in
      "\(error)".contains("cannot connect to http://127.0.0.1:\(port)/mcp")
    }
  }

  // MARK: - The official Python SDK's server

  /// Starts `sdk_server.py --http PORT` and waits until it accepts connections.
  func sdkServer(_ extra: [String] = []) async throws -> (PipedChildProcess, String) {
    let python = try MCPTestEnvironment.venvExecutable("python")
    let port = try FakeHTTPServer.unusedLoopbackPort()
    let process = try PipedChildProcess(
      executable: python,
      arguments: [MCPTestEnvironment.fixture("sdk_server.py"), "--http", String(port)] + extra,
      workingDirectory: "/", environment: ["PATH": "/usr/bin:/bin"], stderrPath: nil,
      onLine: { _ in }, onExit: { _ in })
    let url = "http://127.0.0.1:\(port)/mcp"
    _ = try await waitFor(timeout: .seconds(300)) { () async -> Bool? in
      let r = try? await CurlTransport().send(
        HTTPRequest(method: "GET", url: url, connectTimeout: .seconds(1), idleTimeout: .seconds(5)))
      return r == nil ? nil : true
    }
    return (process, url)
  }

  @Test(arguments: [[], ["--json"]])
  func theSDKServerOverStreamableHTTP(_ extra: [String]) async throws {
    let (process, url) = try await sdkServer(extra)
    defer { process.kill() }
    let transport = StreamableHTTPMCPTransport(url: url, headers: [], http: CurlTransport())
    let client = MCPClient(transport: transport, roots: ["/"])
    let info = try await client.connect(timeout: .seconds(300))
    #expect(info.protocolVersion == "2025-11-25")
    #expect(transport.sessionID != nil)
    let tools = try await client.listTools(timeout: .seconds(300))
    #expect(Set(tools.map(\.name)).isSuperset(of: ["add", "slow", "grow", "crash", "fail"]))
    let sum = try await client.callTool(
      "add", arguments: ["a": 2, "b": 40], timeout: .seconds(300))
    #expect(sum.content.first?["text"] == "42")
    #expect(sum.structuredContent?["result"] == 42)
    let failed = try await client.callTool("fail", arguments: [:], timeout: .seconds(300))
    #expect(failed.isError)

    let seen = Mutex<[Double]>([])
    let counted = try await client.callTool(
      "slow", arguments: ["steps": 3], timeout: .seconds(300)
    ) { p in seen.withLock { $0.append(p.progress) } }
    #expect(counted.content.first?["text"] == "counted to 3")
    if extra.isEmpty {
      // With SSE answers, progress arrives before the result.
      #expect(seen.withLock { $0 } == [1, 2, 3])
    }
    await client.close()
  }

  @Test func listChangedFromTheSDKServerReachesTheClient() async throws {
    let (process, url) = try await sdkServer()
    defer { process.kill() }
    let transport = StreamableHTTPMCPTransport(url: url, headers: [], http: CurlTransport())
    let client = MCPClient(transport: transport, roots: ["/"])
    let changed = Mutex(0)
    await client.setHandlers(onToolsChanged: { changed.withLock { $0 += 1 } }, onClosed: { _ in })
    _ = try await client.connect(timeout: .seconds(300))
    _ = try await client.callTool("grow", arguments: [:], timeout: .seconds(300))
    _ = try await waitFor { changed.withLock { $0 } > 0 ? true : nil }
    let tools = try await client.listTools(timeout: .seconds(300))
    #expect(tools.map(\.name).contains("extra"))
    await client.close()
  }
}
