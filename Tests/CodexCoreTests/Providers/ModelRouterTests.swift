import CodexTestSupport
import Foundation
import Synchronization
import Testing

@testable import CodexCore

/// The fallback chain against real fake servers: when it moves on, and when it must not.
/// The machine is shared and slow at times: waits are generous, and a broken timeout shows as
/// the suite's time limit rather than a hang.
@Suite(.timeLimit(.minutes(10))) struct ModelRouterTests {
  let transport = CurlTransport()

  static func answer(_ text: String) -> FakeResponse {
    .sse([
      #"{"choices":[{"index":0,"delta":{"content":\#(JSON.quoted(text))},"finish_reason":null}]}"#,
      #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
      #"{"choices":[],"usage":{"prompt_tokens":1000000,"completion_tokens":0}}"#,
      "[DONE]",
    ])
  }

  func provider(_ id: String, _ base: String, retries: Int = 0, local: Bool = true) -> ProviderInfo
  {
    ProviderInfo(
      id: id, name: id, baseURL: base, wire: .chat, requestMaxRetries: retries,
      streamMaxRetries: 0, isLocal: local)
  }

  /// Runs one request; returns the text, the notices and the usage seen.
  func run(
    _ router: ModelRouter, primary: ProviderInfo, model: String = "m1"
  ) async throws -> (text: String, notices: [ModelFallback], usage: [TokenUsage]) {
    let client = ModelClient(provider: primary, transport: transport, environment: [:])
    let request = ChatRequest(model: model, messages: [.user("hi")])
    let seen = Mutex<(String, [ModelFallback], [TokenUsage])>(("", [], []))
    try await router.run(
      request, primary: client, notice: { n in seen.withLock { $0.1.append(n) } },
      emit: { batch in
        for e in batch {
          switch e {
          case .textDelta(let t): seen.withLock { $0.0 += t }
          case .usage(let u): seen.withLock { $0.2.append(u) }
          default: break
          }
        }
      })
    return seen.withLock { ($0.0, $0.1, $0.2) }
  }

  @Test func refusedConnectionMovesOnAndStaysThere() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let backup = try FakeHTTPServer { _ in Self.answer("from backup") }
    defer { backup.stop() }
    let down = provider("ollama", "http://127.0.0.1:\(port)/v1")
    let router = ModelRouter(fallbacks: [
      ModelRoute(provider: provider("lmstudio", backup.baseURL + "/v1"), model: "m2")
    ])
    let first = try await run(router, primary: down)
    #expect(first.text == "from backup")
    #expect(first.notices.map(\.description) == ["ollama unreachable; using lmstudio/m2"])
    #expect(backup.requests.first?.bodyJSON?["model"] == "m2")
    #expect(router.answeredBy?.description == "lmstudio/m2")
    // The next request starts at the entry that answered: no second notice.
    let second = try await run(router, primary: down)
    #expect(second.text == "from backup")
    #expect(second.notices.isEmpty)
  }

  @Test func serverErrorsAfterRetriesMoveOn() async throws {
    let failing = try FakeHTTPServer { _ in .json(503, #"{"error":{"message":"loading model"}}"#) }
    defer { failing.stop() }
    let backup = try FakeHTTPServer { _ in Self.answer("ok") }
    defer { backup.stop() }
    let router = ModelRouter(fallbacks: [
      ModelRoute(provider: provider("b", backup.baseURL + "/v1"), model: "m2")
    ])
    let r = try await run(router, primary: provider("a", failing.baseURL + "/v1", retries: 1))
    #expect(r.text == "ok")
    #expect(failing.requests.count == 2, "its own retry first")
    #expect(r.notices.first?.reason == "a failing (HTTP 503)")
    #expect(r.notices.first?.error.contains("loading model") == true)
  }

  @Test func rateLimitMovesOn() async throws {
    let limited = try FakeHTTPServer { _ in .json(429, #"{"error":{"message":"slow down"}}"#) }
    defer { limited.stop() }
    let backup = try FakeHTTPServer { _ in Self.answer("ok") }
    defer { backup.stop() }
    let router = ModelRouter(fallbacks: [
      ModelRoute(provider: provider("b", backup.baseURL), model: "x")
    ])
    let r = try await run(router, primary: provider("a", limited.baseURL))
    #expect(r.notices.first?.reason == "a rate limited (429)")
    #expect(r.text == "ok")
  }

  /// A bad request would fail everywhere: it is the user's to see, not the next provider's.
  @Test(arguments: [400, 401, 404, 422])
  func otherClientErrorsDoNotMoveOn(_ status: Int) async throws {
    let rejecting = try FakeHTTPServer { _ in .json(status, #"{"error":{"message":"no"}}"#) }
    defer { rejecting.stop() }
    let backup = try FakeHTTPServer { _ in Self.answer("should not be asked") }
    defer { backup.stop() }
    let router = ModelRouter(fallbacks: [
      ModelRoute(provider: provider("b", backup.baseURL), model: "x")
    ])
    await #expect(throws: ProviderError.self) {
      _ = try await run(router, primary: provider("a", rejecting.baseURL))
    }
    #expect(backup.requests.isEmpty)
  }

  @Test func textAlreadyShownIsNotRepeatedElsewhere() async throws {
    let breaking = try FakeHTTPServer { _ in
      .sse(
        [#"{"choices":[{"index":0,"delta":{"content":"Hal"},"finish_reason":null}]}"#],
        then: [.close])
    }
    defer { breaking.stop() }
    let backup = try FakeHTTPServer { _ in Self.answer("should not be asked") }
    defer { backup.stop() }
    let router = ModelRouter(fallbacks: [
      ModelRoute(provider: provider("b", backup.baseURL), model: "x")
    ])
    await #expect {
      _ = try await run(router, primary: provider("a", breaking.baseURL))
    } throws: { error in
      guard case ProviderError.connectionLost = error else { return false }
      return true
    }
    #expect(backup.requests.isEmpty)
  }

  @Test func everyEntryFailingSaysEachOne() async throws {
    let p1Refusing = try RefusingPort()
    defer { withExtendedLifetime(p1Refusing) {} }
    let p1 = p1Refusing.port
    let p2Refusing = try RefusingPort()
    defer { withExtendedLifetime(p2Refusing) {} }
    let p2 = p2Refusing.port
    let router = ModelRouter(fallbacks: [
      ModelRoute(provider: provider("b", "http://127.0.0.1:\(p2)"), model: "y")
    ])
    await #expect {
      _ = try await run(router, primary: provider("a", "http://127.0.0.1:\(p1)"))
    } throws: { error in
      let text = "\(error)"
      return error is FallbackChainFailed && text.contains("a/m1: cannot reach a")
        && text.contains("b/y: cannot reach b")
    }
  }

  @Test func withoutFallbacksTheErrorIsUnchanged() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    await #expect {
      _ = try await run(ModelRouter(), primary: provider("a", "http://127.0.0.1:\(port)"))
    } throws: { error in
      guard case ProviderError.unreachable = error else { return false }
      return true
    }
  }

  @Test func aFallbackWithoutItsKeyIsSkipped() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let backup = try FakeHTTPServer { _ in Self.answer("third") }
    defer { backup.stop() }
    var hosted = provider("openrouter", "http://127.0.0.1:1/never", local: false)
    hosted.envKey = "NO_SUCH_KEY_VARIABLE"
    hosted.requiresKey = true
    let router = ModelRouter(fallbacks: [
      ModelRoute(provider: hosted, model: "x"),
      ModelRoute(provider: provider("c", backup.baseURL), model: "z"),
    ])
    let r = try await run(router, primary: provider("a", "http://127.0.0.1:\(port)"))
    #expect(r.text == "third")
    #expect(
      r.notices.map(\.reason) == [
        "a unreachable", "openrouter has no API key ($NO_SUCH_KEY_VARIABLE)",
      ])
  }

  @Test func usageIsPricedForTheEntryThatAnswered() async throws {
    let server = try FakeHTTPServer { _ in Self.answer("hi") }
    defer { server.stop() }
    var hosted = provider("openai", server.baseURL, local: false)
    hosted.flavor = .openai
    let router = ModelRouter(
      prices: PriceBook(overrides: ["priced": ModelPrice(input: 2, output: 8)]))
    let priced = try await run(router, primary: hosted, model: "priced")
    #expect(priced.usage.first?.cost == 2, "a million input tokens at $2 per million")
    let table = try await run(router, primary: hosted, model: "gpt-5")
    #expect(table.usage.first?.cost == 1.25)
    let local = try await run(router, primary: provider("vllm", server.baseURL), model: "any")
    #expect(local.usage.first?.cost == 0)
  }

  @Test func ollamaRequestsGetNumCtx() async throws {
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/api/show":
        return .json(
          200, #"{"model_info":{"general.architecture":"qwen2","qwen2.context_length":32768}}"#)
      case "/api/ps": return .json(200, #"{"models":[]}"#)
      case "/api/chat":
        return .ndjson([
          #"{"message":{"role":"assistant","content":"ok"},"done":false}"#,
          #"{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#,
        ])
      default: return .json(404, "{}")
      }
    }
    defer { server.stop() }
    let ollama = ProviderInfo(
      id: "ollama", name: "Ollama", baseURL: server.baseURL, wire: .ollama, isLocal: true)
    let router = ModelRouter(
      contextWindows: ContextWindowProbe(
        transport: transport, environment: [:], timeout: .seconds(300)))
    _ = try await run(router, primary: ollama, model: "qwen2.5-coder:7b")
    _ = try await run(router, primary: ollama, model: "qwen2.5-coder:7b")
    let chats = server.requests.filter { $0.path == "/api/chat" }
    #expect(chats.count == 2)
    #expect(chats.allSatisfy { $0.bodyJSON?["options"]?["num_ctx"] == 16384 })
    #expect(server.requests.filter { $0.path == "/api/show" }.count == 1, "asked once")
    // model_context_window from the config is sent as it is, without asking the server.
    let configured = ModelRouter(
      contextWindows: ContextWindowProbe(
        transport: transport, environment: [:], timeout: .seconds(300)),
      modelContextWindow: 50000)
    _ = try await run(configured, primary: ollama, model: "other")
    #expect(server.requests.last?.bodyJSON?["options"]?["num_ctx"] == 50000)
    #expect(server.requests.filter { $0.path == "/api/show" }.count == 1)
  }

  /// No answer about the model is not remembered: once Ollama has it, requests get num_ctx.
  @Test func ollamaAskedAgainUntilItKnowsTheModel() async throws {
    let shows = Mutex(0)
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/api/show":
        let earlier = shows.withLock { n in
          defer { n += 1 }
          return n > 0
        }
        return earlier
          ? .json(
            200, #"{"model_info":{"general.architecture":"qwen2","qwen2.context_length":8192}}"#)
          : .json(404, #"{"error":"model 'm' not found"}"#)
      case "/api/chat":
        return .ndjson([
          #"{"message":{"role":"assistant","content":"ok"},"done":true,"done_reason":"stop"}"#
        ])
      default: return .json(404, "{}")
      }
    }
    defer { server.stop() }
    let ollama = ProviderInfo(
      id: "ollama", name: "Ollama", baseURL: server.baseURL, wire: .ollama, isLocal: true)
    let router = ModelRouter(
      contextWindows: ContextWindowProbe(
        transport: transport, environment: [:], timeout: .seconds(300)))
    _ = try await run(router, primary: ollama, model: "m")
    _ = try await run(router, primary: ollama, model: "m")
    _ = try await run(router, primary: ollama, model: "m")
    let chats = server.requests.filter { $0.path == "/api/chat" }
    #expect(chats.map { $0.bodyJSON?["options"]?["num_ctx"] } == [nil, 8192, 8192])
    #expect(server.requests.filter { $0.path == "/api/show" }.count == 2)
  }

  @Test func cancellationIsNotAFailover() async throws {
    let hanging = try FakeHTTPServer { _ in .stream(steps: [.hang]) }
    defer { hanging.stop() }
    let backup = try FakeHTTPServer { _ in Self.answer("no") }
    defer { backup.stop() }
    let router = ModelRouter(fallbacks: [
      ModelRoute(provider: provider("b", backup.baseURL), model: "x")
    ])
    let task = Task { try await run(router, primary: provider("a", hanging.baseURL)) }
    #expect(await hanging.wait(timeout: .seconds(300)) { $0.requests.count == 1 })
    task.cancel()
    _ = await task.result
    #expect(backup.requests.isEmpty)
  }
}
