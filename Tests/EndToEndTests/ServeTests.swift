import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// `codex serve` as users run it: the built binary, in front of fake upstreams of every wire,
/// driven by clients no one here wrote (the openai and anthropic Python SDKs, curl).
@Suite struct ServeTests {
  static let answer = FakeAnswer(
    reasoning: ["hmm"], text: ["It is ", "sunny."],
    toolCalls: [("call_7", "get_weather", #"{"city":"Paris"}"#)])

  /// One fake upstream per wire (provider id = the wire's name) and `codex serve` in front.
  final class Setup: Sendable {
    let scratch: Scratch
    let upstreams: [String: FakeHTTPServer]
    let serve: ServeProcess

    init(
      answer: FakeAnswer = ServeTests.answer, config: String = "", arguments: [String] = [],
      environment: [String: String] = [:],
      respond: (@Sendable (FakeUpstreamWire, RecordedRequest) -> FakeResponse)? = nil
    ) async throws {
      scratch = try Scratch()
      var upstreams: [String: FakeHTTPServer] = [:]
      var toml = "model_provider = \"chat\"\nmodel = \"m1\"\n" + config + "\n"
      for wire in FakeUpstreamWire.all {
        let server = try FakeHTTPServer { req in
          if let respond { return respond(wire, req) }
          guard wire.isStreamRequest(req.path) else {
            return .json(200, #"{"object":"list","data":[{"id":"m1"}],"models":[{"name":"m1"}]}"#)
          }
          // TGI's native wire has no tool calls: its answer is text only.
          var a = answer
          if !wire.supportsTools { a.toolCalls = [] }
          return wire.stream(a, nil, [])
        }
        upstreams[wire.name] = server
        toml += wire.providerTOML(id: wire.name, root: server.baseURL) + "\n"
      }
      self.upstreams = upstreams
      try scratch.write("home/.codex/config.toml", toml)
      // The anthropic and gemini rows override the built-ins of those names, which keep
      // needing their keys (as a local gateway in front of them would).
      let keys = ["ANTHROPIC_API_KEY": "sk-ant-test", "GEMINI_API_KEY": "AIza-test"]
      serve = try await ServeProcess(
        scratch: scratch, arguments: ["serve", "--port", "0"] + arguments,
        environment: keys.merging(environment) { _, given in given })
    }

    func stop() async {
      serve.signal(ServeProcess.terminate)
      _ = await serve.waitForExit()
      for u in upstreams.values { u.stop() }
      scratch.cleanUp()
    }

    /// The openai SDK's results for every model in every mode, by "MODEL MODE".
    func openAI(_ models: [String], _ modes: [String], key: String? = nil) async throws -> JSON {
      try await ServeClients.run(
        ServeClients.openAI,
        [serve.baseURL, models.joined(separator: ","), modes.joined(separator: ",")]
          + (key.map { [$0] } ?? []), in: scratch)
    }

    func openAI(_ model: String, _ mode: String, key: String? = nil) async throws -> JSON {
      try await openAI([model], [mode], key: key)["\(model) \(mode)"] ?? .null
    }

    func anthropic(_ models: [String], _ modes: [String], key: String? = nil) async throws
      -> JSON
    {
      try await ServeClients.run(
        ServeClients.anthropic,
        [serve.baseURL, models.joined(separator: ","), modes.joined(separator: ",")]
          + (key.map { [$0] } ?? []), in: scratch)
    }

    func anthropic(_ model: String, _ mode: String, key: String? = nil) async throws -> JSON {
      try await anthropic([model], [mode], key: key)["\(model) \(mode)"] ?? .null
    }

    func curl(_ arguments: [String]) async throws -> ProcessResult {
      try await ProcessRunner.run(
        ProcessSpec(
          executable: "curl", arguments: ["-sS", "--max-time", "60"] + arguments,
          workingDirectory: scratch.work, environment: ["PATH": "/usr/bin:/bin"],
          timeout: .seconds(90)))
    }
  }

  // MARK: The SDKs against every wire

  /// Every wire (one row each in `FakeUpstreamWire.all`) through both SDKs, streamed and not.
  @Test func theSDKsStreamAndCompleteThroughEveryWire() async throws {
    let setup = try await Setup()
    let models = FakeUpstreamWire.all.map { "\($0.name)/m1" }
    async let openAI = setup.openAI(models, ["stream", "complete"])
    async let anthropic = setup.anthropic(models, ["stream", "complete"])
    let (o, a) = try await (openAI, anthropic)
    await setup.stop()
    for wire in FakeUpstreamWire.all {
      for mode in ["stream", "complete"] {
        let r = o["\(wire.name)/m1 \(mode)"] ?? .null
        let context = "openai \(wire.name) \(mode): \(r)"
        #expect(r["text"] == "It is sunny.", "\(context)")
        #expect(r["reasoning"] == (wire.supportsReasoning ? "hmm" : ""), "\(context)")
        #expect(r["usage"]?["prompt_tokens"] == 11, "\(context)")
        #expect(r["usage"]?["completion_tokens"] == 7, "\(context)")
        if wire.supportsTools {
          #expect(r["finish"] == "tool_calls", "\(context)")
          #expect(r["tool_calls"]?[0]?["id"] == "call_7", "\(context)")
          #expect(r["tool_calls"]?[0]?["name"] == "get_weather", "\(context)")
          let args = try? JSON.parse(r["tool_calls"]?[0]?["arguments"]?.stringValue ?? "")
          #expect(args == ["city": "Paris"], "\(context)")
        } else {
          #expect(r["finish"] == "stop", "\(context)")
        }

        let m = a["\(wire.name)/m1 \(mode)"] ?? .null
        let mContext = "anthropic \(wire.name) \(mode): \(m)"
        #expect(m["text"] == "It is sunny.", "\(mContext)")
        #expect(m["thinking"] == (wire.supportsReasoning ? "hmm" : ""), "\(mContext)")
        #expect(m["usage"]?["input"] == 11, "\(mContext)")
        #expect(m["usage"]?["output"] == 7, "\(mContext)")
        if wire.supportsTools {
          #expect(m["stop_reason"] == "tool_use", "\(mContext)")
          #expect(m["tool_uses"]?[0]?["name"] == "get_weather", "\(mContext)")
          #expect(m["tool_uses"]?[0]?["input"] == ["city": "Paris"], "\(mContext)")
        } else {
          #expect(m["stop_reason"] == "end_turn", "\(mContext)")
        }
      }
      // The history each SDK sent (a tool call and its result) reached the upstream.
      // (Ollama is also asked about the model, for num_ctx: not counted here.)
      let sent =
        setup.upstreams[wire.name]?.requests.filter { wire.isStreamRequest($0.path) }
        .map(\.bodyText) ?? []
      #expect(sent.count == 4, "\(wire.name)")
      #expect(
        sent.allSatisfy { $0.contains("rain") && $0.contains("Oslo") && $0.contains("Be brief.") },
        "\(wire.name)")
    }
  }

  @Test func theOpenAISDKListsModelsAndAliases() async throws {
    let setup = try await Setup(config: "[serve.aliases]\nfast = \"ollama/m1\"\n")
    let r = try await setup.openAI("x", "models")
    await setup.stop()
    let ids = r["ids"]?.arrayValue?.compactMap(\.stringValue) ?? []
    #expect(ids.contains("chat/m1"))
    #expect(ids.contains("ollama/m1"))
    #expect(ids.contains("responses/m1"))
    #expect(ids.last == "fast")
  }

  // MARK: Failures, seen through the SDKs

  @Test func aRateLimitedUpstreamIsA429WithRetryAfterForTheSDK() async throws {
    let setup = try await Setup { _, _ in
      .json(
        429, #"{"error":{"message":"too many","type":"rate_limit"}}"#,
        headers: [("Retry-After", "7")])
    }
    let openAI = try await setup.openAI("chat/m1", "complete")
    let anthropic = try await setup.anthropic("chat/m1", "complete")
    await setup.stop()
    #expect(openAI["status"] == 429)
    #expect(openAI["retry_after"] == "7")
    #expect(openAI["message"]?.stringValue?.contains("too many") == true)
    #expect(anthropic["status"] == 429)
  }

  @Test func anUpstreamThatDropsMidStreamIsAnErrorForTheSDKs() async throws {
    let setup = try await Setup { wire, req in
      wire.isStreamRequest(req.path)
        ? wire.stream(FakeAnswer(text: ["partial ", "answer ", "never"]), 2, [.close])
        : .json(404, "{}")
    }
    let openAI = try await setup.openAI("chat/m1", "stream")
    let anthropic = try await setup.anthropic("ollama/m1", "stream")
    await setup.stop()
    #expect(openAI["stream_error"]?.stringValue?.contains("dropped") == true, "\(openAI)")
    #expect(openAI["text"]?.stringValue?.hasPrefix("partial") == true, "\(openAI)")
    // The SDK raises the `error` event as an APIStatusError.
    #expect(anthropic["message"]?.stringValue?.contains("dropped") == true, "\(anthropic)")
    #expect(anthropic["text"]?.stringValue?.hasPrefix("partial") == true, "\(anthropic)")
  }

  @Test func anUpstreamThatIsDownIsA502ThatSaysSo() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let setup = try await Setup(
      config: "[model_providers.gone]\nbase_url = \"http://127.0.0.1:\(port)/v1\"\n")
    let r = try await setup.openAI("gone/m1", "complete")
    await setup.stop()
    #expect(r["status"] == 502)
    #expect(r["message"]?.stringValue?.contains("cannot reach gone") == true, "\(r)")
  }

  // MARK: Raw HTTP with curl

  @Test func curlSeesChunkedSSEAndAClosedHTTP10Stream() async throws {
    let setup = try await Setup()
    let body = #"{"model":"chat/m1","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
    let chunked = try await setup.curl([
      "-i", "-N", setup.serve.baseURL + "/v1/chat/completions", "-H",
      "Content-Type: application/json",
      "-d", body,
    ])
    let old = try await setup.curl([
      "-i", "--http1.0", setup.serve.baseURL + "/v1/chat/completions", "-d", body,
    ])
    // curl sends `Expect: 100-continue` for bodies over 1 MiB.
    let bigText = String(repeating: "x", count: 2 << 20)
    let bigFile = setup.scratch.root + "/big.json"
    try Data(
      #"{"model":"chat/m1","messages":[{"role":"user","content":"\#(bigText)"}]}"#.utf8
    ).write(to: URL(fileURLWithPath: bigFile))
    let big = try await setup.curl([
      "-v", setup.serve.baseURL + "/v1/chat/completions", "--data-binary", "@" + bigFile,
    ])
    await setup.stop()
    let head = chunked.stdoutText.lowercased()
    #expect(head.hasPrefix("http/1.1 200 ok"), "\(chunked.stdoutText)")
    #expect(head.contains("transfer-encoding: chunked"))
    #expect(head.contains("content-type: text/event-stream"))
    #expect(chunked.stdoutText.contains(#"data: {"id":"chatcmpl-"#))
    #expect(chunked.stdoutText.hasSuffix("data: [DONE]\n\n"))
    #expect(old.stdoutText.lowercased().contains("connection: close"))
    #expect(!old.stdoutText.lowercased().contains("transfer-encoding"))
    #expect(old.stdoutText.hasSuffix("data: [DONE]\n\n"))
    #expect(big.stderrText.contains("Expect: 100-continue"))
    #expect(big.stderrText.contains("HTTP/1.1 100 Continue"))
    #expect(big.stdoutText.contains("chat.completion"), "\(big.stdoutText.prefix(300))")
  }

  // MARK: Keys and exposure

  @Test func withAnAPIKeyTheSDKsMustSendIt() async throws {
    let setup = try await Setup(arguments: ["--api-key", "k-123"])
    let wrong = try await setup.openAI("chat/m1", "complete", key: "nope")
    let right = try await setup.openAI("chat/m1", "complete", key: "k-123")
    let anthropic = try await setup.anthropic("chat/m1", "complete", key: "k-123")
    let stderr = setup.serve.stderr
    await setup.stop()
    #expect(wrong["status"] == 401)
    #expect(right["text"] == "It is sunny.")
    #expect(anthropic["text"] == "It is sunny.")
    #expect(!stderr.contains("k-123"))
  }

  @Test func theKeyCanComeFromTheVariableServeApiKeyEnvNames() async throws {
    let setup = try await Setup(
      config: "[serve]\napi_key_env = \"PROXY_KEY\"\n", environment: ["PROXY_KEY": "from-env"])
    let wrong = try await setup.openAI("chat/m1", "complete")
    let right = try await setup.openAI("chat/m1", "complete", key: "from-env")
    await setup.stop()
    #expect(wrong["status"] == 401)
    #expect(right["text"] == "It is sunny.")
  }

  @Test func listeningBeyondLoopbackWithoutAKeyIsRefused() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let refused = try await s.run(["serve", "--host", "0.0.0.0", "--port", "0"])
    #expect(refused.exitCode == 1)
    #expect(refused.stderr.contains("refusing to listen on 0.0.0.0 without an API key"))
    let missing = try await s.run(["serve", "-c", "serve.api_key_env=\"NOPE\"", "--port", "0"])
    #expect(missing.exitCode == 1)
    #expect(missing.stderr.contains("$NOPE"))
    // With a key it starts (and stops on SIGTERM with 0).
    let serve = try await ServeProcess(
      scratch: s, arguments: ["serve", "--host", "0.0.0.0", "--port", "0", "--api-key", "k"])
    serve.signal(ServeProcess.terminate)
    #expect(await serve.waitForExit() == 0)
  }

  // MARK: Logs

  @Test func oneAccessLogLinePerRequestAndDebugShowsBothSides() async throws {
    let setup = try await Setup(environment: ["DEBUG": "1"])
    _ = try await setup.openAI("ollama/m1", "stream")
    #expect(await setup.serve.waitForLog("POST /v1/chat/completions ollama/m1 200"))
    let stderr = setup.serve.stderr
    await setup.stop()
    let line = try #require(
      stderr.split(separator: "\n").first { $0.contains("POST /v1/chat/completions ollama/m1") })
    #expect(line.contains("tokens=11/7"))
    #expect(line.contains("ttft="))
    #expect(line.contains("total="))
    #expect(line.contains(" stream"))
    #expect(line.hasPrefix("20"))  // an ISO 8601 time first
    // DEBUG=1: the client's request, the provider request and its stream, the client's stream.
    #expect(stderr.contains("client > POST /v1/chat/completions"))
    #expect(stderr.contains("> POST http://127.0.0.1:"))
    #expect(stderr.contains(#"< {"message""#))
    #expect(stderr.contains("client < data: "))
  }

  // MARK: Signals

  @Test func sigtermLetsAStreamInFlightFinishThenExitsZero() async throws {
    let gate = try FakeGate()
    let setup = try await Setup { wire, req in
      guard wire.isStreamRequest(req.path) else { return .json(404, "{}") }
      var r = wire.stream(FakeAnswer(text: ["before ", "after"]), nil, [])
      r.steps.insert(.wait(gate), at: 1)
      return r
    }
    let port = setup.serve.port
    let body = #"{"model":"chat/m1","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
    let client = try RawHTTPConnection(port: port)
    try client.send(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    )
    let reader = Task {
      try await RawHTTPConnection.run { try client.readResponse(timeoutMs: 60_000) }
    }
    #expect(await setup.serve.waitForLog("listening"))
    #expect(await setup.upstreams["chat"]?.wait { $0.requests.count == 1 } == true)
    setup.serve.signal(ServeProcess.terminate)
    #expect(await setup.serve.waitForLog("no new connections"))
    // New connections are refused while the stream goes on.
    #expect(throws: (any Error).self) { _ = try RawHTTPConnection(port: port) }
    #expect(setup.serve.pollExit() == nil)
    gate.open()
    let response = try await reader.value
    #expect(response.bodyText.contains("after"))
    #expect(response.bodyText.hasSuffix("data: [DONE]\n\n"))
    #expect(await setup.serve.waitForExit() == 0)
    await setup.stop()
  }

  @Test func sigintWhenIdleExitsZeroAndASecondSignalStopsAtOnce() async throws {
    let idle = try await Setup()
    idle.serve.signal(ServeProcess.interrupt)
    #expect(await idle.serve.waitForExit() == 0)
    await idle.stop()

    let hang = try await Setup { wire, req in
      wire.isStreamRequest(req.path)
        ? wire.stream(FakeAnswer(text: ["x"]), 1, [.hang]) : .json(404, "{}")
    }
    let body = #"{"model":"chat/m1","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
    let client = try RawHTTPConnection(port: hang.serve.port)
    try client.send(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    )
    #expect(await hang.upstreams["chat"]?.wait { $0.requests.count == 1 } == true)
    hang.serve.signal(ServeProcess.interrupt)
    #expect(await hang.serve.waitForLog("again to stop now"))
    hang.serve.signal(ServeProcess.interrupt)
    #expect(await hang.serve.waitForExit(timeout: .seconds(20)) == 130)
    await hang.stop()
  }
}
