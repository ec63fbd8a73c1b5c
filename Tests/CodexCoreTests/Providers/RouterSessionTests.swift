import CodexTestSupport
import Foundation
import Synchronization
import Testing

@testable import CodexCore

/// The router inside a real `Session` (in process, scripted transport): the fallback event
/// reaches the front end, usage is priced, and the agent loop's window lookup is answered by
/// the probe (`ModelRouter.contextLookup`, for `ContextSettings.lookup`).
@Suite(.timeLimit(.minutes(10))) struct RouterSessionTests {
  static func answer(_ text: String) -> FakeResponse {
    .sse([
      #"{"choices":[{"index":0,"delta":{"content":\#(JSON.quoted(text))},"finish_reason":"stop"}]}"#,
      #"{"choices":[],"usage":{"prompt_tokens":100,"completion_tokens":10}}"#, "[DONE]",
    ])
  }

  func provider(_ id: String, _ host: String, flavor: ServerFlavor = .llamacpp) -> ProviderInfo {
    ProviderInfo(
      id: id, name: id, baseURL: "http://\(host)/v1", wire: .chat, flavor: flavor,
      requestMaxRetries: 0, streamMaxRetries: 0, isLocal: true)
  }

  @Test func fallbackEventPricedUsageAndTheLoopsWindow() async throws {
    let transport = ScriptedTransport { req in
      switch (req.path.hasPrefix("/down") ? "down" : "up", req.path) {
      case ("down", _): return .json(503, #"{"error":{"message":"busy"}}"#)
      case (_, "/props"): return .json(200, #"{"default_generation_settings":{"n_ctx":8192}}"#)
      case (_, "/v1/chat/completions"): return Self.answer("hello")
      default: return .json(404, "{}")
      }
    }
    var down = provider("first", "down.test")
    down.baseURL = "http://down.test/down/v1"
    let up = provider("second", "up.test")
    let router = ModelRouter(
      fallbacks: [ModelRoute(provider: up, model: "m2")],
      prices: PriceBook(overrides: ["m2": ModelPrice(input: 1, output: 10)]),
      contextWindows: ContextWindowProbe(
        transport: transport, environment: [:], timeout: .seconds(300)))
    let session = Session(
      id: "s", client: ModelClient(provider: down, transport: transport, environment: [:]),
      model: "m1", instructions: nil, tools: Toolbox([]), router: router,
      contextSettings: ContextSettings(lookup: router.contextLookup))
    let events = Mutex<[AgentEvent]>([])
    let summary = try await session.submit("hi", approvals: FixedApproval(.no)) { e in
      events.withLock { $0.append(e) }
    }
    #expect(summary.lastMessage == "hello")
    let fallbacks = events.withLock { $0 }.compactMap { e -> ModelFallback? in
      if case .modelFallback(let f) = e { return f }
      return nil
    }
    #expect(fallbacks.map(\.description) == ["first failing (HTTP 503); using second/m2"])
    // 100 input at $1 and 10 output at $10 per million.
    #expect(summary.usage.cost == 0.0002)
    #expect(router.answeredBy?.description == "second/m2")
    // What the agent loop calls (wired as ContextSettings.lookup) for the model answering now.
    let lookup = await router.contextLookup(up, "m2")
    #expect(lookup == ContextWindow(tokens: 8192, source: "llama.cpp GET /props (n_ctx)"))
  }

  /// The window lookup is started with the first request but only waited for when the request
  /// is big enough for the window to matter: a slow probe never delays a short prompt.
  @Test func aShortPromptDoesNotWaitForTheWindowLookupAndALongOneDoes() async throws {
    let released = AsyncLatch()
    let lookedUp = Mutex(0)
    let sentBeforeTheWindow = Mutex(0)
    let transport = ScriptedTransport { _ in
      if !released.isOpen { sentBeforeTheWindow.withLock { $0 += 1 } }
      return Self.answer("ok")
    }
    let session = {
      Session(
        id: "s",
        client: ModelClient(
          provider: self.provider("local", "model.test"), transport: transport, environment: [:]),
        model: "m", instructions: nil, tools: Toolbox([]),
        contextSettings: ContextSettings(lookup: { _, _ in
          lookedUp.withLock { $0 += 1 }
          await released.wait()
          return ContextWindow(tokens: 100_000, source: "test")
        }))
    }

    // The lookup has not answered (it cannot until released): the short turn completes.
    let first = session()
    let short = try await first.submit("hi", approvals: FixedApproval(.no)) { _ in }
    #expect(short.lastMessage == "ok")
    #expect(sentBeforeTheWindow.withLock { $0 } == 1)

    // A prompt of some 5,000 tokens is held until the window is known.
    let long = Task {
      try await session().submit(
        String(repeating: "word ", count: 5_000), approvals: FixedApproval(.no)
      ) { _ in }
    }
    #expect(await Waiting.until { lookedUp.withLock { $0 } == 2 })
    // A negative check: had the request not waited, it would go out at once.
    _ = await Waiting.until(budget: .milliseconds(300)) { transport.requests.count > 1 }
    released.open()
    #expect(try await long.value.lastMessage == "ok")
    #expect(transport.requests.count == 2)
    #expect(sentBeforeTheWindow.withLock { $0 } == 1)
    // /status of the first session shows the window its lookup found after the turn.
    #expect(await first.contextStatus().window?.tokens == 100_000)
  }
}
