import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

/// The context-window lookup per server kind, against fake servers over loopback.
/// The machine is shared and slow at times: waits are generous, and a broken timeout shows as
/// the suite's time limit rather than a hang.
@Suite(.timeLimit(.minutes(10))) struct ContextWindowProbeTests {
  let transport = CurlTransport()

  func provider(
    _ base: String, wire: WireAPI = .chat, flavor: ServerFlavor = .generic, id: String = "p",
    local: Bool = true, options: ModelOptions = ModelOptions()
  ) -> ProviderInfo {
    ProviderInfo(
      id: id, name: "Fake", baseURL: base, wire: wire, flavor: flavor, isLocal: local,
      modelOptions: options)
  }

  func probe(kind: ServerKind? = nil, timeout: Duration = .seconds(600)) -> ContextWindowProbe {
    ContextWindowProbe(transport: transport, environment: [:], timeout: timeout, kind: kind)
  }

  @Test func configWinsWithoutAskingTheServer() async throws {
    let server = try FakeHTTPServer { _ in .json(500, "{}") }
    defer { server.stop() }
    let w = await probe().lookup(
      provider: provider(server.baseURL, flavor: .vllm), model: "m", configured: 12345)
    #expect(
      w
        == ContextWindow(tokens: 12345, source: "model_context_window"))
    #expect(server.requests.isEmpty)
  }

  @Test func llamaCppPropsAndRouterMode() async throws {
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/props": return .json(200, #"{"default_generation_settings":{"n_ctx":0}}"#)
      case "/props?model=big.gguf":
        return .json(200, #"{"default_generation_settings":{"n_ctx":4096}}"#)
      case "/v1/models":
        return .json(200, #"{"data":[{"id":"big.gguf","meta":{"n_ctx_train":131072}}]}"#)
      default: return .json(404, "{}")
      }
    }
    defer { server.stop() }
    let w = await probe().lookup(
      provider: provider(server.baseURL + "/v1", flavor: .llamacpp), model: "big.gguf")
    #expect(w?.tokens == 4096, "the allocated window, not the trained 131072")
    #expect(w?.source == "llama.cpp GET /props (n_ctx)")
  }

  @Test func llamaCppOlderBuildWithoutPropsUsesMeta() async throws {
    let server = try FakeHTTPServer { req in
      req.path == "/v1/models"
        ? .json(200, #"{"data":[{"id":"x","meta":{"n_ctx":2048,"n_ctx_train":8192}}]}"#)
        : .json(404, "{}")
    }
    defer { server.stop() }
    let w = await probe().lookup(
      provider: provider(server.baseURL + "/v1", flavor: .llamacpp), model: "x")
    #expect(w?.tokens == 2048)
    #expect(w?.source.contains("meta.n_ctx") == true)
  }

  @Test func vllmMaxModelLen() async throws {
    let server = try FakeHTTPServer { req in
      req.path == "/v1/models"
        ? .json(200, #"{"data":[{"id":"Qwen/Qwen2.5-7B-Instruct","max_model_len":16384}]}"#)
        : .json(404, "{}")
    }
    defer { server.stop() }
    let w = await probe().lookup(
      provider: provider(server.baseURL + "/v1", flavor: .vllm), model: "Qwen/Qwen2.5-7B-Instruct")
    #expect(w?.tokens == 16384)
    #expect(w?.source == "vLLM GET /v1/models (max_model_len)")
  }

  @Test func lmStudioLoadedElseMaximum() async throws {
    let server = try FakeHTTPServer { req in
      req.path == "/api/v0/models"
        ? .json(
          200,
          #"{"data":[{"id":"a","state":"loaded","max_context_length":32768,"loaded_context_length":4096},{"id":"b","state":"not-loaded","max_context_length":131072}]}"#
        )
        : .json(404, "{}")
    }
    defer { server.stop() }
    let p = provider(server.baseURL + "/v1", flavor: .lmstudio)
    let a = await probe().lookup(provider: p, model: "a")
    #expect(a?.tokens == 4096)
    #expect(a?.source.contains("loaded_context_length") == true)
    let b = await probe().lookup(provider: p, model: "b")
    #expect(b?.tokens == 131072)
    #expect(b?.source.contains("max_context_length") == true)
  }

  @Test func ollamaWindowIsTheNumCtxCodexSends() async throws {
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/api/show":
        return .json(
          200, #"{"model_info":{"general.architecture":"llama","llama.context_length":131072}}"#)
      case "/api/ps": return .json(200, #"{"models":[]}"#)
      default: return .json(404, "{}")
      }
    }
    defer { server.stop() }
    let p = provider(server.baseURL, wire: .ollama)
    let w = await probe().lookup(provider: p, model: "llama3.1")
    #expect(w?.tokens == 16384, "min(131072, 16384)")
    #expect(w?.source.contains("num_ctx codex sends") == true)
    #expect(w?.source.contains("131072") == true)
    // A configured num_ctx is the window, capped by what the model was trained for.
    var configured = ModelOptions()
    configured.extra["num_ctx"] = .int(200_000)
    let capped = await probe().lookup(
      provider: provider(server.baseURL, wire: .ollama, options: configured), model: "llama3.1")
    #expect(capped?.tokens == 131072)
  }

  @Test func ollamaKeepsALargerLoadedWindow() async throws {
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/api/show":
        return .json(
          200, #"{"model_info":{"general.architecture":"qwen2","qwen2.context_length":32768}}"#)
      case "/api/ps":
        return .json(200, #"{"models":[{"name":"qwen3:latest","context_length":32768}]}"#)
      default: return .json(404, "{}")
      }
    }
    defer { server.stop() }
    let probe = probe()
    let p = provider(server.baseURL, wire: .ollama)
    let w = await probe.lookup(provider: p, model: "qwen3")
    #expect(w?.tokens == 32768)
    let n = await probe.ollamaNumCtx(
      provider: p, model: "qwen3", options: ModelOptions(), modelContextWindow: nil)
    #expect(n == 32768, "the server already gives it more than 16384: keep that")
    // Asked once: show and ps, then the cache.
    #expect(server.requests.map(\.path).sorted() == ["/api/ps", "/api/show"])
  }

  @Test func tgiInfo() async throws {
    let server = try FakeHTTPServer { req in
      req.path == "/info"
        ? .json(200, #"{"model_id":"m","max_input_tokens":4095,"max_total_tokens":4096}"#)
        : .json(404, "{}")
    }
    defer { server.stop() }
    let w = await probe().lookup(provider: provider(server.baseURL, flavor: .tgi), model: "tgi")
    #expect(
      w
        == ContextWindow(
          tokens: 4096, source: "TGI GET /info (max_total_tokens; prompts at most 4095)"))
  }

  @Test func anthropicAndGeminiModelEndpoints() async throws {
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/v1/models/claude-x": return .json(200, #"{"id":"claude-x","max_input_tokens":200000}"#)
      case "/v1beta/models/gemini-x":
        return .json(200, #"{"name":"models/gemini-x","inputTokenLimit":1048576}"#)
      default: return .json(404, "{}")
      }
    }
    defer { server.stop() }
    let a = await probe(kind: .anthropic).lookup(
      provider: provider(server.baseURL + "/v1", local: false), model: "claude-x")
    #expect(a?.tokens == 200_000)
    let g = await probe(kind: .gemini).lookup(
      provider: provider(server.baseURL + "/v1beta", local: false), model: "models/gemini-x")
    #expect(g?.tokens == 1_048_576)
  }

  @Test func openAIHasNoWindowSoTheTableAnswers() async throws {
    let server = try FakeHTTPServer { _ in .json(200, #"{"data":[{"id":"gpt-4o"}]}"#) }
    defer { server.stop() }
    let w = await probe().lookup(
      provider: provider(server.baseURL + "/v1", flavor: .openai, id: "openai", local: false),
      model: "gpt-4o-2024-08-06")
    #expect(w?.tokens == 128_000)
    #expect(w?.source.hasPrefix("built-in table: ") == true)
    #expect(w?.source.contains("providers/openai/models/gpt-4o.toml") == true)
  }

  /// A local server without the endpoint: unknown, not a guess from the hosted table.
  @Test func endpointMissingIsUnknown() async throws {
    let server = try FakeHTTPServer { _ in .json(404, #"{"error":"not found"}"#) }
    defer { server.stop() }
    for flavor in [ServerFlavor.llamacpp, .vllm, .lmstudio, .tgi] {
      let w = await probe().lookup(
        provider: provider(server.baseURL + "/v1", flavor: flavor), model: "gpt-4o")
      #expect(w == nil, "\(flavor)")
    }
    let ollama = await probe().lookup(provider: provider(server.baseURL, wire: .ollama), model: "m")
    #expect(ollama == nil)
  }

  /// A server that never answers holds the caller for the probe's timeout only; its late
  /// answer is cached for the next lookup.
  @Test func slowServerIsABoundedWaitAndALateAnswerIsKept() async throws {
    let gate = try FakeGate()
    let server = try FakeHTTPServer { _ in
      .stream(
        headers: [("Content-Type", "application/json")],
        steps: [.wait(gate), .send(#"{"data":[{"id":"m","max_model_len":8192}]}"#)])
    }
    defer { server.stop() }
    let probe = probe(timeout: .milliseconds(200))
    let p = provider(server.baseURL + "/v1", flavor: .vllm)
    // The server cannot answer before the gate opens, which is after this returns: a lookup
    // that did not give up would never return.
    let first = await probe.lookup(provider: p, model: "m")
    #expect(first == nil)
    gate.open()
    // The same lookup, asked again until the late answer is in (bounded).
    var later: ContextWindow?
    let deadline = ContinuousClock.now + .seconds(300)
    while later == nil, ContinuousClock.now < deadline {
      later = await probe.lookup(provider: p, model: "m")
    }
    #expect(later?.tokens == 8192)
    #expect(server.requests.count == 1, "asked once; the rest came from the cache")
  }

  @Test func cancellingTheCallerReturnsAtOnce() async throws {
    let server = try FakeHTTPServer { _ in .stream(steps: [.hang]) }
    defer { server.stop() }
    // Longer than the suite's time limit: only the cancellation can end this lookup in time.
    let probe = probe(timeout: .seconds(3600))
    let p = provider(server.baseURL + "/v1", flavor: .vllm)
    let task = Task { await probe.lookup(provider: p, model: "m") }
    #expect(await server.wait(timeout: .seconds(300)) { $0.requests.count == 1 })
    task.cancel()
    #expect(await task.value == nil)
  }
}

@Suite struct OllamaContextSizeTests {
  @Test(
    arguments: [
      // configured, model_context_window, trained, server default → num_ctx
      (8192, 65536, 131072, 32768, 8192),
      (nil, 65536, 131072, 32768, 65536),
      (nil, nil, 131072, nil, 16384),
      (nil, nil, 8192, nil, 8192),
      (nil, nil, 131072, 32768, 32768),
      (nil, nil, 131072, 4096, 16384),
      (nil, nil, nil, 4096, 4096),
      (nil, nil, nil, nil, nil),
      (0, nil, 2048, nil, 2048),
    ] as [(Int?, Int?, Int?, Int?, Int?)])
  func numCtx(_ c: (Int?, Int?, Int?, Int?, Int?)) {
    #expect(
      OllamaContextSize.numCtx(
        configured: c.0, modelContextWindow: c.1, trainedContext: c.2, serverDefault: c.3) == c.4)
  }
}
