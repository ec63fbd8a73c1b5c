import CodexCore
import CodexTestSupport
import Foundation
import Synchronization
import Testing

/// A fake model that makes the given tool calls one per request, in order, and then answers
/// `Done` — on any wire. It records the tools offered and the outputs it was sent.
final class SequencedModel: Sendable {
  let wire: WireAPI
  let calls: [(name: String, arguments: JSON)]
  struct Seen {
    var offered: [[String]] = []
    var outputs: [String] = []
  }
  let seen = Mutex(Seen())

  init(_ wire: WireAPI, calls: [(name: String, arguments: JSON)]) {
    self.wire = wire
    self.calls = calls
  }

  var offered: [[String]] { seen.withLock { $0.offered } }
  var outputs: [String] { seen.withLock { $0.outputs } }

  func handle(_ req: RecordedRequest) -> FakeResponse {
    guard let body = req.bodyJSON else { return .text(400, "no body") }
    // Only the model's requests count (not a window lookup such as Ollama's /api/show).
    guard ["messages", "input", "contents", "inputs"].contains(where: { body[$0] != nil }) else {
      return .json(404, #"{"error":"not a model request"}"#)
    }
    let outputs = WireScript.toolOutputs(body)
    seen.withLock {
      $0.offered.append(WireScript.toolNames(body))
      $0.outputs = outputs
    }
    if outputs.count >= calls.count { return answer("Done") }
    let call = calls[outputs.count]
    return WireScript.calls(wire, [call], id: "call_\(outputs.count)")
  }

  func answer(_ text: String) -> FakeResponse { WireScript.answer(wire, text) }

}

@Suite(.serialized) struct MCPTests {
  func providerArgs(_ wire: WireAPI, _ base: String) -> (String, [String]) {
    WireScript.provider(wire, base)
  }

  static func toml(_ s: String) -> String { JSON.quoted(s) }

  func referenceServers(_ s: Scratch) throws -> String {
    let time = try MCPTestEnvironment.venvExecutable("mcp-server-time")
    let git = try MCPTestEnvironment.venvExecutable("mcp-server-git")
    return """
      [mcp_servers.time]
      command = \(Self.toml(time))
      args = ["--local-timezone", "Etc/UTC"]
      startup_timeout_sec = 300

      [mcp_servers.git]
      command = \(Self.toml(git))
      args = ["--repository", \(Self.toml(s.work))]
      startup_timeout_sec = 300

      """
  }

  func gitInit(_ s: Scratch) async throws {
    let r = try await ProcessRunner.run(
      ProcessSpec(
        executable: "/bin/sh",
        arguments: ["-c", "git init -q . && echo hi > new.txt"],
        workingDirectory: s.work, environment: ["PATH": "/usr/bin:/bin", "HOME": s.home],
        timeout: .seconds(30)))
    #expect(r.exitCode == 0, "\(r.outputText)")
  }

  @Test(arguments: WireAPI.allCases)
  func theReferenceServersToolsWorkOnEveryWire(_ wire: WireAPI) async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try await gitInit(s)
    let model = SequencedModel(
      wire,
      calls: [
        ("time__get_current_time", ["timezone": "Etc/UTC"]),
        ("git__git_status", ["repo_path": .string(s.work)]),
      ])
    let server = try FakeHTTPServer(handler: model.handle)
    defer { server.stop() }
    let (providerTOML, args) = providerArgs(wire, server.baseURL)
    try s.write("home/.codex/config.toml", providerTOML + (try referenceServers(s)))
    let r = try await s.run(
      args + ["-m", "m", "what time is it, and what is the git status?"],
      environment: ["OPENAI_API_KEY": "sk-x"], timeout: .seconds(300))
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout.hasSuffix("Done\n"), "\(r.stdout)")
    // Offered from the first request on.
    let first = try #require(model.offered.first)
    #expect(first.contains("time__get_current_time"), "\(first)")
    #expect(first.contains("git__git_status"))
    #expect(first.contains("shell"))
    let outputs = model.outputs
    #expect(outputs.count == 2)
    #expect(outputs.first?.contains("Etc/UTC") == true, "\(outputs)")
    #expect(outputs.last?.contains("new.txt") == true, "\(outputs)")
    #expect(r.stderr.contains("time.get_current_time"))
    #expect(r.stderr.contains("git.git_status"))
    // Server stderr goes to the log, not the terminal.
    #expect(FileManager.default.fileExists(atPath: s.codexHome + "/log/mcp-time.log"))
  }

  @Test func jsonModeEmitsMCPToolCallItems() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let python = try MCPTestEnvironment.venvExecutable("python")
    let model = SequencedModel(
      .chat, calls: [("sdk__add", ["a": 2, "b": 3]), ("sdk__fail", .object([:]))])
    let server = try FakeHTTPServer(handler: model.handle)
    defer { server.stop() }
    try s.write(
      "home/.codex/config.toml",
      """
      [mcp_servers.sdk]
      command = \(Self.toml(python))
      args = [\(Self.toml(MCPTestEnvironment.fixture("sdk_server.py")))]
      startup_timeout_sec = 300
      approve = "always"
      """)
    let r = try await s.run(
      ["--provider-url", server.baseURL + "/v1", "-m", "m", "--json", "add"],
      timeout: .seconds(300))
    #expect(r.exitCode == 0, "\(r.stderr)")
    let events = r.stdout.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
    let items = events.compactMap { e -> (String, JSON)? in
      guard let item = e["item"], item["type"] == "mcp_tool_call" else { return nil }
      return (e["type"]?.stringValue ?? "", item)
    }
    #expect(items.map(\.0) == ["item.started", "item.completed", "item.started", "item.completed"])
    let started = items[0].1
    #expect(started["server"] == "sdk")
    #expect(started["tool"] == "add")
    #expect(started["arguments"] == ["a": 2, "b": 3])
    #expect(started["status"] == "in_progress")
    #expect(started["result"] == .null)
    let done = items[1].1
    #expect(done["id"] == started["id"])
    #expect(done["status"] == "completed")
    #expect(done["result"]?["content"]?[0]?["text"] == "5")
    #expect(done["result"]?["structured_content"]?["result"] == 5)
    #expect(done["error"] == .null)
    #expect(items[3].1["status"] == "failed")
    #expect(model.outputs.last?.hasPrefix("The tool reported an error:") == true)
  }

  @Test func failuresAreOneLinePerServerAndTheSessionGoesOn() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let python = try MCPTestEnvironment.venvExecutable("python")
    let scripted = MCPTestEnvironment.fixture("scripted_server.py")
    let sdk = MCPTestEnvironment.fixture("sdk_server.py")
    let model = SequencedModel(
      .chat, calls: [("crashy__crash", .object([:])), ("good__echo", ["text": "still here"])])
    let server = try FakeHTTPServer(handler: model.handle)
    defer { server.stop() }
    try s.write(
      "home/.codex/config.toml",
      """
      [mcp_servers.missing]
      command = "no-such-mcp-server-xyz"

      [mcp_servers.hung]
      command = \(Self.toml(python))
      args = [\(Self.toml(scripted)), "hang"]
      startup_timeout_sec = 1

      [mcp_servers.garbage]
      command = \(Self.toml(python))
      args = [\(Self.toml(scripted)), "bad-json"]

      [mcp_servers.crashy]
      command = \(Self.toml(python))
      args = [\(Self.toml(sdk))]
      startup_timeout_sec = 300
      approve = "always"

      [mcp_servers.good]
      command = \(Self.toml(python))
      args = [\(Self.toml(scripted))]
      startup_timeout_sec = 300

      [mcp_servers.off]
      command = "no-such-either"
      enabled = false
      """)
    let r = try await s.run(
      ["--provider-url", server.baseURL + "/v1", "-m", "m", "go"], timeout: .seconds(300))
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout.hasSuffix("Done\n"))
    let warnings = r.stderr.split(separator: "\n").filter { $0.contains("MCP server") }
    #expect(
      warnings.contains {
        $0.contains(
          "'missing' failed to start: could not start: command not found: no-such-mcp-server-xyz")
      }, "\(r.stderr)")
    #expect(warnings.contains { $0.contains("'hung' is not ready after 1s") }, "\(r.stderr)")
    #expect(warnings.contains { $0.contains("'garbage'") && $0.contains("not MCP") }, "\(r.stderr)")
    #expect(
      warnings.contains { $0.contains("'crashy' stopped") && $0.contains("exited with status 3") },
      "\(r.stderr)")
    #expect(!r.stderr.contains("'off'"))
    #expect(model.outputs.first?.contains("failed") == true, "\(model.outputs)")
    #expect(model.outputs.last?.contains("still here") == true, "\(model.outputs)")
    // The crashed server's tools are withdrawn from the next request.
    #expect(model.offered.first?.contains("crashy__crash") == true)
    #expect(model.offered.last?.contains("crashy__crash") == false)
    #expect(model.offered.last?.contains("good__echo") == true)
  }

  @Test func untrustedAsksAndWithoutATerminalTheModelIsToldNo() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let model = SequencedModel(.chat, calls: [("time__get_current_time", ["timezone": "Etc/UTC"])])
    let server = try FakeHTTPServer(handler: model.handle)
    defer { server.stop() }
    try s.write("home/.codex/config.toml", try referenceServers(s))
    let r = try await s.run(
      ["--provider-url", server.baseURL + "/v1", "-m", "m", "-a", "untrusted", "time?"],
      timeout: .seconds(300))
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(
      r.stderr.contains(
        "not run (needs approval, and there is no terminal to ask): MCP tool time.get_current_time"),
      "\(r.stderr)")
    #expect(model.outputs.first?.contains("declined") == true)
  }

  @Test func serversDoNotOutliveTheSession() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let python = try MCPTestEnvironment.venvExecutable("python")
    let model = SequencedModel(.chat, calls: [("a__echo", ["text": "x"])])
    let server = try FakeHTTPServer(handler: model.handle)
    defer { server.stop() }
    // The server starts a background child; both must be gone when codex has exited.
    let wrapper =
      "sleep 300 & echo $! > \(s.root)/child.pid; echo $$ > \(s.root)/server.pid; exec \(Self.shellQuote(python)) \(Self.shellQuote(MCPTestEnvironment.fixture("scripted_server.py")))"
    try s.write(
      "home/.codex/config.toml",
      """
      [mcp_servers.a]
      command = "/bin/sh"
      args = ["-c", \(Self.toml(wrapper))]
      startup_timeout_sec = 300
      """)
    let r = try await s.run(
      ["--provider-url", server.baseURL + "/v1", "-m", "m", "go"], timeout: .seconds(300))
    #expect(r.exitCode == 0, "\(r.stderr)")
    for file in ["server.pid", "child.pid"] {
      let pid = try #require(s.read(file)?.trimmingCharacters(in: .whitespacesAndNewlines))
      // Reaped or a zombie of init: either way it no longer runs.
      let state = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
      #expect(state == nil || state?.contains(") Z") == true, "\(file) \(pid) still runs")
    }
  }

  @Test func interactiveCtrlCCancelsTheCallAndSlashMCPListsTheServers() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let python = try MCPTestEnvironment.venvExecutable("python")
    let trace = s.root + "/trace.jsonl"
    let model = SequencedModel(.chat, calls: [("s__wait", .object([:]))])
    let server = try FakeHTTPServer(handler: model.handle)
    defer { server.stop() }
    try s.write(
      "home/.codex/config.toml",
      """
      approval_policy = "never"

      [mcp_servers.s]
      command = \(Self.toml(python))
      args = [\(Self.toml(MCPTestEnvironment.fixture("scripted_server.py")))]
      env = { MCP_TRACE = \(Self.toml(trace)) }
      startup_timeout_sec = 300
      """)
    let pty = try PseudoTerminal(
      executable: try requireCodexBinary(),
      arguments: ["--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m"],
      environment: [
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": s.home, "CODEX_HOME": s.codexHome,
        "TERM": "xterm-256color",
      ], workingDirectory: s.work)
    try pty.expect("Ctrl-D to exit", timeout: .seconds(60))
    try pty.expect("›")
    pty.send("wait for it\r")
    try pty.expect("s.wait", timeout: .seconds(60))
    // Ctrl-C once the server has the call (earlier, the call is simply never sent).
    _ = try await waitForTrace(trace) { $0["method"] == "tools/call" }
    pty.send("\u{03}")
    try pty.expect("interrupted", timeout: .seconds(30))
    let cancelled = try await waitForTrace(trace) { $0["method"] == "notifications/cancelled" }
    #expect(cancelled["params"]?["reason"] == "the user interrupted the call")
    try pty.expect("›")
    pty.send("/mcp\r")
    try pty.expect("s__ask-back", timeout: .seconds(30))
    pty.send("\u{04}")
    #expect(try pty.waitForExit(timeout: .seconds(60)) == 0)
  }

  /// The first message in the scripted server's trace that matches.
  func waitForTrace(_ path: String, _ match: (JSON) -> Bool) async throws -> JSON {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: .seconds(30))
    while clock.now < deadline {
      let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
      for line in text.split(separator: "\n") {
        if let j = try? JSON.parse(String(line)), match(j) { return j }
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw TraceTimedOut()
  }

  struct TraceTimedOut: Error {}

  static func shellQuote(_ s: String) -> String { "'" + s.replacing("'", with: "'\\''") + "'" }

  @Test func mcpCommandsEditTheConfigByteForByte() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let original = "# mine\nmodel = \"m\"   # keep this spacing\n\n[tui]\nx = 1\n"
    try s.write("home/.codex/config.toml", original)
    var r = try await s.run([
      "mcp", "add", "time", "--env", "TZ=UTC", "--", "uvx", "mcp-server-time", "--local-timezone",
      "UTC",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout.contains("Added MCP server 'time'"))
    r = try await s.run(["mcp", "add", "docs", "--url", "https://example.com/mcp"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    let text = try #require(s.read("home/.codex/config.toml"))
    #expect(text.hasPrefix(original))
    #expect(
      text.contains(
        "[mcp_servers.time]\ncommand = \"uvx\"\nargs = [\"mcp-server-time\", \"--local-timezone\", \"UTC\"]\nenv = { TZ = \"UTC\" }\n"
      ))

    r = try await s.run(["mcp", "list"])
    #expect(r.stdout.contains("time"))
    #expect(r.stdout.contains("uvx mcp-server-time --local-timezone UTC"))
    #expect(r.stdout.contains("https://example.com/mcp"))
    r = try await s.run(["mcp", "list", "--json"])
    let list = try JSON.parse(r.stdout)
    #expect(list[0]?["name"] == "time")
    #expect(list[1]?["transport"]?["url"] == "https://example.com/mcp")
    r = try await s.run(["mcp", "get", "time"])
    #expect(r.stdout.contains("command: uvx"))
    #expect(!r.stdout.contains("UTC\n  env: UTC"))  // env values are not shown
    r = try await s.run(["mcp", "get", "nope"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("no MCP server named 'nope'; configured: time, docs"))

    r = try await s.run(["mcp", "add", "time", "--", "other"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("already configured"))
    r = try await s.run(["mcp", "add", "bad name", "--", "x"])
    #expect(r.exitCode == 2)

    r = try await s.run(["mcp", "remove", "time"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    r = try await s.run(["mcp", "remove", "docs"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("home/.codex/config.toml") == original)
    r = try await s.run(["mcp", "remove", "docs"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("no MCP server named 'docs'"))
  }
}
