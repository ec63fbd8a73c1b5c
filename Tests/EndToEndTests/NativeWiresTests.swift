import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

/// The Anthropic and Gemini wires through the built binary: what the second request of a
/// tool loop carries back, what a session file keeps, what the user sees.
@Suite(.serialized) struct NativeWiresTests {
  func hosted(_ s: Scratch, _ id: String, _ server: FakeHTTPServer) throws {
    try s.write(
      "home/.codex/config.toml",
      "model_provider = \"\(id)\"\n[model_providers.\(id)]\nbase_url = \"\(server.baseURL)\"\n")
  }

  static func args(_ script: String) -> JSON { ["command": ["bash", "-lc", .string(script)]] }

  @Test func anthropicThinkingGoesBackSignedAndSurvivesResume() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      guard let body = req.bodyJSON else { return .json(400, "{}") }
      if NativeWireStreams.toolOutputs(body).isEmpty {
        return NativeWireStreams.anthropicCalls([Self.args("echo hi > a.txt")])
      }
      return NativeWireStreams.anthropicText("Done.", thinking: "It worked.", signature: "sig-2")
    }
    defer { server.stop() }
    try hosted(s, "anthropic", server)
    let env = ["ANTHROPIC_API_KEY": "sk-ant-test"]
    let r = try await s.run(["-m", "claude-x", "--full-auto", "make a.txt"], environment: env)
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout.hasSuffix("Done.\n"), "\(r.stdout)")
    #expect(s.read("work/a.txt") == "hi\n")
    #expect(r.stderr.contains("I should run it."), "thinking is shown as reasoning")
    #expect(server.modelRequests.count == 2)
    let second = try #require(server.modelRequests.last)
    #expect(second.header("x-api-key") == "sk-ant-test")
    #expect(second.bodyJSON?["system"]?[0]?["cache_control"] == ["type": "ephemeral"])
    let assistant = try #require(second.bodyJSON?["messages"]?[1])
    #expect(assistant["role"] == "assistant")
    #expect(
      assistant["content"]?[0]
        == ["type": "thinking", "thinking": "I should run it.", "signature": "EqQBsig=="])
    #expect(assistant["content"]?[1]?["type"] == "tool_use")

    // The session file keeps the signed thinking, and a resumed session sends it again.
    let path = try #require(Rollout.list(codexHome: s.codexHome).first)
    let saved = try #require(Rollout.load(path: path))
    guard case .assistant(let a) = saved.history[1] else {
      Issue.record("no assistant message saved")
      return
    }
    #expect(a.wireState?.wire == .anthropic)
    let r2 = try await s.run(["-m", "claude-x", "resume", "--last", "again"], environment: env)
    #expect(r2.exitCode == 0, "\(r2.stderr)")
    let third = try #require(server.modelRequests.last?.bodyJSON?["messages"]?.arrayValue)
    #expect(
      third.map { $0["role"]?.stringValue ?? "" } == [
        "user", "assistant", "user", "assistant", "user",
      ])
    #expect(third[1]["content"]?[0]?["signature"] == "EqQBsig==")
    #expect(third[3]["content"]?[0]?["signature"] == "sig-2")
    // The tool result and nothing else sit between the two answers; "again" closes the list.
    #expect(
      third[4]["content"]?[0] == [
        "type": "text", "text": "again", "cache_control": ["type": "ephemeral"],
      ])
  }

  @Test func anthropicParallelCallsAreAnsweredInOneUserMessage() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      guard let body = req.bodyJSON else { return .json(400, "{}") }
      if NativeWireStreams.toolOutputs(body).isEmpty {
        return NativeWireStreams.anthropicCalls([
          Self.args("echo one >> log.txt"), Self.args("echo two >> log.txt; exit 3"),
        ])
      }
      return NativeWireStreams.anthropicText("both ran")
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "anthropic", "--provider-url", server.baseURL, "-m", "m", "--full-auto", "go",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("work/log.txt") == "one\ntwo\n")
    let msgs = try #require(server.modelRequests.last?.bodyJSON?["messages"]?.arrayValue)
    #expect(msgs.count == 3)
    let results = try #require(msgs[2]["content"]?.arrayValue)
    #expect(results.map { $0["tool_use_id"]?.stringValue } == ["toolu_0", "toolu_1"])
    #expect(results[0]["is_error"] == nil)
    #expect(results[1]["is_error"] == true)
  }

  @Test func geminiSignatureAndParallelResponsesWithUsageInJSONEvents() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      guard let body = req.bodyJSON else { return .json(400, "{}") }
      if NativeWireStreams.toolOutputs(body).isEmpty {
        return NativeWireStreams.geminiCalls(
          [Self.args("echo one >> log.txt"), Self.args("echo two >> log.txt")], ids: true)
      }
      return NativeWireStreams.geminiText("both done")
    }
    defer { server.stop() }
    try hosted(s, "gemini", server)
    let r = try await s.run(
      ["exec", "--json", "-m", "gemini-2.5-flash", "--full-auto", "go"],
      environment: ["GOOGLE_API_KEY": "AIzaTest"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("work/log.txt") == "one\ntwo\n")
    let second = try #require(server.modelRequests.last)
    #expect(second.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
    #expect(second.header("x-goog-api-key") == "AIzaTest")
    let contents = try #require(second.bodyJSON?["contents"]?.arrayValue)
    #expect(contents.map { $0["role"]?.stringValue ?? "" } == ["user", "model", "user"])
    let calls = try #require(contents[1]["parts"]?.arrayValue)
    #expect(calls[0]["thoughtSignature"] == "CiQBsig/0+=")
    #expect(calls[0]["functionCall"]?["id"] == "fc-0")
    #expect(calls[1]["thoughtSignature"] == nil)
    let responses = try #require(contents[2]["parts"]?.arrayValue)
    #expect(responses.map { $0["functionResponse"]?["id"]?.stringValue } == ["fc-0", "fc-1"])
    // Two requests' usage: prompt includes the cached part; thoughts count as output.
    let last = try JSON.parse(try #require(r.stdout.split(separator: "\n").last.map(String.init)))
    #expect(last["type"] == "turn.completed")
    let usage = try #require(last["usage"])
    #expect(usage["input_tokens"] == 80)
    #expect(usage["cached_input_tokens"] == 32)
    #expect(usage["output_tokens"] == 42)
    // gemini-2.5-flash at $0.30 / $0.03 cached / $2.50 per million: 48·0.30 + 32·0.03 + 42·2.50.
    let cost = try #require(usage["cost_usd"]?.doubleValue)
    #expect(abs(cost - 0.00012036) < 1e-12)
  }

  @Test func geminiSafetyStopIsOneClearLine() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in
      NativeWireStreams.gemini([
        #"{"candidates": [{"content": {"parts": [{"text": "Sure"}],"role": "model"},"finishReason": "SAFETY","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "HIGH","blocked": true}]}]}"#
      ])
    }
    defer { server.stop() }
    try hosted(s, "gemini", server)
    let r = try await s.run(["-m", "g", "q"], environment: ["GEMINI_API_KEY": "k"])
    #expect(r.exitCode == 1)
    let errorLines = r.stderr.split(separator: "\n").filter { $0.contains("SAFETY") }
    #expect(
      errorLines.count == 1
        && errorLines[0].hasSuffix(
          "Gemini reported an error mid-stream: the answer was withheld by its safety filters (finishReason SAFETY)"
        ), "\(r.stderr)")
  }

  @Test func debugRedactsBothNewKeyHeaders() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      req.path.hasPrefix("/v1/messages")
        ? NativeWireStreams.anthropicText("ok") : NativeWireStreams.geminiText("ok")
    }
    defer { server.stop() }
    try s.write(
      "home/.codex/config.toml",
      """
      [model_providers.anthropic]
      base_url = "\(server.baseURL)"
      [model_providers.gemini]
      base_url = "\(server.baseURL)"

      """)
    let a = try await s.run(
      ["--provider", "anthropic", "-m", "m", "hi"],
      environment: ["DEBUG": "1", "ANTHROPIC_API_KEY": "sk-ant-supersecret"])
    #expect(a.exitCode == 0, "\(a.stderr)")
    #expect(a.stderr.contains("x-api-key: <redacted 18 chars>"))
    #expect(!a.stderr.contains("supersecret"))
    let g = try await s.run(
      ["--provider", "gemini", "-m", "m", "hi"],
      environment: ["DEBUG": "1", "GEMINI_API_KEY": "AIzaSuperSecret"])
    #expect(g.exitCode == 0, "\(g.stderr)")
    #expect(g.stderr.contains("x-goog-api-key: <redacted 15 chars>"))
    #expect(
      g.stderr.contains("> POST \(server.baseURL)/v1beta/models/m:streamGenerateContent?alt=sse"))
    #expect(!g.stderr.contains("SuperSecret"))
  }

  @Test func geminiWithoutAKeyNamesBothVariables() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let r = try await s.run(["--provider", "gemini", "-m", "m", "hi"])
    #expect(r.exitCode != 0)
    #expect(r.stderr.contains("set the environment variable GEMINI_API_KEY or GOOGLE_API_KEY"))
  }
}
