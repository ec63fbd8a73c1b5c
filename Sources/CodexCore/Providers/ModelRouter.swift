import Synchronization

/// Sends each model request through a fallback chain: the session's own client and model
/// first, then `fallback = ["PROVIDER/MODEL", …]` in order. The same request goes to the next
/// entry only when the one in use cannot be reached, or keeps failing with 429/5xx after its
/// own retries, and nothing of its answer was shown yet — never on any other 4xx (a bad request
/// would fail everywhere). Once a fallback answered, later requests start there (one notice, not
/// one per request), until the session's model or provider changes.
///
/// Also the one place every answer passes: it prices usage (`PriceBook`) and gives Ollama
/// requests the `num_ctx` they need (`OllamaContextSize`). The session and `codex serve` both
/// use it with the `run(_:emit:)` shape of `ModelClient.run`.
public final class ModelRouter: Sendable {
  public let fallbacks: [ModelRoute]
  public let prices: PriceBook
  /// Shared with the agent loop: the context window lookup, cached per session.
  public let contextWindows: ContextWindowProbe?
  /// `model_context_window` from the config, for the session's own model.
  public let modelContextWindow: Int?

  struct State {
    /// The chain entry to start from while the primary is the one named by `key`.
    var sticky: (key: String, index: Int)?
    var answeredBy: ModelRoute?
  }
  let state = Mutex(State())

  public init(
    fallbacks: [ModelRoute] = [], prices: PriceBook = PriceBook(),
    contextWindows: ContextWindowProbe? = nil, modelContextWindow: Int? = nil
  ) {
    self.fallbacks = fallbacks
    self.prices = prices
    self.contextWindows = contextWindows
    self.modelContextWindow = modelContextWindow
  }

  /// The chain, prices and context window a config asks for. `probeTimeout` bounds how long a
  /// request waits for the server's answer about the window (`ContextWindowProbe`).
  public convenience init(
    config: Config, transport: any HTTPTransport, environment: [String: String],
    probeTimeout: Duration = ContextWindowProbe.defaultTimeout
  ) {
    self.init(
      fallbacks: config.fallbacks, prices: config.prices,
      contextWindows: ContextWindowProbe(
        transport: transport, environment: environment, timeout: probeTimeout),
      modelContextWindow: config.modelContextWindow)
  }

  /// The agent loop's window lookup (`ContextSettings.lookup`), answered by `contextWindows`:
  /// once per provider and model, within the probe's short wait.
  public var contextLookup: @Sendable (ProviderInfo, String) async -> ContextWindow? {
    { [contextWindows] provider, model in
      await contextWindows?.lookup(provider: provider, model: model)
    }
  }

  /// The provider and model that answered the last request.
  public var answeredBy: ModelRoute? { state.withLock { $0.answeredBy } }

  /// Streams one model request, as `ModelClient.run` does (`onInterrupted` decides about a
  /// stream that breaks after events were shown), through the chain that starts with `primary`
  /// serving `request.model`. `notice` hears each switch to the next entry.
  /// - Throws: the primary's error when there is nothing to fall back to, the error that ended
  ///   the chain (text was shown, or a non-retryable error), or `FallbackChainFailed` when every
  ///   entry failed.
  public func run(
    _ request: ChatRequest, primary: ModelClient, isolation: isolated (any Actor)? = #isolation,
    notice: (ModelFallback) -> Void,
    onInterrupted: (Int, ProviderError) -> ModelClient.InterruptionDecision = { _, _ in .fail },
    emit: ([ChatEvent]) -> Void
  ) async throws {
    let first = ModelRoute(provider: primary.provider, model: request.model)
    let chain = chain(from: first)
    let key = [first.provider.id, first.provider.baseURL, first.model].joined(separator: "\u{0}")
    let start = state.withLock { s in s.sticky?.key == key ? s.sticky?.index ?? 0 : 0 }
    let order = Array(chain.indices[start...]) + Array(chain.indices[..<start])

    var failures: [(route: ModelRoute, error: any Error)] = []
    for (position, index) in order.enumerated() {
      let route = chain[index]
      var attempt = request
      let client: ModelClient
      if index == 0 {
        client = primary
      } else {
        client = ModelClient(
          provider: route.provider, transport: primary.transport, environment: primary.environment)
        attempt.model = route.model
        attempt.options = route.provider.modelOptions
      }
      await addOllamaContext(&attempt, route: route, isPrimary: index == 0)
      var shown = 0
      do {
        try await client.run(attempt, isolation: isolation, onInterrupted: onInterrupted) {
          batch in
          shown += batch.count
          emit(priced(batch, route: route))
        }
        state.withLock { s in
          s.answeredBy = route
          s.sticky = index == 0 ? nil : (key, index)
        }
        return
      } catch {
        if error is CancellationError { throw error }
        // Text already shown cannot be taken back: the error stands.
        guard shown == 0, let reason = Self.fallbackReason(error, provider: route.provider) else {
          throw error
        }
        failures.append((route, error))
        guard position + 1 < order.count else {
          if failures.count == 1 { throw error }  // nothing to fall back to
          throw FallbackChainFailed(
            failures: failures.map { ($0.route.description, "\($0.error)") })
        }
        let next = chain[order[position + 1]]
        notice(
          ModelFallback(
            fromProvider: route.provider.id, fromModel: route.model, toProvider: next.provider.id,
            toModel: next.model, reason: reason, error: "\(error)"))
      }
    }
  }

  /// `first`, then every fallback that is not the same model on the same provider.
  public func chain(from first: ModelRoute) -> [ModelRoute] {
    [first] + fallbacks.filter { $0.provider.id != first.provider.id || $0.model != first.model }
  }

  /// `num_ctx` for a request to Ollama's native API that has none (the system prompt and tools
  /// would otherwise be cut silently by its small default window).
  func addOllamaContext(_ request: inout ChatRequest, route: ModelRoute, isPrimary: Bool) async {
    guard route.provider.wire == .ollama, let probe = contextWindows,
      let n = await probe.ollamaNumCtx(
        provider: route.provider, model: route.model, options: request.options,
        modelContextWindow: isPrimary ? modelContextWindow : nil)
    else { return }
    request.options.extra["num_ctx"] = .int(Int64(n))
  }

  func priced(_ batch: [ChatEvent], route: ModelRoute) -> [ChatEvent] {
    var out = batch
    for i in out.indices {
      if case .usage(let u) = out[i] {
        out[i] = .usage(prices.priced(u, provider: route.provider, model: route.model))
      }
    }
    return out
  }

  /// Why `error` means "try the next entry": the provider is down or keeps refusing service.
  /// Nil for everything else (a bad request, a missing model, a rejected key, a broken answer).
  static func fallbackReason(_ error: any Error, provider: ProviderInfo) -> String? {
    guard let e = error as? ProviderError else { return nil }
    let id = provider.id
    switch e {
    case .unreachable: return "\(id) unreachable"
    case .missingAPIKey(_, let env, _): return "\(id) has no API key ($\(env))"
    case .rateLimited: return "\(id) rate limited (429)"
    case .quotaExceeded: return "\(id) out of quota (429)"
    case .server(_, let status, _, _) where status >= 500: return "\(id) failing (HTTP \(status))"
    case .idleTimeout: return "\(id) not answering"
    case .connectionLost: return "\(id) dropped the connection"
    case .tls: return "\(id) TLS error"
    default: return nil
    }
  }
}

/// The chain moved on: "ollama unreachable; using lmstudio/qwen2.5-coder-7b".
public struct ModelFallback: Sendable, Equatable, CustomStringConvertible {
  public var fromProvider: String
  public var fromModel: String
  public var toProvider: String
  public var toModel: String
  /// Short: "ollama unreachable".
  public var reason: String
  /// The full error of the entry left behind.
  public var error: String

  public init(
    fromProvider: String, fromModel: String, toProvider: String, toModel: String, reason: String,
    error: String
  ) {
    self.fromProvider = fromProvider
    self.fromModel = fromModel
    self.toProvider = toProvider
    self.toModel = toModel
    self.reason = reason
    self.error = error
  }

  public var description: String { "\(reason); using \(toProvider)/\(toModel)" }
}

/// Every entry of the chain failed; each failure in one line.
public struct FallbackChainFailed: Error, Sendable, Equatable, CustomStringConvertible {
  public var failures: [(route: String, error: String)]

  public init(failures: [(route: String, error: String)]) { self.failures = failures }

  public static func == (a: Self, b: Self) -> Bool {
    a.failures.map { $0.route + $0.error } == b.failures.map { $0.route + $0.error }
  }

  public var description: String {
    "every model in the fallback chain failed: "
      + failures.map { "\($0.route): \($0.error)" }.joined(separator: "; ")
  }
}
