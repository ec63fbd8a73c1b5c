import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// A hostile server against the built binary, over real loopback HTTP: whatever it sends,
/// codex ends with an answer (exit 0) or one error line (exit 1), never a trap (exit ≥ 128).
@Suite(.serialized) struct HostileServerTests {
  /// The lines codex wrote to stderr.
  static func lines(_ text: String) -> [Substring] {
    text.split(separator: "\n", omittingEmptySubsequences: true)
  }

  @Test(arguments: [
    ("retry-after-ms", "inf"), ("retry-after-ms", "1e400"), ("retry-after", "1e20"),
    ("retry-after", "Sun, 06 Nov 99999999999999999 08:49:37 GMT"),
    ("retry-after", "Sun, 06 Nov 1994 99999999999999999:49:37 GMT"),
  ])
  func retryHeadersThatTrappedEndInOneErrorLine(_ name: String, _ value: String) async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in
      .json(429, #"{"error":{"message":"slow down"}}"#, headers: [(name, value)])
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m", "-c",
      "model_providers.vllm.request_max_retries=1", "hi",
    ])
    #expect(r.exitCode == 1, "exit \(String(describing: r.exitCode)): \(r.stderr)")
    let lines = Self.lines(r.stderr)
    #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "\(r.stderr)")
    #expect(r.stderr.contains("rate limiting"))
  }

  @Test func tokenCountsNoCounterCanHoldAreSummedWithoutTrapping() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let usage =
      #"{"choices":[],"usage":{"prompt_tokens":9223372036854775807,"completion_tokens":9223372036854775807}}"#
    let server = try FakeHTTPServer { _ in
      .sse([
        #"{"choices":[{"index":0,"delta":{"content":"fine"},"finish_reason":"stop"}]}"#, usage,
        usage, "[DONE]",
      ])
    }
    defer { server.stop() }
    for extra in [[], ["--json"]] {
      let r = try await s.run(
        ["--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m"] + extra
          + ["hi"])
      #expect(r.exitCode == 0, "exit \(String(describing: r.exitCode)): \(r.stderr)")
      #expect(r.stdout.contains("fine"))
    }
  }

  @Test func theLargestNumbersAConfigAcceptsDoNotTrap() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .sse(chatSSE(["fine"])) }
    defer { server.stop() }
    try s.write(
      "home/.codex/config.toml",
      """
      model = "m"
      model_provider = "vllm"
      model_max_output_tokens = 9223372036854775807
      project_doc_max_bytes = 9223372036854775807
      [model_providers.vllm]
      base_url = "\(server.baseURL)/v1"
      stream_idle_timeout_ms = 9223372036854775807
      request_max_retries = 100
      stream_max_retries = 100
      [history]
      max_bytes = 9223372036854775807
      """)
    let show = try await s.run(["config", "show"])
    #expect(show.exitCode == 0, "\(show.stderr)")
    #expect(show.stdout.contains("stream_idle_timeout_ms = 9223372036854775807"))
    let r = try await s.run(["hi"])
    #expect(r.exitCode == 0, "exit \(String(describing: r.exitCode)): \(r.stderr)")
    #expect(r.stdout == "fine\n")
  }

  @Test func aServersErrorMessageIsOneLineAndDoesNotDriveTheTerminal() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in
      .text(400, "bad\r\n\u{1B}[2J\u{1B}[Hrequest\n\u{1B}]0;pwned\u{07}done")
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m", "hi",
    ])
    #expect(r.exitCode == 1)
    let lines = Self.lines(r.stderr)
    #expect(lines.count == 1, "\(r.stderr)")
    #expect(!r.stderr.contains("\u{1B}") && !r.stderr.contains("\r"))
    #expect(r.stderr.contains(#"\e[2J\e[Hrequest \e]0;pwned\x07done"#), "\(r.stderr)")
  }

  @Test func theDocumentedHuggingFaceCommandReachesTGIsMessagesAPI() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      req.path == "/v1/chat/completions" ? .sse(chatSSE(["from TGI"])) : .json(404, "{}")
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "huggingface", "--provider-url", server.baseURL, "-m",
      "mistral-7b-instruct", "hello",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout == "from TGI\n")
    #expect(server.modelRequests.map(\.path) == ["/v1/chat/completions"])
  }

  /// Seeded cases of the wire fuzzer (`WireFuzzer`, as in `WireFuzzTests`) through the real
  /// transport and binary. The seed is fixed so the run is the same every time; a failure
  /// names the case.
  static let fuzzSeed: UInt64 = 0xC0DE_F022
  static let casesPerWire = 3

  @Test(arguments: WireAPI.allCases)
  func fuzzedResponsesEndInAnAnswerOrOneErrorLine(_ api: WireAPI) async throws {
    let fuzzer = try WireFuzzer(api: api)
    for caseNumber in 0..<Self.casesPerWire {
      let s = try Scratch()
      defer { s.cleanUp() }
      let caseSeed = Self.fuzzSeed ^ UInt64(caseNumber) &* 0x9E37_79B9_7F4A_7C15
      let server = try FakeHTTPServer { req in
        var rng = FuzzRandom(seed: caseSeed ^ UInt64(req.index))
        let head = fuzzer.head(using: &rng)
        let status = (100...599).contains(head.status) && head.status != 204 ? head.status : 200
        return FakeResponse(
          status: status, headers: head.headers,
          steps: fuzzer.body(using: &rng).map { .send($0) })
      }
      defer { server.stop() }
      let (toml, args) = ToolLoopTests().config(api, server.baseURL)
      try s.write("home/.codex/config.toml", toml)
      // Commands a fuzzed stream asks for are refused unless known-safe, and those run in a
      // read-only sandbox; retries would only wait.
      let r = try await s.run(
        args + [
          "-m", "m", "-a", "untrusted", "-s", "read-only", "-c",
          "model_providers.\(Self.providerID(args)).request_max_retries=0", "-c",
          "model_providers.\(Self.providerID(args)).stream_max_retries=0", "hi",
        ], environment: ["OPENAI_API_KEY": "sk-x"])
      let label = "wire \(api.rawValue), case \(caseNumber) (seed \(caseSeed))"
      #expect(
        r.exitCode == 0 || r.exitCode == 1, "\(label): exit \(String(describing: r.exitCode))")
      #expect(!r.stderr.contains("\u{1B}") && !r.stderr.contains("\r"), "\(label): \(r.stderr)")
      if r.exitCode == 1 {
        let errors = Self.lines(r.stderr).filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 1, "\(label): \(r.stderr)")
        #expect(Self.lines(r.stderr).last?.hasPrefix("error: ") == true, "\(label): \(r.stderr)")
      }
    }
  }

  static func providerID(_ args: [String]) -> String {
    guard let i = args.firstIndex(of: "--provider"), i + 1 < args.count else { return "openai" }
    return args[i + 1]
  }
}
