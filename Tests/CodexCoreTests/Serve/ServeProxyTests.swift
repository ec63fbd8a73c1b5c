import CodexTestSupport
import Synchronization
import Testing

@testable import CodexCore

/// The proxy end to end inside the process: real sockets on both sides, fake upstreams of
/// every wire, the real curl transport.
@Suite struct ServeProxyTests {
  static let answer = FakeAnswer(reasoning: ["Thinking…"], text: ["Hello", ", wörld"])

  @Test(arguments: FakeUpstreamWire.all.map(\.name))
  func streamsEveryWireAsChatCompletions(_ wireName: String) async throws {
    let wire = try #require(FakeUpstreamWire.all.first { $0.name == wireName })
    let upstream = try FakeHTTPServer { req in
      wire.isStreamRequest(req.path)
        ? wire.stream(Self.answer, nil, []) : .json(404, #"{"error":"no"}"#)
    }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      """
      model_provider = "up"
      \(wire.providerTOML(id: "up", root: upstream.baseURL))
      """)
    let r = try await proxy.post("/v1/chat/completions", chatBody(model: "m1"))
    await proxy.stop()
    #expect(r.status == 200)
    #expect(r.header("content-type") == "text/event-stream")
    let events = sseEvents(r.bodyText)
    #expect(events.last?.data == "[DONE]")
    let chunks = sseJSON(r.bodyText)
    #expect(chunks.first?["choices"]?[0]?["delta"]?["role"] == "assistant")
    let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
    #expect(text == "Hello, wörld")
    let reasoning = chunks.compactMap {
      $0["choices"]?[0]?["delta"]?["reasoning_content"]?.stringValue
    }.joined()
    #expect(reasoning == (wire.supportsReasoning ? "Thinking…" : ""))
    #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"] == "stop" })
    let usage = try #require(chunks.last?["usage"])
    #expect(usage["prompt_tokens"] == 11)
    #expect(usage["completion_tokens"] == 7)
    #expect(chunks.allSatisfy { $0["model"] == "m1" })
    // The upstream got the conversation in its own wire.
    // (An Ollama upstream is asked about the model's context first: `num_ctx`.)
    let sent = try #require(upstream.requests.first { wire.isStreamRequest($0.path) })
    #expect(sent.bodyText.contains("Be brief."))
  }

  @Test func usageChunkOnlyWhenAskedAndPlainJSONWhenNotStreaming() async throws {
    let upstream = try FakeHTTPServer { _ in FakeUpstreamWire.chat.stream(Self.answer, nil, []) }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL))
    let noUsage = try await proxy.post("/v1/chat/completions", chatBody(includeUsage: false))
    #expect(!sseJSON(noUsage.bodyText).contains { $0["usage"] != nil })
    let whole = try await proxy.post("/v1/chat/completions", chatBody(stream: false))
    await proxy.stop()
    #expect(whole.header("content-type") == "application/json")
    let json = try #require(whole.bodyJSON)
    #expect(json["object"] == "chat.completion")
    #expect(json["choices"]?[0]?["message"]?["content"] == "Hello, wörld")
    #expect(json["choices"]?[0]?["message"]?["reasoning_content"] == "Thinking…")
    #expect(json["choices"]?[0]?["finish_reason"] == "stop")
    #expect(json["usage"]?["total_tokens"] == 18)
  }

  @Test(arguments: FakeUpstreamWire.all.filter(\.supportsTools).map(\.name))
  func toolsGoUpAndToolCallsComeBack(_ wireName: String) async throws {
    let wire = try #require(FakeUpstreamWire.all.first { $0.name == wireName })
    let call = FakeAnswer(toolCalls: [("call_9", "get_weather", #"{"city":"Paris"}"#)])
    let upstream = try FakeHTTPServer { _ in wire.stream(call, nil, []) }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n" + wire.providerTOML(id: "up", root: upstream.baseURL))
    let body = """
      {"model":"m1","stream":true,
       "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
         "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
       "messages":[{"role":"user","content":"weather?"},
         {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
           "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
         {"role":"tool","tool_call_id":"call_1","content":"rain"},
         {"role":"user","content":"and Paris?"}]}
      """
    let streamed = try await proxy.post("/v1/chat/completions", body)
    let whole = try await proxy.post(
      "/v1/chat/completions", body.replacing(#""stream":true"#, with: #""stream":false"#))
    await proxy.stop()
    let chunks = sseJSON(streamed.bodyText)
    let calls = chunks.compactMap { $0["choices"]?[0]?["delta"]?["tool_calls"]?[0] }
    #expect(calls.count == 1)
    #expect(calls.first?["id"] == "call_9")
    #expect(calls.first?["index"] == 0)
    #expect(calls.first?["function"]?["name"] == "get_weather")
    let args = try JSON.parse(calls.first?["function"]?["arguments"]?.stringValue ?? "")
    #expect(args["city"] == "Paris")
    #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"] == "tool_calls" })
    let message = whole.bodyJSON?["choices"]?[0]?["message"]
    #expect(message?["content"] == .null)
    #expect(message?["tool_calls"]?[0]?["function"]?["name"] == "get_weather")
    #expect(whole.bodyJSON?["choices"]?[0]?["finish_reason"] == "tool_calls")
    // The history and tools reached the upstream in its wire.
    let sent = try #require(
      upstream.requests.first { wire.isStreamRequest($0.path) }?.bodyText)
    #expect(sent.contains("get_weather"))
    #expect(sent.contains("rain"))
    #expect(sent.contains("Oslo"))
  }

  @Test(arguments: [true, false])
  func aToolCallALocalModelPrintedAsTextBecomesARealOne(_ streaming: Bool) async throws {
    let printed = FakeAnswer(
      text: [
        "<tool_call>", #"{"name": "get_weather", "#, #""arguments": {"city": "Paris"}}"#,
        "</tool_call>",
      ])
    let upstream = try FakeHTTPServer { _ in FakeUpstreamWire.chat.stream(printed, nil, []) }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(
          id: "up", root: upstream.baseURL, extra: "text_tool_calls = true"))
    let tools =
      #","tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"#
    let r = try await proxy.post("/v1/chat/completions", chatBody(stream: streaming, extra: tools))
    // Without tools offered the same text is just text.
    let plain = try await proxy.post("/v1/chat/completions", chatBody(stream: false))
    await proxy.stop()
    if streaming {
      let chunks = sseJSON(r.bodyText)
      #expect(
        !chunks.contains {
          $0["choices"]?[0]?["delta"]?["content"]?.stringValue?.contains("tool_call") == true
        })
      let call = chunks.compactMap { $0["choices"]?[0]?["delta"]?["tool_calls"]?[0] }.first
      #expect(call?["function"]?["name"] == "get_weather")
      #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"] == "tool_calls" })
    } else {
      let message = r.bodyJSON?["choices"]?[0]?["message"]
      #expect(message?["tool_calls"]?[0]?["function"]?["name"] == "get_weather")
      #expect(message?["content"] == .null)
    }
    #expect(
      plain.bodyJSON?["choices"]?[0]?["message"]?["content"]?.stringValue?.hasPrefix("<tool_call>")
        == true)
  }

  @Test func chatPassesUnknownKeysThroughAndMapsToolChoice() async throws {
    let upstream = try FakeHTTPServer { _ in FakeUpstreamWire.chat.stream(Self.answer, nil, []) }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL))
    _ = try await proxy.post(
      "/v1/chat/completions",
      chatBody(
        extra:
          #","seed":7,"stop":["END"],"max_tokens":30,"temperature":0.5,"response_format":{"type":"json_object"},"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"f"}}"#
      ))
    await proxy.stop()
    let sent = try #require(upstream.requests.first?.bodyJSON)
    #expect(sent["seed"] == 7)
    #expect(sent["stop"] == ["END"])
    #expect(sent["max_tokens"] == 30)
    #expect(sent["temperature"] == 0.5)
    #expect(sent["response_format"]?["type"] == "json_object")
    #expect(sent["tool_choice"]?["function"]?["name"] == "f")
    #expect(sent["model"] == "m1")
  }

  /// `tool_choice` and `stop` reach every wire that has a place for them, in its own words.
  @Test(
    arguments: [
      ("chat", #"{"type":"function","function":{"name":"f"}}"#, "stop", #"["END"]"#),
      ("responses", #"{"type":"function","name":"f"}"#, nil, ""),
      ("anthropic", #"{"type":"tool","name":"f"}"#, "stop_sequences", #"["END"]"#),
      (
        "gemini", #"{"functionCallingConfig":{"allowedFunctionNames":["f"],"mode":"ANY"}}"#,
        "generationConfig.stopSequences", #"["END"]"#
      ),
      ("ollama", nil, "options.stop", #"["END"]"#),
    ] as [(String, String?, String?, String)])
  func toolChoiceAndStopReachEveryWireThatHasThem(
    _ wireName: String, _ choice: String?, _ stopKey: String?, _ stop: String
  ) async throws {
    let wire = try #require(FakeUpstreamWire.all.first { $0.name == wireName })
    let upstream = try FakeHTTPServer { req in
      wire.isStreamRequest(req.path) ? wire.stream(Self.answer, nil, []) : .json(404, "{}")
    }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n" + wire.providerTOML(id: "up", root: upstream.baseURL))
    let r = try await proxy.post(
      "/v1/chat/completions",
      chatBody(
        extra:
          #","stop":["END"],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":{"type":"function","function":{"name":"f"}}"#
      ))
    await proxy.stop()
    #expect(r.status == 200)
    let sent = try #require(upstream.requests.first { wire.isStreamRequest($0.path) }?.bodyJSON)
    let choiceKey = ["gemini": "toolConfig"][wireName] ?? "tool_choice"
    let expected = try choice.map { try JSON.parse($0) }
    #expect(sent[choiceKey] == expected, "\(sent)")
    if let stopKey {
      var value: JSON? = sent
      for part in stopKey.split(separator: ".") { value = value?[String(part)] }
      let expectedStop = try JSON.parse(stop)
      #expect(value == expectedStop, "\(sent)")
    }
  }

  // MARK: Routing

  @Test func routesByPrefixAliasAndDefault() async throws {
    let a = try FakeHTTPServer { _ in
      FakeUpstreamWire.chat.stream(FakeAnswer(text: ["from a"]), nil, [])
    }
    let b = try FakeHTTPServer { _ in
      FakeUpstreamWire.ollama.stream(FakeAnswer(text: ["from b"]), nil, [])
    }
    defer {
      a.stop()
      b.stop()
    }
    let proxy = try ProxyFixture(
      """
      model_provider = "a"
      model = "default-model"
      [serve.aliases]
      fast = "b/llama3.2"
      \(FakeUpstreamWire.chat.providerTOML(id: "a", root: a.baseURL))
      \(FakeUpstreamWire.ollama.providerTOML(id: "b", root: b.baseURL))
      """)
    func text(_ model: String) async throws -> String {
      let r = try await proxy.post("/v1/chat/completions", chatBody(model: model, stream: false))
      return r.bodyJSON?["choices"]?[0]?["message"]?["content"]?.stringValue ?? "status \(r.status)"
    }
    #expect(try await text("b/qwen3:8b") == "from b")
    #expect(try await text("fast") == "from b")
    #expect(try await text("a/x") == "from a")
    // A bare name, and a Hugging Face id whose prefix is no configured provider: the default.
    #expect(try await text("plain") == "from a")
    #expect(try await text("meta-llama/Llama-3.1-8B") == "from a")
    // A built-in id does not route while the config chose a provider (as with --model).
    #expect(try await text("openai/gpt-oss-20b") == "from a")
    let log = await proxy.logLines(for: "/v1/chat/completions", count: 6)
    await proxy.stop()
    #expect(
      b.requests.filter { $0.path == "/api/chat" }.compactMap { $0.bodyJSON?["model"]?.stringValue }
        == ["qwen3:8b", "llama3.2"])
    #expect(
      a.requests.compactMap { $0.bodyJSON?["model"]?.stringValue } == [
        "x", "plain", "meta-llama/Llama-3.1-8B", "openai/gpt-oss-20b",
      ])
    #expect(log.contains { $0.contains(" b/llama3.2 200 ") })
  }

  @Test func perModelOptionsFollowTheRoutedModel() async throws {
    let up = try FakeHTTPServer { _ in FakeUpstreamWire.ollama.stream(Self.answer, nil, []) }
    defer { up.stop() }
    let proxy = try ProxyFixture(
      """
      model_provider = "o"
      model = "small"
      [models."big:70b"]
      num_ctx = 32768
      [models.small]
      num_ctx = 2048
      \(FakeUpstreamWire.ollama.providerTOML(id: "o", root: up.baseURL))
      """)
    _ = try await proxy.post("/v1/chat/completions", chatBody(model: "big:70b", stream: false))
    _ = try await proxy.post("/v1/chat/completions", chatBody(model: "small", stream: false))
    await proxy.stop()
    #expect(up.requests.map { $0.bodyJSON?["options"]?["num_ctx"] } == [32768, 2048])
  }

  /// `fallback = [...]` holds for a proxied request as for a session: the next entry answers
  /// when the provider is down, never when the request itself was refused.
  @Test func aProviderThatIsDownFallsBackToTheNextEntryOfTheChain() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let b = try FakeHTTPServer { req in
      req.method == "GET"
        ? .json(404, "{}")
        : FakeUpstreamWire.chat.stream(FakeAnswer(text: ["from b"]), nil, [])
    }
    defer { b.stop() }
    let proxy = try ProxyFixture(
      """
      model_provider = "a"
      model = "m"
      fallback = ["b/backup"]
      [model_providers.a]
      base_url = "http://127.0.0.1:\(refusing.port)/v1"
      \(FakeUpstreamWire.chat.providerTOML(id: "b", root: b.baseURL))
      """)
    let plain = try await proxy.post("/v1/chat/completions", chatBody(model: "m", stream: false))
    let streamed = try await proxy.post("/v1/chat/completions", chatBody(model: "a/other"))
    let log = await proxy.logLines(for: "/v1/chat/completions", count: 2)
    await proxy.stop()
    #expect(plain.status == 200)
    #expect(plain.bodyJSON?["choices"]?[0]?["message"]?["content"] == "from b")
    #expect(streamed.status == 200)
    #expect(streamed.bodyText.contains("from b"))
    #expect(b.requests.compactMap { $0.bodyJSON?["model"]?.stringValue } == ["backup", "backup"])
    #expect(log.count == 2)
    #expect(log.allSatisfy { $0.contains(" b/backup 200 ") && $0.contains("fallback=") })
    #expect(log.allSatisfy { $0.contains("a unreachable") }, "\(log)")
  }

  @Test func aRefusedRequestDoesNotFallBack() async throws {
    let a = try FakeHTTPServer { _ in .json(400, #"{"error":{"message":"bad tools"}}"#) }
    let b = try FakeHTTPServer { _ in
      FakeUpstreamWire.chat.stream(FakeAnswer(text: ["from b"]), nil, [])
    }
    defer {
      a.stop()
      b.stop()
    }
    let proxy = try ProxyFixture(
      """
      model_provider = "a"
      model = "m"
      fallback = ["b/backup"]
      \(FakeUpstreamWire.chat.providerTOML(id: "a", root: a.baseURL))
      \(FakeUpstreamWire.chat.providerTOML(id: "b", root: b.baseURL))
      """)
    let r = try await proxy.post("/v1/chat/completions", chatBody(model: "m", stream: false))
    await proxy.stop()
    #expect(r.status == 400)
    #expect(r.bodyJSON?["error"]?["message"]?.stringValue?.contains("bad tools") == true)
    #expect(b.requests.isEmpty)
  }

  @Test func everyEntryDownIsTheLastErrorNamingTheOthers() async throws {
    let first = try RefusingPort()
    let second = try RefusingPort()
    defer { withExtendedLifetime((first, second)) {} }
    let proxy = try ProxyFixture(
      """
      model_provider = "a"
      model = "m"
      fallback = ["b/backup"]
      [model_providers.a]
      base_url = "http://127.0.0.1:\(first.port)/v1"
      [model_providers.b]
      base_url = "http://127.0.0.1:\(second.port)/v1"
      """)
    let r = try await proxy.post("/v1/chat/completions", chatBody(model: "m", stream: false))
    await proxy.stop()
    #expect(r.status == 502)
    let message = r.bodyJSON?["error"]?["message"]?.stringValue ?? ""
    #expect(message.contains("cannot reach"), "\(message)")
    #expect(message.contains("after falling back from: a unreachable"), "\(message)")
  }

  /// Ollama cuts a prompt longer than its small default window without a word: requests through
  /// the proxy get the `num_ctx` the model needs, as the session's do.
  @Test func ollamaRequestsGetTheContextTheModelNeeds() async throws {
    let up = try FakeHTTPServer { req in
      switch req.path {
      case "/api/show":
        return .json(
          200, #"{"model_info":{"general.architecture":"qwen2","qwen2.context_length":32768}}"#)
      case "/api/ps": return .json(200, #"{"models":[]}"#)
      default: return FakeUpstreamWire.ollama.stream(Self.answer, nil, [])
      }
    }
    defer { up.stop() }
    let proxy = try ProxyFixture(
      """
      model_provider = "o"
      model = "qwen2.5-coder:7b"
      \(FakeUpstreamWire.ollama.providerTOML(id: "o", root: up.baseURL))
      """)
    _ = try await proxy.post("/v1/chat/completions", chatBody(model: "qwen2.5-coder:7b"))
    _ = try await proxy.post(
      "/v1/messages",
      #"{"model":"qwen2.5-coder:7b","max_tokens":50,"messages":[{"role":"user","content":"x"}]}"#)
    await proxy.stop()
    let chats = up.requests.filter { $0.path == "/api/chat" }
    #expect(chats.map { $0.bodyJSON?["options"]?["num_ctx"] } == [16384, 16384])
    #expect(up.requests.filter { $0.path == "/api/show" }.count == 1, "asked once per model")
  }

  @Test func theAccessLogSaysWhatARequestCost() async throws {
    let up = try FakeHTTPServer { _ in
      FakeUpstreamWire.chat.stream(FakeAnswer(text: ["ok"], inputTokens: 1000), nil, [])
    }
    defer { up.stop() }
    let proxy = try ProxyFixture(
      """
      model_provider = "up"
      [models."priced".price]
      input = 2.0
      output = 8.0
      \(FakeUpstreamWire.chat.providerTOML(id: "up", root: up.baseURL))
      """)
    _ = try await proxy.post("/v1/chat/completions", chatBody(model: "priced"))
    let log = await proxy.logLines(for: "/v1/chat/completions")
    await proxy.stop()
    #expect(log.first?.contains(" cost=$0.") == true, "\(log)")
  }

  // MARK: Errors

  @Test func anUpstream429StaysA429WithRetryAfterAndIsNotRetriedHere() async throws {
    let upstream = try FakeHTTPServer { _ in
      .json(
        429, #"{"error":{"message":"slow down","type":"rate_limit"}}"#,
        headers: [("Retry-After", "7")])
    }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL))
    let r = try await proxy.post("/v1/chat/completions", chatBody())
    let m = try await proxy.post(
      "/v1/messages", #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#)
    await proxy.stop()
    #expect(r.status == 429)
    #expect(r.header("retry-after") == "7")
    #expect(r.bodyJSON?["error"]?["message"]?.stringValue?.contains("slow down") == true)
    #expect(r.bodyJSON?["error"]?["code"] == "rate_limit_exceeded")
    #expect(m.status == 429)
    #expect(m.bodyJSON?["type"] == "error")
    #expect(m.bodyJSON?["error"]?["type"] == "rate_limit_error")
    #expect(upstream.requests.count == 2)
  }

  @Test(arguments: [
    (401, #"{"error":{"message":"bad key","code":"invalid_api_key"}}"#, 401, "bad key"),
    (
      404, #"{"error":{"message":"The model 'm1' does not exist","code":"model_not_found"}}"#, 404,
      "has no model 'm1'"
    ),
    (400, #"{"error":{"message":"messages too long"}}"#, 400, "messages too long"),
    (503, #"{"error":"loading model"}"#, 503, "loading model"),
  ])
  func upstreamErrorsKeepTheirStatus(
    _ upstreamStatus: Int, _ body: String, _ status: Int, _ says: String
  )
    async throws
  {
    let upstream = try FakeHTTPServer { req in
      req.method == "GET" ? .json(200, #"{"data":[{"id":"other"}]}"#) : .json(upstreamStatus, body)
    }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(
          id: "up", root: upstream.baseURL, extra: "request_max_retries = 0"))
    let r = try await proxy.post("/v1/chat/completions", chatBody())
    await proxy.stop()
    #expect(r.status == status)
    let message = r.bodyJSON?["error"]?["message"]?.stringValue ?? ""
    #expect(message.contains(says), "\(message)")
  }

  @Test func anUnreachableUpstreamIs502NamingWhatToStart() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let proxy = try ProxyFixture(
      """
      model_provider = "up"
      [model_providers.up]
      base_url = "http://127.0.0.1:\(port)/v1"
      """)
    let r = try await proxy.post("/v1/chat/completions", chatBody())
    let log = await proxy.logLines(for: "/v1/chat/completions")
    await proxy.stop()
    #expect(r.status == 502)
    #expect(r.bodyJSON?["error"]?["message"]?.stringValue?.contains("cannot reach") == true)
    #expect(log.first?.contains(" 502 ") == true)
    #expect(log.first?.contains("error=") == true)
  }

  @Test func anUpstreamThatDropsMidStreamEndsTheStreamWithAnErrorEvent() async throws {
    let upstream = try FakeHTTPServer { _ in
      FakeUpstreamWire.chat.stream(FakeAnswer(text: ["one", "two", "three"]), 2, [.close])
    }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL))
    let r = try await proxy.post("/v1/chat/completions", chatBody())
    let m = try await proxy.post(
      "/v1/messages",
      #"{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"x"}]}"#)
    await proxy.stop()
    #expect(r.status == 200)
    let chunks = sseJSON(r.bodyText)
    let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }
    #expect(text.filter { !$0.isEmpty } == ["one", "two"])
    let error = try #require(chunks.last?["error"])
    #expect(error["message"]?.stringValue?.contains("dropped") == true)
    #expect(sseEvents(m.bodyText).last?.event == "error")
  }

  @Test func aClientThatLeavesMidStreamClosesTheUpstreamWithin100ms() async throws {
    let upstream = try FakeHTTPServer { _ in
      FakeUpstreamWire.chat.stream(FakeAnswer(text: ["first"]), 1, [.hang])
    }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL))
    let port = proxy.port
    let body = chatBody()
    // The upstream never sends another byte, so a proxy that noticed the client only at its
    // next write, or on a timer, would never close it in time. Three threads take part (the
    // proxy's loop, curl's, the upstream's), which a machine loaded by the rest of the suite
    // may each delay; scheduling only ever adds delay, so the best of up to ten tries is held
    // to 100 ms (the first try, on an idle machine).
    var best = Duration.seconds(3600)
    for attempt in 1...10 {
      let client = try await RawHTTPConnection.run { () -> RawHTTPConnection in
        let c = try RawHTTPConnection(port: port)
        try c.send(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        )
        // Wait for the first token to arrive, so the stream is under way.
        var seen = ""
        while !seen.contains("first") {
          seen += String(decoding: try c.readSome(), as: UTF8.self)
        }
        return c
      }
      #expect(upstream.openConnectionCount == 1)
      let left = ContinuousClock.now
      client.abort()
      #expect(await upstream.wait { $0.openConnectionCount == 0 })
      // Timed by the upstream's own clock reading, not by this test's polling.
      let closed = try #require(upstream.lastConnectionClosedAt)
      best = min(best, closed - left)
      #expect(await proxy.logLines(for: "/v1/chat/completions", count: attempt).count == attempt)
      if best < .milliseconds(100) { break }
    }
    #expect(best < .milliseconds(100), "the upstream was closed \(best) after the client left")
    let log = proxy.log
    await proxy.stop()
    #expect(log.allSatisfy { !$0.contains("/v1/chat/completions") || $0.contains(" 499 ") })
  }

  @Test func aClientThatDoesNotReadHoldsBackTheUpstreamInsteadOfFillingTheProxy() async throws {
    // 40 MiB of answer in 64 KiB events, as fast as the upstream can write.
    let piece = String(repeating: "x", count: 64 * 1024 - 100)
    let event = #"{"choices":[{"index":0,"delta":{"content":"\#(piece)"},"finish_reason":null}]}"#
    let count = 640
    let upstream = try FakeHTTPServer { _ in
      .sse(Array(repeating: event, count: count) + ["[DONE]"])
    }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL))
    let body = chatBody()
    let client = try RawHTTPConnection(port: proxy.port)
    client.setReceiveBuffer(64 * 1024)
    try client.send(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    )
    // The client reads nothing: the upstream gets as far as the socket buffers and the bounded
    // queues allow, then stalls. Wait for it to stall, then see how far it got.
    #expect(await eventually { upstream.bodyBytesSent > 0 })
    var last = -1
    while upstream.bodyBytesSent != last {
      last = upstream.bodyBytesSent
      try await Task.sleep(for: .milliseconds(300))
    }
    #expect(
      last < 16 << 20, "the upstream sent \(last) bytes to a proxy whose client reads nothing")
    let response = try await RawHTTPConnection.run { try client.readResponse(timeoutMs: 60_000) }
    await proxy.stop()
    let text = sseJSON(response.bodyText).compactMap {
      $0["choices"]?[0]?["delta"]?["content"]?.stringValue
    }.joined()
    #expect(text.utf8.count == count * piece.utf8.count)
  }

  @Test func twoHundredStreamsAtOnce() async throws {
    let gate = try FakeGate()
    let upstream = try FakeHTTPServer { _ in
      var r = FakeUpstreamWire.chat.stream(FakeAnswer(text: ["a", "b", "c"]), nil, [])
      r.steps.insert(.wait(gate), at: 1)
      return r
    }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL))
    let port = proxy.port
    let body = chatBody()
    let request =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    let clients = try (0..<200).map { _ in try RawHTTPConnection(port: port) }
    for c in clients { try c.send(request) }
    // Every stream is open at the proxy and upstream at the same time.
    #expect(await upstream.wait { $0.requests.count == 200 && $0.openConnectionCount == 200 })
    #expect(proxy.server.requestsInFlight == 200)
    gate.open()
    let texts = try await RawHTTPConnection.run {
      try clients.map { c in
        sseJSON(try c.readResponse().bodyText).compactMap {
          $0["choices"]?[0]?["delta"]?["content"]?.stringValue
        }.joined()
      }
    }
    await proxy.stop()
    #expect(texts.count == 200)
    #expect(texts.allSatisfy { $0 == "abc" })
  }

  // MARK: Limits

  @Test func overTheConcurrencyLimitRequestsQueueThenGet429() async throws {
    let gate = try FakeGate()
    let upstream = try FakeHTTPServer { _ in
      FakeResponse(
        status: 200, headers: [("Content-Type", "text/event-stream")],
        steps: [.wait(gate)] + FakeUpstreamWire.chat.stream(Self.answer, nil, []).steps,
        framing: .chunked)
    }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      """
      model_provider = "up"
      [serve]
      max_queue = 1
      \(FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL, extra: "max_concurrent = 1"))
      """)
    let first = Task { try await proxy.post("/v1/chat/completions", chatBody()) }
    #expect(await eventually { upstream.requests.count == 1 })
    let second = Task { try await proxy.post("/v1/chat/completions", chatBody()) }
    // The second waits in the queue: the upstream does not see it.
    #expect(await eventually { proxy.service.gates["up"]?.queued == 1 })
    #expect(upstream.requests.count == 1)
    let third = try await proxy.post("/v1/chat/completions", chatBody())
    #expect(third.status == 429)
    #expect(third.header("retry-after") == "1")
    #expect(
      third.bodyJSON?["error"]?["message"]?.stringValue?.contains("max_concurrent = 1") == true)
    gate.open()
    #expect(try await first.value.status == 200)
    #expect(try await second.value.status == 200)
    let log = await proxy.logLines(for: "/v1/chat/completions", count: 3)
    await proxy.stop()
    #expect(upstream.requests.count == 2)
    #expect(log.contains { $0.contains(" 200 ") && $0.contains("queued=#1/") })
  }

  @Test func overTheRequestsPerMinuteLimitWithNoQueueIs429WithRetryAfter() async throws {
    let upstream = try FakeHTTPServer { _ in FakeUpstreamWire.chat.stream(Self.answer, nil, []) }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      """
      model_provider = "up"
      [serve]
      max_queue = 0
      \(FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL, extra: "requests_per_minute = 1"))
      """)
    let ok = try await proxy.post("/v1/chat/completions", chatBody())
    let refused = try await proxy.post("/v1/chat/completions", chatBody())
    await proxy.stop()
    #expect(ok.status == 200)
    #expect(refused.status == 429)
    let retry = Int(refused.header("retry-after") ?? "") ?? 0
    #expect((50...61).contains(retry), "Retry-After \(retry)")
    #expect(upstream.requests.count == 1)
  }

  // MARK: Auth

  @Test func withAKeyClientsMustSendIt() async throws {
    let upstream = try FakeHTTPServer { _ in FakeUpstreamWire.chat.stream(Self.answer, nil, []) }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL),
      apiKey: "sekrit")
    let none = try await proxy.post("/v1/chat/completions", chatBody())
    let wrong = try await proxy.post(
      "/v1/chat/completions", chatBody(), headers: [("Authorization", "Bearer sekriT")])
    let bearer = try await proxy.post(
      "/v1/chat/completions", chatBody(), headers: [("Authorization", "Bearer sekrit")])
    let xKey = try await proxy.post(
      "/v1/messages", #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#,
      headers: [("x-api-key", "sekrit")])
    let models = try await proxy.get("/v1/models")
    let health = try await proxy.get("/health")
    let log = proxy.log
    await proxy.stop()
    #expect(none.status == 401)
    #expect(none.header("www-authenticate") == "Bearer")
    #expect(wrong.status == 401)
    #expect(bearer.status == 200)
    #expect(xKey.status == 200)
    #expect(models.status == 401)
    #expect(health.status == 200)
    // The upstream never sees the client's key; the log never shows it.
    #expect(upstream.requests.allSatisfy { $0.header("authorization") == nil })
    #expect(!log.joined().contains("sekrit"))
  }

  @Test func theProvidersKeyComesFromItsEnvKeyNotFromTheClient() async throws {
    let upstream = try FakeHTTPServer { _ in FakeUpstreamWire.chat.stream(Self.answer, nil, []) }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(
          id: "up", root: upstream.baseURL,
          extra: "env_key = \"UP_KEY\"\nenv_http_headers = { \"X-Org\" = \"UP_ORG\" }"),
      environment: ["UP_KEY": "provider-key", "UP_ORG": "org-1"])
    _ = try await proxy.post(
      "/v1/chat/completions", chatBody(), headers: [("Authorization", "Bearer client-key")])
    await proxy.stop()
    #expect(upstream.requests.first?.header("authorization") == "Bearer provider-key")
    #expect(upstream.requests.first?.header("x-org") == "org-1")
  }

  // MARK: Models and health

  @Test func modelsListsEveryProviderAndTheAliasesLeavingOutOneThatIsDown() async throws {
    let a = try FakeHTTPServer { req in
      req.path == "/v1/models"
        ? .json(200, #"{"object":"list","data":[{"id":"m1"},{"id":"m2"}]}"#) : .json(404, "{}")
    }
    let b = try FakeHTTPServer { req in
      req.path == "/api/tags" ? .json(200, #"{"models":[{"name":"qwen3:8b"}]}"#) : .json(404, "{}")
    }
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let down = refusing.port
    defer {
      a.stop()
      b.stop()
    }
    let proxy = try ProxyFixture(
      """
      model_provider = "a"
      model = "m1"
      [serve.aliases]
      fast = "b/qwen3:8b"
      \(FakeUpstreamWire.chat.providerTOML(id: "a", root: a.baseURL))
      \(FakeUpstreamWire.ollama.providerTOML(id: "b", root: b.baseURL))
      [model_providers.gone]
      base_url = "http://127.0.0.1:\(down)/v1"
      """)
    let r = try await proxy.get("/v1/models")
    let again = try await proxy.get("/v1/models")
    let anthropic = try await proxy.get(
      "/v1/models", headers: [("anthropic-version", "2023-06-01")])
    let log = proxy.log
    await proxy.stop()
    let ids = r.bodyJSON?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    #expect(ids == ["a/m1", "a/m2", "b/qwen3:8b", "fast"])
    #expect(r.bodyJSON?["object"] == "list")
    #expect(again.bodyJSON == r.bodyJSON)
    // Cached: each server was asked once.
    #expect(a.requests.count == 1)
    #expect(b.requests.count == 1)
    #expect(log.contains { $0.contains("left out gone") && $0.contains("cannot reach") })
    #expect(anthropic.bodyJSON?["data"]?[0]?["type"] == "model")
    #expect(anthropic.bodyJSON?["has_more"] == false)
  }

  @Test func healthAndUnknownRoutes() async throws {
    let proxy = try ProxyFixture("")
    let health = try await proxy.get("/health")
    let missing = try await proxy.get("/v1/embeddings")
    let wrongMethod = try await proxy.get("/v1/chat/completions")
    await proxy.stop()
    #expect(health.bodyJSON?["status"] == "ok")
    #expect(missing.status == 404)
    #expect(
      missing.bodyJSON?["error"]?["message"]?.stringValue?.contains("no route /v1/embeddings")
        == true)
    #expect(wrongMethod.status == 405)
    #expect(wrongMethod.header("allow") == "POST")
  }

  // MARK: Hostile bodies

  static let badBodies: [(body: [UInt8], says: String)] = [
    (
      Array(#"{"model":"m","messages":[{"role":"user","content":"a"#.utf8) + [0xC3, 0x28]
        + Array(#""}]}"#.utf8),
      "not valid UTF-8 (byte \(#"{"model":"m","messages":[{"role":"user","content":"a"#.utf8.count))"
    ),
    (Array(#"{"model":"m","messages":[}"#.utf8), "not valid JSON"),
    (Array(repeating: UInt8(ascii: "["), count: 100_000), "nested too deeply"),
    (Array(#"{"model":"m"}"#.utf8), "no 'messages'"),
    (Array(#"{"messages":[]}"#.utf8), "no 'model'"),
    (Array(#"[1,2]"#.utf8), "expected an object"),
    (Array(#"{"model":"m","messages":[{"role":"wizard","content":"x"}]}"#.utf8), "role 'wizard'"),
    (
      Array(#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]}"#.utf8),
      "image_url"
    ),
    (Array(#"{"model":"m","temperature":1e400,"messages":[]}"#.utf8), "temperature"),
    (Array(#"{"model":"m","max_tokens":99999999999999999999,"messages":[]}"#.utf8), "max_tokens"),
    (Array(#"{"model":"m","n":3,"messages":[]}"#.utf8), "n = 1"),
    ([], "no body"),
  ]

  @Test(arguments: 0..<badBodies.count)
  func badBodiesAre400WithTheReason(_ index: Int) async throws {
    let (body, says) = Self.badBodies[index]
    let proxy = try ProxyFixture("")
    let port = proxy.port
    let r = try await RawHTTPConnection.run {
      let c = try RawHTTPConnection(port: port)
      try c.send(
        Array(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n"
            .utf8) + body)
      return try c.readResponse()
    }
    await proxy.stop()
    #expect(r.status == 400)
    let message = r.bodyJSON?["error"]?["message"]?.stringValue ?? ""
    #expect(message.contains(says), "\(message)")
  }

  @Test func aTenMegabyteRequestIsForwardedWhole() async throws {
    let upstream = try FakeHTTPServer { _ in FakeUpstreamWire.chat.stream(Self.answer, nil, []) }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL))
    let big = String(repeating: "é🙂x", count: 10 << 20 / 7)
    let r = try await proxy.post(
      "/v1/chat/completions",
      #"{"model":"m","stream":false,"messages":[{"role":"user","content":"\#(big)"}]}"#)
    await proxy.stop()
    #expect(r.status == 200)
    let sent = try #require(upstream.requests.first?.bodyJSON)
    #expect(sent["messages"]?[0]?["content"]?.stringValue == big)
  }
}
