import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// `fallback = [...]` through the built binary: two fake providers, the first failing in each
/// way that does (or must not) move the request on.
@Suite(.serialized) struct FailoverTests {
  func config(first: String, second: String, extra: String = "") -> String {
    """
    model_provider = "first"
    model = "m1"
    fallback = ["second/m2"]
    \(extra)
    [model_providers.first]
    base_url = "\(first)"
    request_max_retries = 0
    stream_max_retries = 0
    [model_providers.second]
    base_url = "\(second)"
    """
  }

  @Test func firstRefusesTheConnection() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let second = try FakeHTTPServer { _ in .sse(chatSSE(["from second"])) }
    defer { second.stop() }
    try s.write(
      "home/.codex/config.toml",
      config(first: "http://127.0.0.1:\(port)/v1", second: second.baseURL + "/v1"))
    let r = try await s.run(["exec", "hi"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout == "from second\n")
    let notices = r.stderr.split(separator: "\n").filter { $0.contains("using second/m2") }
    #expect(notices == ["first unreachable; using second/m2"])
    #expect(second.requests.first?.bodyJSON?["model"] == "m2")
  }

  @Test func firstKeepsAnswering503() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let first = try FakeHTTPServer { _ in .json(503, #"{"error":{"message":"overloaded"}}"#) }
    defer { first.stop() }
    let second = try FakeHTTPServer { _ in .sse(chatSSE(["rescued"])) }
    defer { second.stop() }
    try s.write(
      "home/.codex/config.toml",
      config(first: first.baseURL + "/v1", second: second.baseURL + "/v1"))
    let r = try await s.run(["exec", "hi"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout == "rescued\n")
    #expect(r.stderr.contains("first failing (HTTP 503); using second/m2"))
    #expect(first.modelRequests.count == 1)
  }

  @Test func first400DoesNotMoveOn() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let first = try FakeHTTPServer { _ in
      .json(400, #"{"error":{"message":"messages: field required"}}"#)
    }
    defer { first.stop() }
    let second = try FakeHTTPServer { _ in .sse(chatSSE(["must not answer"])) }
    defer { second.stop() }
    try s.write(
      "home/.codex/config.toml",
      config(first: first.baseURL + "/v1", second: second.baseURL + "/v1"))
    let r = try await s.run(["exec", "hi"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("messages: field required"))
    #expect(!r.stderr.contains("using second"))
    #expect(second.requests.isEmpty)
  }

  @Test func textAlreadyShownDoesNotMoveOn() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let first = try FakeHTTPServer { _ in
      .sse(
        [#"{"choices":[{"index":0,"delta":{"content":"Half an ans"},"finish_reason":null}]}"#],
        then: [.close])
    }
    defer { first.stop() }
    let second = try FakeHTTPServer { _ in .sse(chatSSE(["must not answer"])) }
    defer { second.stop() }
    try s.write(
      "home/.codex/config.toml",
      config(first: first.baseURL + "/v1", second: second.baseURL + "/v1"))
    let r = try await s.run(["exec", "hi"])
    #expect(r.exitCode == 1)
    #expect(r.stdout.contains("Half an ans"))
    #expect(r.stderr.contains("dropped mid-answer"))
    #expect(second.requests.isEmpty)
  }

  /// `--json` says which model answered, and the turn's usage carries its cost.
  @Test func jsonEventAndCost() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let second = try FakeHTTPServer { _ in .sse(chatSSE(["priced"])) }
    defer { second.stop() }
    try s.write(
      "home/.codex/config.toml",
      config(
        first: "http://127.0.0.1:\(port)/v1", second: second.baseURL + "/v1",
        extra: "[models.m2]\nprice = { input = 2, output = 8 }\n"))
    let r = try await s.run(["exec", "--json", "hi"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    let events = try r.stdout.split(separator: "\n").map { try JSON.parse(String($0)) }
    let fallback = try #require(events.first { $0["type"] == "model.fallback" })
    #expect(fallback["from"]?["provider"] == "first")
    #expect(fallback["to"]?["provider"] == "second")
    #expect(fallback["to"]?["model"] == "m2")
    #expect(fallback["message"] == "first unreachable; using second/m2")
    #expect(fallback["error"]?.stringValue?.contains("cannot reach first") == true)
    let done = try #require(events.first { $0["type"] == "turn.completed" })
    // chatSSE reports 5 input and 3 output tokens: 5 × $2 + 3 × $8 per million.
    let cost = try #require(done["usage"]?["cost_usd"]?.doubleValue)
    #expect(abs(cost - 0.000034) < 1e-12)
    // Nothing but JSON on stdout; the human line is not printed in --json mode.
    #expect(!r.stdout.contains("using second/m2;"))
  }

  @Test func reportedCostWinsOverTheTable() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in
      .sse([
        #"{"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}"#,
        #"{"choices":[],"usage":{"prompt_tokens":194,"completion_tokens":2,"cost":0.0123}}"#,
        "[DONE]",
      ])
    }
    defer { server.stop() }
    try s.write(
      "home/.codex/config.toml",
      "model = \"m\"\n[models.m]\nprice = { input = 100, output = 100 }\n")
    let r = try await s.run(["exec", "--json", "--provider-url", server.baseURL + "/v1", "hi"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    let done = try #require(
      try r.stdout.split(separator: "\n").map { try JSON.parse(String($0)) }.first {
        $0["type"] == "turn.completed"
      })
    #expect(done["usage"]?["cost_usd"]?.doubleValue == 0.0123)
  }
}
