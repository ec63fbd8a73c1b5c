import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// The interactive session driven through a real pseudo-terminal, as a person would: keys go in
/// as bytes (Enter is `\r`, Ctrl-C 0x03, Ctrl-D 0x04), and the screen is matched as text with
/// escape codes removed.
@Suite(.serialized) struct InteractivePTYTests {
  static let up = "\u{1B}[A"
  static let ctrlC = "\u{03}"
  static let ctrlD = "\u{04}"
  static let ctrlU = "\u{15}"

  func start(
    _ s: Scratch, _ server: FakeHTTPServer, _ extra: [String] = [],
    environment: [String: String] = [:]
  ) throws -> PseudoTerminal {
    var env = [
      "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": s.home, "CODEX_HOME": s.codexHome,
      "TERM": "xterm-256color",
    ]
    for (k, v) in environment { env[k] = v }
    return try PseudoTerminal(
      executable: try requireCodexBinary(),
      arguments: ["--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m"]
        + extra,
      environment: env, workingDirectory: s.work)
  }

  static func lastUserText(_ request: RecordedRequest?) -> String? {
    request?.bodyJSON?["messages"]?.arrayValue?.last(where: { $0["role"] == "user" })?[
      "content"]?.stringValue
  }

  @Test func promptsStreamSwitchModelRecallHistoryAndExit() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write(
      "home/.codex/history.jsonl", #"{"session_id":"old","ts":1,"text":"earlier prompt"}"# + "\n")
    let server = try FakeHTTPServer { req in
      req.path == "/v1/chat/completions"
        ? .sse(chatSSE(["Hello ", "from the **fake** ", "model"])) : .json(404, "{}")
    }
    defer { server.stop() }
    let pty = try start(s, server)
    try pty.expect("Ctrl-D to exit")
    try pty.expect("›")

    // A prompt from an earlier session comes back with Up; Ctrl-U clears it again.
    pty.send(Self.up)
    try pty.expect("earlier prompt")
    pty.send(Self.ctrlU + "say hi\r")
    try pty.expect("Hello from the fake model")
    #expect(Self.lastUserText(server.modelRequests.last) == "say hi")

    // Up recalls this session's prompt; Enter sends it again.
    try pty.expect("›")
    pty.send(Self.up + "\r")
    try pty.expect("Hello from the fake model")
    #expect(server.modelRequests.count == 2)
    #expect(Self.lastUserText(server.modelRequests.last) == "say hi")

    try pty.expect("›")
    pty.send("/model other\r")
    try pty.expect("model: other")
    try pty.expect("›")
    pty.send("and now?\r")
    try pty.expect("Hello from the fake model")
    let last = try #require(server.modelRequests.last?.bodyJSON)
    #expect(last["model"] == "other")
    #expect(Self.lastUserText(server.modelRequests.last) == "and now?")

    // Pasted lines and a trailing backslash make one multi-line prompt.
    try pty.expect("›")
    pty.send("\u{1B}[200~line one\rline two\u{1B}[201~\r")
    try pty.expect("Hello from the fake model")
    #expect(Self.lastUserText(server.modelRequests.last) == "line one\nline two")
    try pty.expect("›")
    pty.send("first\\\rsecond\r")
    try pty.expect("Hello from the fake model")
    #expect(Self.lastUserText(server.modelRequests.last) == "first\nsecond")

    try pty.expect("›")
    pty.send(Self.ctrlD)
    try pty.expect("Token usage: total=40 input=25 output=15")
    #expect(try pty.waitForExit() == 0)

    let lines = (s.read("home/.codex/history.jsonl") ?? "").split(separator: "\n")
    #expect(lines.count == 6)
    let texts = lines.compactMap { try? JSON.parse(String($0))["text"]?.stringValue }
    #expect(
      texts == [
        "earlier prompt", "say hi", "say hi", "and now?", "line one\nline two", "first\nsecond",
      ])
    #expect(
      lines.dropFirst().allSatisfy { $0.contains(#""session_id":""#) && !$0.contains(#""old""#) })
  }

  /// `/model PROVIDER/MODEL` switches provider as `--model` would, with that model's options.
  @Test func modelWithAProviderPrefixSwitchesProvider() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let first = try FakeHTTPServer { req in
      req.path == "/v1/chat/completions" ? .sse(chatSSE(["from first"])) : .json(404, "{}")
    }
    let second = try FakeHTTPServer { req in
      req.path == "/v1/chat/completions" ? .sse(chatSSE(["from second"])) : .json(404, "{}")
    }
    defer {
      first.stop()
      second.stop()
    }
    try s.write(
      "home/.codex/config.toml",
      """
      [model_providers.box]
      base_url = "\(second.baseURL)/v1"
      [models.m2]
      temperature = 0.25
      """)
    let pty = try start(s, first)
    try pty.expect("›")
    pty.send("/model box/m2\r")
    try pty.expect("provider: box")
    try pty.expect("model: m2")
    try pty.expect("›")
    pty.send("hello\r")
    try pty.expect("from second")
    let sent = try #require(second.modelRequests.last?.bodyJSON)
    #expect(sent["model"] == "m2")
    #expect(sent["temperature"] == 0.25)
    #expect(first.modelRequests.isEmpty)
    try pty.expect("›")
    pty.send(Self.ctrlD)
    #expect(try pty.waitForExit() == 0)
  }

  @Test func approvalPromptRunsTheCommandWhenAnsweredYes() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer(
      handler: ScriptedModel.handler(wire: .chat, script: "touch made-by-codex.txt"))
    defer { server.stop() }
    let pty = try start(s, server, ["-a", "untrusted", "-s", "danger-full-access"])
    try pty.expect("›")
    pty.send("make the file\r")
    try pty.expect("Allow this command?")
    try pty.expect("touch made-by-codex.txt")
    try pty.expect("[q] abort turn:")
    pty.send("y\r")
    try pty.expect("Done: ok")
    #expect(FileManager.default.fileExists(atPath: s.work + "/made-by-codex.txt"))
    try pty.expect("›")
    pty.send(Self.ctrlD)
    #expect(try pty.waitForExit() == 0)
  }

  @Test func ctrlCInterruptsAHangingStreamAndTheNextPromptWorks() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let calls = Counter()
    let server = try FakeHTTPServer { req in
      guard req.path == "/v1/chat/completions" else { return .json(404, "{}") }
      if calls.next() == 0 {
        return .sse(
          [#"{"choices":[{"index":0,"delta":{"content":"Let me think"},"finish_reason":null}]}"#],
          then: [.hang])
      }
      return .sse(chatSSE(["second answer"]))
    }
    defer { server.stop() }
    let pty = try start(s, server)
    try pty.expect("›")
    // Ctrl-Z hands the terminal back and stops the job; this process group has no shell to
    // stop it for (it is orphaned, so the kernel ignores the stop), which shows the editor
    // taking the terminal back afterwards with the line intact. Ctrl-L clears the screen.
    pty.send("draft\u{1A}")
    try pty.expect("draft")
    pty.send("\u{0C}!")
    try pty.expect("› draft!")
    #expect(pty.rawText.contains("\u{1B}[2J"))
    pty.send(Self.ctrlU + "take your time\r")
    try pty.expect("Let me think")
    pty.send(Self.ctrlC)
    try pty.expect("interrupted")
    try pty.expect("›")
    pty.send("again\r")
    try pty.expect("second answer")
    #expect(server.modelRequests.count == 2)
    try pty.expect("›")
    pty.send(Self.ctrlD)
    try pty.expect("Token usage")
    #expect(try pty.waitForExit() == 0)
  }

  @Test func dumbTerminalGetsPlainLinesWithoutEscapeCodes() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      req.path == "/v1/chat/completions"
        ? .sse(chatSSE(["# Title\n", "Some **bold** and `code`.\n"])) : .json(404, "{}")
    }
    defer { server.stop() }
    let pty = try start(s, server, environment: ["TERM": "dumb"])
    try pty.expect("›")
    pty.send("hello\r")
    try pty.expect("Some **bold** and `code`.")
    try pty.expect("›")
    pty.send("/nope\r")
    try pty.expect("unknown command /nope")
    // Ctrl-D at the start of a line ends input in the terminal's own line mode too.
    pty.send(Self.ctrlD)
    try pty.expect("Token usage")
    #expect(try pty.waitForExit() == 0)
    #expect(!pty.rawText.contains("\u{1B}"))
    #expect(pty.text.contains("# Title"))
  }

  @Test func spinnerShowsWhileWaitingAndIsErasedBeforeTheAnswer() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let gate = try FakeGate()
    let server = try FakeHTTPServer { req in
      guard req.path == "/v1/chat/completions" else { return .json(404, "{}") }
      return .stream(
        headers: [("Content-Type", "text/event-stream")],
        steps: [.wait(gate)] + chatSSE(["The answer"]).map { .send("data: \($0)\n\n") })
    }
    defer { server.stop() }
    let pty = try start(s, server)
    try pty.expect("›")
    pty.send("question\r")
    try pty.expect("working")
    gate.open()
    try pty.expect("The answer")
    // Erased with spaces and a carriage return, then the answer from the first column.
    #expect(pty.rawText.contains(" \rThe answer"))
    try pty.expect("›")
    pty.send(Self.ctrlD)
    #expect(try pty.waitForExit() == 0)
  }

  @Test func slashCommandsSwitchProviderAndApprovalPolicy() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let scripted = ScriptedModel.handler(wire: .chat, script: "touch by-policy.txt")
    let server = try FakeHTTPServer { req in
      req.path.hasPrefix("/v2/") ? .sse(chatSSE(["from the second provider"])) : scripted(req)
    }
    defer { server.stop() }
    try s.write(
      "home/.codex/config.toml",
      """
      [model_providers.second]
      name = "Second"
      base_url = "\(server.baseURL)/v2"
      wire_api = "chat"
      """)
    let pty = try start(s, server, ["-a", "untrusted", "-s", "danger-full-access"])
    try pty.expect("›")
    pty.send("/approvals\r")
    try pty.expect("approvals: untrusted")
    pty.send("/approvals never\r")
    try pty.expect("approvals: never")
    pty.send("make it\r")
    try pty.expect("Done: ok")
    #expect(FileManager.default.fileExists(atPath: s.work + "/by-policy.txt"))
    #expect(!pty.text.contains("Allow this command?"))

    pty.send("/provider\r")
    try pty.expect("second Second")
    try pty.expect("switch with /provider")
    pty.send("/provider second m2\r")
    try pty.expect("provider: second")
    pty.send("hello\r")
    try pty.expect("from the second provider")
    #expect(server.modelRequests.last?.path == "/v2/chat/completions")
    #expect(server.modelRequests.last?.bodyJSON?["model"] == "m2")

    pty.send("/status\r")
    try pty.expect("Second (second)")
    try pty.expect("/v2")
    try pty.expect("m2")
    try pty.expect("never")
    try pty.expect("danger-full-access")
    pty.send("/bogus\r")
    try pty.expect("unknown command /bogus")
    pty.send("/quit\r")
    try pty.expect("Token usage")
    #expect(try pty.waitForExit() == 0)
  }

  @Test func theTerminalIsRestoredOnExitAndWhenTerminated() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .json(404, "{}") }
    defer { server.stop() }
    for ending in ["ctrl-d", "SIGTERM", "SIGSEGV"] {
      // Swift's backtracer would wait for a key on a terminal; without it the crash signal is
      // passed on to the default action, which must still end the process.
      let pty = try start(s, server, environment: ["SWIFT_BACKTRACE": "enable=no"])
      try pty.expect("›")
      // Raw mode at the prompt: the editor does its own echo.
      #expect(pty.lineModes?.echo == false, "\(ending)")
      if ending == "ctrl-d" {
        pty.send(Self.ctrlD)
        #expect(try pty.waitForExit() == 0)
      } else {
        let sig = ending == "SIGTERM" ? SIGTERM : SIGSEGV
        pty.signal(sig)
        #expect(try pty.waitForExit() == 128 + sig, "\(ending)")
      }
      #expect(pty.lineModes?.echo == true, "\(ending)")
      #expect(pty.lineModes?.canonical == true, "\(ending)")
      #expect(pty.rawText.contains("\u{1B}[?2004l"), "bracketed paste is switched off")
    }
  }

  @Test func aFirstPromptFromTheCommandLineRunsAndIsShown() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      req.path == "/v1/chat/completions" ? .sse(chatSSE(["first answer"])) : .json(404, "{}")
    }
    defer { server.stop() }
    let pty = try start(s, server, ["-i", "the first question"])
    try pty.expect("› the first question")
    try pty.expect("first answer")
    try pty.expect("›")
    pty.send(Self.ctrlD)
    #expect(try pty.waitForExit() == 0)
    #expect(Self.lastUserText(server.modelRequests.first) == "the first question")
  }

  @Test func ctrlCStopsASlashCommandWaitingOnTheServer() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      req.path == "/v1/models" ? .stream(steps: [.hang]) : .sse(chatSSE(["still here"]))
    }
    defer { server.stop() }
    let pty = try start(s, server)
    try pty.expect("›")
    pty.send("/model\r")
    #expect(await server.wait { $0.requests.contains { $0.path == "/v1/models" } })
    pty.send(Self.ctrlC)
    try pty.expect("interrupted")
    try pty.expect("›")
    pty.send("hi\r")
    try pty.expect("still here")
    pty.send(Self.ctrlD)
    #expect(try pty.waitForExit() == 0)
  }
}
