import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

/// The client against our scripted stdio server (`Fixtures/mcp/scripted_server.py`), which
/// misbehaves on purpose, and against the real reference servers from PyPI.
@Suite struct MCPStdioClientTests {
  struct Scripted {
    let client: MCPClient
    let trace: String
    let log: String
    let dir: String

    /// The messages the server received, in order.
    func received() -> [JSON] {
      let text = (try? String(contentsOfFile: trace, encoding: .utf8)) ?? ""
      return text.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
    }

    func cleanUp() async {
      await client.close()
      try? FileManager.default.removeItem(atPath: dir)
    }
  }

  func scripted(_ mode: String, grace: Duration = .seconds(2)) throws -> Scripted {
    let python = try MCPTestEnvironment.venvExecutable("python")
    let dir = NSTemporaryDirectory() + "mcp-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let transport = StdioMCPTransport(
      command: python, arguments: [MCPTestEnvironment.fixture("scripted_server.py"), mode],
      workingDirectory: dir,
      environment: ["PATH": "/usr/bin:/bin", "MCP_TRACE": dir + "/trace.jsonl"],
      logPath: dir + "/server.log", shutdownGrace: grace)
    return Scripted(
      client: MCPClient(transport: transport, roots: ["/work/my project"]),
      trace: dir + "/trace.jsonl", log: dir + "/server.log", dir: dir)
  }

  @Test func handshakeOffersTheLatestVersionAndSendsInitialized() async throws {
    let s = try scripted("normal")
    let info = try await s.client.connect(timeout: .seconds(120))
    #expect(info.protocolVersion == "2025-11-25")
    #expect(info.name == "scripted")
    #expect(info.toolsListChanged)
    _ = try await s.client.listTools(timeout: .seconds(120))
    let got = s.received()
    #expect(got.first?["method"] == "initialize")
    #expect(got.first?["params"]?["protocolVersion"] == "2025-11-25")
    #expect(got.first?["params"]?["clientInfo"]?["name"] == "codex")
    #expect(got.dropFirst().first?["method"] == "notifications/initialized")
    #expect(got.dropFirst().first?["id"] == nil)
    await s.cleanUp()
  }

  @Test func olderVersionsAreAcceptedAndUnknownOnesRefused() async throws {
    let old = try scripted("old-version")
    #expect(try await old.client.connect(timeout: .seconds(120)).protocolVersion == "2024-11-05")
    await old.cleanUp()

    let future = try scripted("future-version")
    await #expect {
      _ = try await future.client.connect(timeout: .seconds(120))
    } throws: { error in
      "\(error)".contains("2099-01-01") && "\(error)".contains("2025-11-25")
    }
    await future.cleanUp()

    let none = try scripted("no-version")
    await #expect(
      throws: MCPError.protocolViolation("the initialize result has no protocolVersion")
    ) {
      _ = try await none.client.connect(timeout: .seconds(120))
    }
    await none.cleanUp()
  }

  @Test func aRefusedVersionIsRetriedWithOneTheServerSpeaks() async throws {
    let s = try scripted("reject-version")
    let info = try await s.client.connect(timeout: .seconds(120))
    #expect(info.protocolVersion == "2025-03-26")
    let offers = s.received().filter { $0["method"] == "initialize" }.map {
      $0["params"]?["protocolVersion"]?.stringValue
    }
    #expect(offers == ["2025-11-25", "2025-03-26"])
    await s.cleanUp()
  }

  @Test func toolsListFollowsEveryPageAndSkipsNamelessTools() async throws {
    let s = try scripted("normal")
    _ = try await s.client.connect(timeout: .seconds(120))
    let tools = try await s.client.listTools(timeout: .seconds(120))
    #expect(tools.map(\.name) == ["echo", "wait", "ask-back", "everything", "noisy"])
    #expect(tools[0].readOnlyHint)
    #expect(!tools[1].readOnlyHint)
    let cursors = s.received().filter { $0["method"] == "tools/list" }.map {
      $0["params"]?["cursor"]?.stringValue
    }
    #expect(cursors == [nil, "1", "2"])
    await s.cleanUp()
  }

  @Test func aCursorThatRepeatsEndsTheListingWithAnError() async throws {
    let s = try scripted("cursor-loop")
    _ = try await s.client.connect(timeout: .seconds(120))
    await #expect(throws: MCPError.protocolViolation("tools/list repeats the cursor \"again\"")) {
      _ = try await s.client.listTools(timeout: .seconds(120))
    }
    await s.cleanUp()
  }

  @Test func callsReturnContentAndArgumentsArriveIntact() async throws {
    let s = try scripted("normal")
    _ = try await s.client.connect(timeout: .seconds(120))
    let args: JSONObject = ["text": "a \"quoted\"\nline\u{1b}[31m", "n": 3]
    let r = try await s.client.callTool("echo", arguments: args, timeout: .seconds(120))
    #expect(!r.isError)
    let echoed = try JSON.parse(#require(r.content.first?["text"]?.stringValue))
    #expect(echoed == .object(args) || echoed["text"] == args["text"])
    #expect(echoed["n"] == 3)
    await s.cleanUp()
  }

  @Test func unknownToolIsAJSONRPCError() async throws {
    let s = try scripted("normal")
    _ = try await s.client.connect(timeout: .seconds(120))
    await #expect {
      _ = try await s.client.callTool("nope", arguments: [:], timeout: .seconds(120))
    } throws: { error in
      guard case MCPError.server(let e) = error else { return false }
      return e.code == -32602 && e.message == "Unknown tool: nope"
    }
    await s.cleanUp()
  }

  @Test func serverRequestsAreAnswered() async throws {
    let s = try scripted("normal")
    _ = try await s.client.connect(timeout: .seconds(120))
    let r = try await s.client.callTool("ask-back", arguments: [:], timeout: .seconds(120))
    let text = try #require(r.content.first?["text"]?.stringValue)
    let replies = try #require(try JSON.parse(text).arrayValue)
    #expect(replies.count == 4)
    #expect(replies[0]["result"] == .object([:]))  // ping
    let root = try #require(replies[1]["result"]?["roots"]?[0])
    #expect(root["uri"] == "file:///work/my%20project")
    #expect(root["name"] == "my project")
    #expect(replies[2]["error"]?["code"] == -32601)  // sampling
    #expect(replies[3]["result"]?["action"] == "decline")  // elicitation
    await s.cleanUp()
  }

  @Test func timeoutSendsCancelledAndALateAnswerIsIgnored() async throws {
    let s = try scripted("normal")
    _ = try await s.client.connect(timeout: .seconds(120))
    await #expect {
      _ = try await s.client.callTool("wait", arguments: [:], timeout: .milliseconds(300))
    } throws: { error in
      guard case MCPError.timedOut(let method, _) = error else { return false }
      return method == "tools/call"
    }
    let cancelled = try await waitFor {
      s.received().first { $0["method"] == "notifications/cancelled" }
    }
    let callID = s.received().first { $0["method"] == "tools/call" }?["id"]
    #expect(cancelled["params"]?["requestId"] == callID)
    #expect(cancelled["id"] == nil)
    // The client still works after the timeout.
    let r = try await s.client.callTool("echo", arguments: ["x": 1], timeout: .seconds(120))
    #expect(r.content.count == 1)
    await s.cleanUp()
  }

  @Test func cancellingTheTaskSendsCancelled() async throws {
    let s = try scripted("normal")
    _ = try await s.client.connect(timeout: .seconds(120))
    let client = s.client
    let task = Task {
      try await client.callTool("wait", arguments: [:], timeout: .seconds(120))
    }
    _ = try await waitFor { s.received().first { $0["method"] == "tools/call" } }
    task.cancel()
    await #expect(throws: CancellationError.self) { _ = try await task.value }
    let cancelled = try await waitFor {
      s.received().first { $0["method"] == "notifications/cancelled" }
    }
    #expect(cancelled["params"]?["reason"] == "the user interrupted the call")
    await s.cleanUp()
  }

  @Test func invalidJSONOnStdoutClosesTheClientWithTheCause() async throws {
    let s = try scripted("bad-json")
    _ = try? await s.client.connect(timeout: .seconds(120))
    let reason = try await waitFor { await s.client.closedReason }
    #expect(reason.contains("not MCP"))
    #expect(reason.contains("this is not json"))
    await #expect(throws: MCPError.self) {
      _ = try await s.client.listTools(timeout: .seconds(5))
    }
    await s.cleanUp()
  }

  @Test func aServerThatExitsFailsTheOpenCallWithItsStatus() async throws {
    let s = try scripted("exit-on-call")
    _ = try await s.client.connect(timeout: .seconds(120))
    await #expect {
      _ = try await s.client.callTool("echo", arguments: [:], timeout: .seconds(120))
    } throws: { error in
      "\(error)".contains("exited with status 3") && "\(error)".contains(s.log)
    }
    await s.cleanUp()
  }

  @Test func aServerThatClosesStdoutIsStoppedAndReported() async throws {
    let s = try scripted("stdout-close", grace: .milliseconds(200))
    _ = try? await s.client.connect(timeout: .seconds(120))
    let reason = try await waitFor { await s.client.closedReason }
    #expect(reason.contains("closed its stdout"), "\(reason)")
    await s.cleanUp()
  }

  @Test func stderrGoesToTheLogNotTheProtocol() async throws {
    let s = try scripted("normal")
    _ = try await s.client.connect(timeout: .seconds(120))
    let r = try await s.client.callTool("noisy", arguments: [:], timeout: .seconds(120))
    #expect(r.content.first?["text"] == "quiet on stdout")
    let log = try await waitFor {
      (try? String(contentsOfFile: s.log, encoding: .utf8)).flatMap {
        $0.contains("noise on stderr") ? $0 : nil
      }
    }
    #expect(log.contains("noise on stderr"))
    await s.cleanUp()
  }

  @Test func aHungServerTimesOutAndCloseKillsIt() async throws {
    let s = try scripted("hang", grace: .milliseconds(200))
    await #expect(throws: MCPError.self) {
      _ = try await s.client.connect(timeout: .milliseconds(300))
    }
    let clock = ContinuousClock()
    let start = clock.now
    await s.client.close()
    // stdin closed (ignored by the hung loop? it exits on EOF), else TERM then KILL.
    #expect(clock.now - start < .seconds(120))
    await s.cleanUp()
  }

  @Test func aMissingCommandFailsToStartInOneLine() async throws {
    let transport = StdioMCPTransport(
      command: "no-such-mcp-server-xyz", arguments: [], workingDirectory: "/",
      environment: ["PATH": "/usr/bin:/bin"], logPath: nil)
    let client = MCPClient(transport: transport, roots: [])
    await #expect {
      _ = try await client.connect(timeout: .seconds(5))
    } throws: { error in
      "\(error)" == "could not start: command not found: no-such-mcp-server-xyz "
        + "(searched PATH=/usr/bin:/bin)"
    }
  }

  // MARK: - Servers no one here wrote

  @Test func theTimeReferenceServerAnswers() async throws {
    let command = try MCPTestEnvironment.venvExecutable("mcp-server-time")
    let transport = StdioMCPTransport(
      command: command, arguments: [], workingDirectory: "/",
      environment: ["PATH": "/usr/bin:/bin"], logPath: nil)
    let client = MCPClient(transport: transport, roots: ["/"])
    let info = try await client.connect(timeout: .seconds(300))
    #expect(info.name == "mcp-time")
    let tools = try await client.listTools(timeout: .seconds(300))
    #expect(tools.map(\.name).contains("get_current_time"))
    #expect(tools.first { $0.name == "get_current_time" }?.readOnlyHint == true)
    let r = try await client.callTool(
      "get_current_time", arguments: ["timezone": "Etc/UTC"], timeout: .seconds(300))
    #expect(!r.isError)
    #expect(r.content.first?["text"]?.stringValue?.contains("Etc/UTC") == true)
    await client.close()
  }
}

/// Polls `probe` until it returns a value (generous bound: the machine may be loaded).
func waitFor<T>(
  _ what: String = #function, timeout: Duration = .seconds(120),
  _ probe: () async throws -> T?
) async throws -> T {
  let clock = ContinuousClock()
  let deadline = clock.now.advanced(by: timeout)
  while clock.now < deadline {
    if let v = try await probe() { return v }
    try await Task.sleep(for: .milliseconds(20))
  }
  throw WaitTimedOut(what: what)
}

struct WaitTimedOut: Error, CustomStringConvertible {
  var what: String
  var description: String { "condition not met in time: \(what)" }
}
