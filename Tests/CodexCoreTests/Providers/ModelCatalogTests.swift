import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

/// The catalog against a fake server of each kind, over real loopback sockets.
/// The machine is shared and slow at times: waits are generous, and a broken timeout shows as
/// the suite's time limit rather than a hang.
@Suite(.timeLimit(.minutes(10))) struct ModelCatalogTests {
  let transport = CurlTransport()

  func provider(
    _ base: String, wire: WireAPI = .chat, flavor: ServerFlavor = .generic, env: String? = nil,
    requiresKey: Bool = false
  ) -> ProviderInfo {
    ProviderInfo(
      id: "p", name: "Fake", baseURL: base, wire: wire, flavor: flavor, envKey: env,
      requiresKey: requiresKey, isLocal: !requiresKey)
  }

  func catalog(
    _ p: ProviderInfo, kind: ServerKind? = nil, environment: [String: String] = [:],
    prices: PriceBook = PriceBook(), timeout: Duration? = nil
  ) -> ModelCatalog {
    ModelCatalog(
      query: ServerQuery(
        provider: p, transport: transport, environment: environment, timeout: timeout, kind: kind),
      prices: prices)
  }

  @Test func ollamaListingCompletedByShowAndPs() async throws {
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/api/tags":
        return .json(
          200,
          #"{"models":[{"name":"qwen2.5-coder:7b","size":4683087332,"details":{"parameter_size":"7.6B","quantization_level":"Q4_K_M"}},{"name":"nomic:latest","size":1000}]}"#
        )
      case "/api/show":
        if req.bodyJSON?["model"] == "qwen2.5-coder:7b" {
          return .json(
            200,
            #"{"model_info":{"general.architecture":"qwen2","qwen2.context_length":32768},"capabilities":["completion","tools"]}"#
          )
        }
        return .json(404, #"{"error":"model 'nomic' not found"}"#)
      case "/api/ps":
        return .json(200, #"{"models":[{"name":"qwen2.5-coder:7b","context_length":16384}]}"#)
      default:
        return .json(404, "{}")
      }
    }
    defer { server.stop() }
    // The user wrote …/api: the root is found all the same.
    let models = try await catalog(provider(server.baseURL + "/api/", wire: .ollama)).list()
    #expect(models.map(\.id) == ["qwen2.5-coder:7b", "nomic:latest"])
    #expect(models[0].trainedContext == 32768)
    #expect(models[0].contextWindow == 16384)
    #expect(models[0].tools == true)
    #expect(models[0].loaded == true)
    #expect(models[0].price == .free, "a local server costs nothing")
    #expect(models[1].loaded == false)
    #expect(models[1].tools == nil)
    // The quick list for completion asks only the listing.
    let before = server.requests.count
    _ = try await catalog(provider(server.baseURL, wire: .ollama)).list(details: false)
    #expect(server.requests.dropFirst(before).map(\.path) == ["/api/tags"])
  }

  @Test func lmStudioFallsBackFromV0ToOpenAIListing() async throws {
    let server = try FakeHTTPServer { req in
      req.path == "/v1/models"
        ? .json(200, #"{"data":[{"id":"qwen2.5-coder-7b-instruct","object":"model"}]}"#)
        : .json(404, #"{"error":"Unexpected endpoint or method."}"#)
    }
    defer { server.stop() }
    let models = try await catalog(provider(server.baseURL + "/v1", flavor: .lmstudio)).list()
    #expect(models.map(\.id) == ["qwen2.5-coder-7b-instruct"])
    #expect(server.requests.map(\.path) == ["/api/v0/models", "/api/v1/models", "/v1/models"])
  }

  @Test func openAIListingGetsWindowAndPriceFromTheTable() async throws {
    let server = try FakeHTTPServer { _ in
      .json(
        200, #"{"data":[{"id":"gpt-5","object":"model"},{"id":"my-finetune","object":"model"}]}"#)
    }
    defer { server.stop() }
    var p = provider(
      server.baseURL + "/v1", flavor: .openai, env: "OPENAI_API_KEY", requiresKey: true)
    p.id = "openai"
    let models = try await catalog(p, environment: ["OPENAI_API_KEY": "sk-1"]).list()
    let gpt5 = try #require(models.first { $0.id == "gpt-5" })
    #expect(gpt5.contextWindow == 400_000)
    #expect(gpt5.price == ModelPrice(input: 1.25, cachedInput: 0.125, output: 10))
    #expect(gpt5.priceSource?.contains("models.dev") == true)
    #expect(models.first { $0.id == "my-finetune" }?.price == nil)
    #expect(server.requests.first?.header("authorization") == "Bearer sk-1")
    #expect(server.requests.first?.method == "GET")
    #expect(server.requests.first?.header("content-type") == nil)
  }

  @Test func configPriceWinsOverTheServers() async throws {
    let server = try FakeHTTPServer { _ in
      .json(
        200,
        #"{"data":[{"id":"a/b","context_length":8000,"pricing":{"prompt":"0.000001","completion":"0.000002"}}]}"#
      )
    }
    defer { server.stop() }
    let p = provider(server.baseURL + "/api/v1", env: "K", requiresKey: true)
    let prices = PriceBook(overrides: ["a/b": ModelPrice(input: 9, output: 9)])
    let models = try await catalog(p, environment: ["K": "x"], prices: prices).list()
    #expect(models.first?.price == ModelPrice(input: 9, output: 9))
    #expect(models.first?.priceSource == "config")
  }

  @Test func anthropicPagesWithItsOwnHeaders() async throws {
    let server = try FakeHTTPServer { req in
      if req.path.contains("after_id=m1") {
        return .json(200, #"{"data":[{"id":"m2","max_input_tokens":100}],"has_more":false}"#)
      }
      return .json(
        200, #"{"data":[{"id":"m1","max_input_tokens":200000}],"has_more":true,"last_id":"m1"}"#)
    }
    defer { server.stop() }
    let p = provider(
      server.baseURL + "/v1", wire: .anthropic, env: "ANTHROPIC_API_KEY", requiresKey: true)
    let models = try await catalog(
      p, kind: .anthropic, environment: ["ANTHROPIC_API_KEY": "sk-ant"]
    ).list()
    #expect(models.map(\.id) == ["m1", "m2"])
    #expect(models[0].contextWindow == 200_000)
    #expect(server.requests.map(\.path) == ["/v1/models", "/v1/models?after_id=m1"])
    let first = try #require(server.requests.first)
    #expect(first.header("x-api-key") == "sk-ant")
    #expect(first.header("anthropic-version") == "2023-06-01")
    #expect(first.header("authorization") == nil)
  }

  @Test func geminiPagesWithItsKeyHeader() async throws {
    let server = try FakeHTTPServer { req in
      if req.path.contains("pageToken=") {
        return .json(200, #"{"models":[{"name":"models/g2","inputTokenLimit":10}]}"#)
      }
      return .json(
        200,
        #"{"models":[{"name":"models/g1","inputTokenLimit":1048576,"supportedGenerationMethods":["generateContent"]}],"nextPageToken":"t1"}"#
      )
    }
    defer { server.stop() }
    let p = provider(
      server.baseURL + "/v1beta", wire: .gemini, env: "GEMINI_API_KEY", requiresKey: true)
    let models = try await catalog(p, kind: .gemini, environment: ["GEMINI_API_KEY": "g-key"])
      .list()
    #expect(models.map(\.id) == ["g1", "g2"])
    #expect(server.requests.map(\.path) == ["/v1beta/models", "/v1beta/models?pageToken=t1"])
    #expect(server.requests.first?.header("x-goog-api-key") == "g-key")
    #expect(server.requests.first?.header("authorization") == nil)
  }

  /// A server that answers "more" forever is asked a bounded number of times.
  @Test func endlessPagesStop() async throws {
    let server = try FakeHTTPServer { req in
      .json(200, #"{"data":[{"id":"m\#(req.index)"}],"has_more":true,"last_id":"m\#(req.index)"}"#)
    }
    defer { server.stop() }
    let models = try await catalog(provider(server.baseURL), kind: .anthropic).list()
    #expect(models.count == 20)
  }

  @Test func wrongKeyIsUnauthorizedNamingTheVariable() async throws {
    let server = try FakeHTTPServer { _ in
      .json(
        401, #"{"error":{"message":"Invalid API Key","type":"authentication_error","code":401}}"#)
    }
    defer { server.stop() }
    let p = provider(server.baseURL + "/v1", flavor: .llamacpp, env: "LLAMA_API_KEY")
    await #expect {
      _ = try await catalog(p, environment: ["LLAMA_API_KEY": "bad"]).list()
    } throws: { error in
      guard case ProviderError.unauthorized(_, 401, "LLAMA_API_KEY", let m) = error else {
        return false
      }
      return m == "Invalid API Key"
    }
  }

  @Test func downServerIsUnreachableWithTheStartHint() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    var p = provider("http://127.0.0.1:\(port)", wire: .ollama)
    p.startHint = "ollama serve"
    await #expect {
      _ = try await catalog(p).list()
    } throws: { error in
      "\(error)".contains("ollama serve") && "\(error)".contains("cannot reach")
    }
  }

  @Test func noListingAnywhereSaysSo() async throws {
    let server = try FakeHTTPServer { _ in .json(404, "{}") }
    defer { server.stop() }
    await #expect(throws: ServerQueryError.self) {
      _ = try await catalog(provider(server.baseURL + "/v1")).list()
    }
  }

  @Test func aListingThatIsNotJSONIsAnError() async throws {
    let server = try FakeHTTPServer { _ in .text(200, "<html>hello</html>") }
    defer { server.stop() }
    await #expect {
      _ = try await catalog(provider(server.baseURL + "/v1")).list()
    } throws: { "\($0)".contains("not JSON") }
  }

  /// A server that accepts the connection and never answers costs the timeout, not forever.
  @Test func slowServerIsBoundedByTheTimeout() async throws {
    let server = try FakeHTTPServer { _ in .stream(steps: [.hang]) }
    defer { server.stop() }
    await #expect {
      _ = try await catalog(provider(server.baseURL + "/v1"), timeout: .milliseconds(300)).list()
    } throws: { error in
      guard case ProviderError.idleTimeout = error else { return false }
      return true
    }
  }
}
