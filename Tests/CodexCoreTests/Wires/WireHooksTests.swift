import CodexTestSupport
import Testing

@testable import CodexCore

/// The client asks each wire how to authenticate, read errors and change a rejected request;
/// these run the real client over real sockets against a fake server.
@Suite(.serialized) struct WireHooksTests {
  struct Run {
    var events: [ChatEvent] = []
    var error: (any Error)?
  }

  static func run(_ provider: ProviderInfo, env: [String: String] = [:], model: String = "m")
    async -> Run
  {
    let client = ModelClient(provider: provider, transport: CurlTransport(), environment: env)
    var r = Run()
    do {
      try await client.run(ChatRequest(model: model, messages: [.user("hi")])) { r.events += $0 }
    } catch {
      r.error = error
    }
    return r
  }

  static func provider(_ id: String, _ server: FakeHTTPServer, retries: Int = 2) throws
    -> ProviderInfo
  {
    var p = try #require(BuiltInProviders.provider(id: id))
    p.baseURL = server.baseURL + (p.wire == .chat ? "/v1" : "")
    p.requestMaxRetries = retries
    p.streamMaxRetries = retries
    return p
  }

  static let anthropicOK = NativeStreams.anthropic([
    #"{"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}"#,
    #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
    #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}}"#,
    #"{"type":"content_block_stop","index":0}"#,
    #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}"#,
    #"{"type":"message_stop"}"#,
  ])

  static let geminiOK = FakeResponse.sse([
    #"{"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}]}"#
  ])

  static func text(_ r: Run) -> String { joinedText(r.events).text }

  // MARK: the chat wire's own fix and OpenAI's quota error

  @Test func chatDropsStreamOptionsOnceWhenTheServerRejectsIt() async throws {
    let server = try FakeHTTPServer { req in
      if req.bodyText.contains("stream_options") {
        return .json(
          400, #"{"error":{"message":"Unrecognized request argument supplied: stream_options"}}"#)
      }
      return .sse([#"{"choices":[{"delta":{"content":"ok"},"finish_reason":"stop"}]}"#, "[DONE]"])
    }
    defer { server.stop() }
    let r = await Self.run(try Self.provider("vllm", server))
    #expect(r.error == nil)
    #expect(Self.text(r) == "ok")
    #expect(server.requests.count == 2)
    #expect(server.requests[1].bodyJSON?["stream_options"] == nil)
    #expect(server.requests[1].bodyJSON?["stream"] == true)
  }

  @Test func aRejectionThatNoChangeFixesEndsAfterTheChange() async throws {
    let server = try FakeHTTPServer { _ in
      .json(400, #"{"error":{"message":"stream_options and everything else is wrong"}}"#)
    }
    defer { server.stop() }
    let r = await Self.run(try Self.provider("vllm", server))
    #expect(server.requests.count == 2)
    let e = try #require(r.error as? ProviderError)
    #expect(
      e
        == .badRequest(
          provider: "vLLM", status: 400, message: "stream_options and everything else is wrong"))
  }

  @Test func insufficientQuotaIsNotRetried() async throws {
    let server = try FakeHTTPServer { _ in
      .json(
        429,
        #"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#
      )
    }
    defer { server.stop() }
    var p = try Self.provider("openai", server)
    p.baseURL = server.baseURL + "/v1"
    let r = await Self.run(p, env: ["OPENAI_API_KEY": "sk-x"])
    #expect(server.requests.count == 1)
    #expect(
      r.error as? ProviderError
        == .quotaExceeded(provider: "OpenAI", message: "You exceeded your current quota"))
  }

  // MARK: Anthropic

  @Test func anthropicAuthVersionAnd529Retried() async throws {
    let server = try FakeHTTPServer { req in
      req.index == 0
        ? .json(
          529, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        : Self.anthropicOK
    }
    defer { server.stop() }
    let r = await Self.run(
      try Self.provider("anthropic", server), env: ["ANTHROPIC_API_KEY": "sk-ant-1"])
    #expect(r.error == nil)
    #expect(Self.text(r) == "ok")
    #expect(server.requests.count == 2)
    let req = try #require(server.requests.last)
    #expect(req.path == "/v1/messages")
    #expect(req.header("x-api-key") == "sk-ant-1")
    #expect(req.header("anthropic-version") == "2023-06-01")
    #expect(req.header("authorization") == nil)
  }

  @Test func anthropic529ExhaustsRetriesWithItsMessage() async throws {
    let server = try FakeHTTPServer { _ in
      .json(529, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
    }
    defer { server.stop() }
    let r = await Self.run(
      try Self.provider("anthropic", server, retries: 1), env: ["ANTHROPIC_API_KEY": "k"])
    #expect(server.requests.count == 2)
    #expect(
      r.error as? ProviderError
        == .server(provider: "Anthropic", status: 529, message: "Overloaded", attempts: 2))
  }

  static let overloadedMidStream = NativeStreams.anthropic([
    #"{"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}"#,
    #"{"type":"ping"}"#,
    #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
  ])

  @Test func overloadedInsideA200StreamIsRetriedLikeA503() async throws {
    let server = try FakeHTTPServer { req in
      req.index == 0 ? Self.overloadedMidStream : Self.anthropicOK
    }
    defer { server.stop() }
    let r = await Self.run(try Self.provider("anthropic", server), env: ["ANTHROPIC_API_KEY": "k"])
    #expect(r.error == nil)
    #expect(Self.text(r) == "ok")
    #expect(server.requests.count == 2)
  }

  @Test func xShouldRetryFalseStillWins() async throws {
    let server = try FakeHTTPServer { _ in
      var s = Self.overloadedMidStream
      s.headers.append(("x-should-retry", "false"))
      return s
    }
    defer { server.stop() }
    let r = await Self.run(try Self.provider("anthropic", server), env: ["ANTHROPIC_API_KEY": "k"])
    #expect(server.requests.count == 1)
    #expect(r.error as? ProviderError == .streamError(provider: "Anthropic", message: "Overloaded"))
  }

  @Test func anthropicOverflowMessageReachesTheErrorIntact() async throws {
    let message =
      "input length and `max_tokens` exceed context limit: 178959 + 64000 > 200000, decrease input length or `max_tokens` and try again"
    let server = try FakeHTTPServer { _ in
      .json(
        400,
        #"{"type":"error","error":{"type":"invalid_request_error","message":\#(JSON.quoted(message))},"request_id":"req_1"}"#
      )
    }
    defer { server.stop() }
    let r = await Self.run(try Self.provider("anthropic", server), env: ["ANTHROPIC_API_KEY": "k"])
    #expect(server.requests.count == 1)
    // It is recognised as an overflow (the agent compacts and retries), message intact.
    #expect(
      r.error as? ProviderError
        == .contextOverflow(
          provider: "Anthropic", message: message, window: 200_000, promptTokens: nil))
  }

  @Test func anthropicModelList() async throws {
    let server = try FakeHTTPServer { req in
      guard req.method == "GET", req.path == "/v1/models", req.header("x-api-key") == "k",
        req.header("anthropic-version") != nil
      else { return .json(404, "{}") }
      return .json(
        200,
        #"{"data":[{"type":"model","id":"claude-a"},{"type":"model","id":"claude-b"}],"has_more":false}"#
      )
    }
    defer { server.stop() }
    let client = ModelClient(
      provider: try Self.provider("anthropic", server), transport: CurlTransport(),
      environment: ["ANTHROPIC_API_KEY": "k"])
    #expect(try await client.listModels() == ["claude-a", "claude-b"])
  }

  @Test func theUsersOwnHeaderReplacesTheWiresAuth() async throws {
    let server = try FakeHTTPServer { _ in Self.anthropicOK }
    defer { server.stop() }
    var p = try Self.provider("anthropic", server)
    p.httpHeaders = [("X-Api-Key", "from-config"), ("anthropic-beta", "b1")]
    _ = await Self.run(p, env: ["ANTHROPIC_API_KEY": "from-env"])
    let req = try #require(server.requests.first)
    #expect(req.headers.filter { $0.name == "x-api-key" }.map(\.value) == ["from-config"])
    #expect(req.header("anthropic-beta") == "b1")
  }

  // MARK: Gemini

  @Test func geminiKeyFromEitherVariableAndNeverInTheURL() async throws {
    let server = try FakeHTTPServer { _ in Self.geminiOK }
    defer { server.stop() }
    let p = try Self.provider("gemini", server)
    let r = await Self.run(p, env: ["GOOGLE_API_KEY": "AIzaGoogle"], model: "gemini-2.5-flash")
    #expect(r.error == nil)
    let req = try #require(server.requests.first)
    #expect(req.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
    #expect(req.header("x-goog-api-key") == "AIzaGoogle")
    #expect(req.header("authorization") == nil)
    #expect(!req.path.contains("AIza"))
    // Both set: GEMINI_API_KEY, the one named first, wins.
    _ = await Self.run(p, env: ["GOOGLE_API_KEY": "g", "GEMINI_API_KEY": "AIzaGemini"])
    #expect(server.requests.last?.header("x-goog-api-key") == "AIzaGemini")
  }

  @Test func geminiMissingKeyNamesBothVariablesAndA401NamesTheOneUsed() async throws {
    let server = try FakeHTTPServer { _ in
      .json(
        400,
        #"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}"#
      )
    }
    defer { server.stop() }
    let p = try Self.provider("gemini", server)
    let missing = await Self.run(p)
    #expect(
      "\(missing.error.map { "\($0)" } ?? "")"
        == "Gemini needs an API key: set the environment variable GEMINI_API_KEY or GOOGLE_API_KEY (Create a key at https://aistudio.google.com/apikey)"
    )
    #expect(server.requests.isEmpty)
    let unauthorizedServer = try FakeHTTPServer { _ in
      .json(
        403, #"{"error":{"code":403,"message":"Permission denied","status":"PERMISSION_DENIED"}}"#)
    }
    defer { unauthorizedServer.stop() }
    let r = await Self.run(
      try Self.provider("gemini", unauthorizedServer), env: ["GOOGLE_API_KEY": "g"])
    #expect(
      r.error as? ProviderError
        == .unauthorized(
          provider: "Gemini", status: 403, envKey: "GOOGLE_API_KEY", message: "Permission denied"))
  }

  @Test func gemini429WaitsAsRetryInfoSaysOrGivesUpWhenThatIsTooLong() async throws {
    let server = try FakeHTTPServer { req in
      req.index == 0
        ? .json(
          429,
          #"{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"0.05s"}]}}"#
        ) : Self.geminiOK
    }
    defer { server.stop() }
    let r = await Self.run(try Self.provider("gemini", server), env: ["GEMINI_API_KEY": "k"])
    #expect(r.error == nil)
    #expect(server.requests.count == 2)

    let daily = try FakeHTTPServer { _ in
      .json(
        429,
        #"[{"error":{"code":429,"message":"Quota exceeded for metric: generate_content_free_tier_requests, limit: 250","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"36000s"}]}}]"#
      )
    }
    defer { daily.stop() }
    let d = await Self.run(try Self.provider("gemini", daily), env: ["GEMINI_API_KEY": "k"])
    #expect(daily.requests.count == 1)
    #expect(
      d.error as? ProviderError
        == .rateLimited(
          provider: "Gemini",
          message: "Quota exceeded for metric: generate_content_free_tier_requests, limit: 250",
          attempts: 1))
  }

  @Test func geminiUnknownModelListsTheServedOnes() async throws {
    let server = try FakeHTTPServer { req in
      if req.method == "GET" {
        return .json(
          200, #"{"models":[{"name":"models/gemini-2.5-flash"},{"name":"models/gemini-2.5-pro"}]}"#)
      }
      return .json(
        404,
        #"{"error":{"code":404,"message":"models/gemini-9 is not found for API version v1beta, or is not supported for generateContent.","status":"NOT_FOUND"}}"#
      )
    }
    defer { server.stop() }
    let r = await Self.run(
      try Self.provider("gemini", server), env: ["GEMINI_API_KEY": "k"], model: "gemini-9")
    #expect(
      "\(r.error.map { "\($0)" } ?? "")"
        == "Gemini has no model 'gemini-9'; available: gemini-2.5-flash, gemini-2.5-pro")
    #expect(server.requests.last?.header("x-goog-api-key") == "k")
  }

  @Test func geminiOverloadInsideTheStreamIsRetried() async throws {
    let server = try FakeHTTPServer { req in
      req.index == 0
        ? .sse([
          #"{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}"#
        ])
        : Self.geminiOK
    }
    defer { server.stop() }
    let r = await Self.run(try Self.provider("gemini", server), env: ["GEMINI_API_KEY": "k"])
    #expect(r.error == nil)
    #expect(server.requests.count == 2)
  }
}

/// Anthropic SSE for the fake server: each payload as an event named after its `type`.
enum NativeStreams {
  static func anthropic(_ payloads: [String]) -> FakeResponse {
    let steps: [FakeStep] = payloads.map { p in
      let type = (try? JSON.parse(p))?["type"]?.stringValue ?? "message"
      return .send("event: \(type)\ndata: \(p)\n\n")
    }
    return .stream(status: 200, headers: [("Content-Type", "text/event-stream")], steps: steps)
  }
}
