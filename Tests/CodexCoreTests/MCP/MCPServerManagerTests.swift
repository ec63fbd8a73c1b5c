import CodexTestSupport
import Foundation
import Synchronization
import Testing

@testable import CodexCore

/// The manager and the tool runner with real (scripted) servers: startup waits, late joins,
/// list_changed, filtering, naming across servers, approvals and failures.
@Suite struct MCPServerManagerTests {
  func stdio(_ name: String, _ mode: String, env: [String: String] = [:]) throws -> MCPServerConfig
  {
    let python = try MCPTestEnvironment.venvExecutable("python")
    return MCPServerConfig(
      name: name,
      transport: .stdio(
        .init(
          command: python, args: [MCPTestEnvironment.fixture("scripted_server.py"), mode],
          env: env)),
      startupTimeout: .seconds(300))
  }

  func manager(_ servers: [MCPServerConfig]) -> MCPServerManager {
    MCPServerManager(
      servers: servers, environment: ["PATH": "/usr/bin:/bin"], cwd: "/", logDirectory: nil,
      http: CurlTransport(), reservedNames: ["shell"])
  }

  final class Recorder: Sendable {
    let events = Mutex<[AgentEvent]>([])
    var emit: @Sendable (AgentEvent) -> Void { { e in self.events.withLock { $0.append(e) } } }
    var warnings: [String] {
      events.withLock { $0 }.compactMap {
        if case .warning(let w) = $0 { return w } else { return nil }
      }
    }
  }

  struct StubShell: Tool {
    var spec: ToolSpec { ToolSpec(name: "shell", description: "", parameters: ["type": "object"]) }
    func run(_ call: ToolInvocation, context: ToolContext) async throws -> ToolOutput {
      ToolOutput("base ran \(call.name)")
    }
  }

  /// The session's toolbox with `m`'s tools attached.
  func toolbox(_ m: MCPServerManager, _ policy: ApprovalPolicy) -> Toolbox {
    let box = Toolbox([StubShell()])
    m.attach(to: box) { policy }
    m.start()
    return box
  }

  final class CountingApprovals: ApprovalHandler {
    let answer: ApprovalAnswer
    let asked = Mutex<[ApprovalRequest]>([])
    init(_ answer: ApprovalAnswer) { self.answer = answer }
    func decide(_ request: ApprovalRequest) async -> ApprovalAnswer {
      asked.withLock { $0.append(request) }
      return answer
    }
  }

  @Test func aSlowServerIsReportedThenJoinsALaterRequest() async throws {
    let gate = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mcp-gate-\(UUID().uuidString)"
    ).path
    defer { try? FileManager.default.removeItem(atPath: gate) }
    var slow = try stdio("slow", "slow-start", env: ["MCP_GATE": gate])
    slow.startupTimeout = .milliseconds(300)
    let m = manager([slow, try stdio("fast", "normal")])
    let runner = toolbox(m, .onRequest)
    let rec = Recorder()
    await runner.prepareForRequest(emit: rec.emit)
    #expect(
      rec.warnings.contains { $0.contains("'slow' is not ready after 0.3s") }, "\(rec.warnings)")
    let first = runner.specs(for: .chat).map(\.name)
    #expect(first.contains("fast__echo"))
    #expect(!first.contains { $0.hasPrefix("slow__") })
    #expect(FileManager.default.createFile(atPath: gate, contents: nil))
    _ = try await waitFor { m.tools.contains { $0.server == "slow" } ? true : nil }
    await runner.prepareForRequest(emit: rec.emit)
    #expect(rec.warnings.contains { $0.contains("'slow' is ready now; its 5 tools are offered") })
    #expect(runner.specs(for: .chat).map(\.name).contains("slow__echo"))
    await m.shutdown()
  }

  @Test func listChangedBringsNewToolsWithSanitizedNames() async throws {
    let m = manager([try stdio("g", "grows")])
    let runner = toolbox(m, .never)
    let rec = Recorder()
    await runner.prepareForRequest(emit: rec.emit)
    #expect(!runner.specs.map(\.name).contains("g__late_tool"))
    let out = try await runner.call(
      ToolCall(id: "1", name: "g__echo", arguments: #"{"text":"hi"}"#),
      context: ToolContext(emit: rec.emit, approvals: FixedApproval(.no)))
    #expect(out == #"{"text": "hi"}"#)
    _ = try await waitFor { runner.specs.map(\.name).contains("g__late_tool") ? true : nil }
    await m.shutdown()
  }

  @Test func enabledAndDisabledToolsFilterWhatIsOffered() async throws {
    var s = try stdio("f", "normal")
    s.enabledTools = ["echo", "wait", "noisy"]
    s.disabledTools = ["wait"]
    let m = manager([s])
    m.start()
    await m.waitForStartup()
    #expect(m.tools.map(\.name) == ["f__echo", "f__noisy"])
    await m.shutdown()
  }

  @Test func sameToolNamesOnTwoServersStayApart() async throws {
    let m = manager([try stdio("a", "normal"), try stdio("b", "normal")])
    m.start()
    await m.waitForStartup()
    let names = m.tools.map(\.name)
    #expect(names.contains("a__echo") && names.contains("b__echo"))
    #expect(Set(names).count == names.count)
    await m.shutdown()
  }

  @Test func approvalFollowsTheReadOnlyHintAndTheConfig() async throws {
    var s = try stdio("s", "normal")
    s.toolApprovals = ["noisy": .always]
    let m = manager([s])
    let runner = toolbox(m, .onRequest)
    await runner.prepareForRequest(emit: { _ in })
    let approvals = CountingApprovals(.no)
    let rec = Recorder()
    let context = ToolContext(emit: rec.emit, approvals: approvals)
    // echo says readOnlyHint: runs without asking.
    _ = try await runner.call(ToolCall(id: "1", name: "s__echo", arguments: "{}"), context: context)
    // noisy has no hint, but the config trusts it.
    _ = try await runner.call(
      ToolCall(id: "2", name: "s__noisy", arguments: "{}"), context: context)
    #expect(approvals.asked.withLock { $0.isEmpty })
    // everything has no hint: asked, with the server, tool and arguments; declined.
    let out = try await runner.call(
      ToolCall(id: "3", name: "s__everything", arguments: #"{"x":"\u001b[2J"}"#), context: context)
    let asked = try #require(approvals.asked.withLock { $0.first })
    guard case .mcpTool(let call) = asked.subject else {
      Issue.record("asked about \(asked.subject)")
      return
    }
    #expect(call.server == "s")
    #expect(call.tool == "everything")
    #expect(call.arguments == ["x": "\u{1b}[2J"])
    #expect(asked.choices == [.yes, .yesAlways, .no, .abort])
    #expect(out.contains("declined"))
    await m.shutdown()
  }

  @Test func yesAlwaysApprovesThatToolForTheSession() async throws {
    let m = manager([try stdio("s", "normal")])
    let runner = toolbox(m, .untrusted)
    await runner.prepareForRequest(emit: { _ in })
    let approvals = CountingApprovals(.yesAlways)
    let context = ToolContext(emit: { _ in }, approvals: approvals)
    for i in 0..<3 {
      let out = try await runner.call(
        ToolCall(id: "\(i)", name: "s__echo", arguments: "{}"), context: context)
      #expect(out == "{}")
    }
    #expect(approvals.asked.withLock { $0.count } == 1)
    await m.shutdown()
  }

  @Test func abortAtThePromptStopsTheTurn() async throws {
    let m = manager([try stdio("s", "normal")])
    let runner = toolbox(m, .untrusted)
    await runner.prepareForRequest(emit: { _ in })
    await #expect(throws: TurnAborted.self) {
      _ = try await runner.call(
        ToolCall(id: "1", name: "s__echo", arguments: "{}"),
        context: ToolContext(emit: { _ in }, approvals: FixedApproval(.abort)))
    }
    await m.shutdown()
  }

  @Test func badArgumentsAndOtherToolsAreHandled() async throws {
    let m = manager([try stdio("s", "normal")])
    let runner = toolbox(m, .never)
    await runner.prepareForRequest(emit: { _ in })
    let rec = Recorder()
    let context = ToolContext(emit: rec.emit, approvals: FixedApproval(.no))
    let bad = try await runner.call(
      ToolCall(id: "1", name: "s__echo", arguments: "[1,2"), context: context)
    #expect(bad.hasPrefix("The call to 's__echo' was not run: its arguments are not valid JSON"))
    let notObject = try await runner.call(
      ToolCall(id: "2", name: "s__echo", arguments: "[1]"), context: context)
    #expect(notObject.contains("the arguments must be a JSON object"))
    #expect(
      try await runner.call(ToolCall(id: "3", name: "shell", arguments: "{}"), context: context)
        == "base ran shell")
    let empty = try await runner.call(
      ToolCall(id: "4", name: "s__echo", arguments: ""), context: context)
    #expect(empty == "{}")
    await m.shutdown()
  }

  @Test func aCancelledCallIsReportedAndRethrown() async throws {
    let m = manager([try stdio("s", "normal")])
    let runner = toolbox(m, .never)
    await runner.prepareForRequest(emit: { _ in })
    let rec = Recorder()
    let task = Task {
      try await runner.call(
        ToolCall(id: "1", name: "s__wait", arguments: "{}"),
        context: ToolContext(emit: rec.emit, approvals: FixedApproval(.no)))
    }
    _ = try await waitFor {
      rec.events.withLock { $0 }.contains { if case .mcpToolCallBegin = $0 { true } else { false } }
        ? true : nil
    }
    task.cancel()
    await #expect(throws: CancellationError.self) { _ = try await task.value }
    let end = rec.events.withLock { $0 }.compactMap { e -> MCPToolCallEnd? in
      if case .mcpToolCallEnd(let x) = e { return x } else { return nil }
    }
    #expect(end.first?.error == "interrupted")
    await m.shutdown()
  }

  @Test func anHTTPServerWithoutItsTokenFailsInOneLine() async throws {
    let s = MCPServerConfig(
      name: "remote",
      transport: .http(.init(url: "http://127.0.0.1:9/mcp", bearerTokenEnvVar: "NOPE_TOKEN")))
    let m = manager([s])
    m.start()
    await m.waitForStartup()
    let notices = m.takeNotices()
    #expect(
      notices == [
        "MCP server 'remote' failed to start: could not start: $NOPE_TOKEN (bearer_token_env_var) "
          + "is not set; export it or remove the key"
      ])
    #expect(m.statuses.first?.state != .ready)
  }
}

extension Toolbox {
  /// A call through the toolbox's gate, as the session makes it: the output text, or what the
  /// model is told about a call that did not pass.
  func call(_ call: ToolCall, context: ToolContext) async throws -> String {
    switch prepare(call) {
    case .success(let prepared): return try await run(prepared, context: context).text
    case .failure(let rejection): return rejection.message(cutOff: false)
    }
  }
}
