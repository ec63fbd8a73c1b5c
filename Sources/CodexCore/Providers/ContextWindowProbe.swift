import Synchronization

/// Finds the context window of the model in use, in this order: `model_context_window` from the
/// config; what the server reports (llama.cpp `/props`, vLLM `max_model_len`, LM Studio's
/// loaded or maximum context, Ollama's model info capped by the `num_ctx` codex sends, TGI
/// `/info`, the Anthropic and Gemini model endpoints, OpenRouter's listing); the built-in table
/// for hosted models; else unknown.
///
/// Each (provider, model) is asked once per probe (one per session) and the answer cached. A
/// lookup waits at most `timeout`: a slow server never holds the first token back for more than
/// that, and its late answer is still cached for the next lookup. A server that lacks the
/// endpoint is simply no answer.
public final class ContextWindowProbe: Sendable {
  let transport: any HTTPTransport
  let environment: [String: String]
  public let timeout: Duration
  let windows = Mutex<[String: Task<ContextWindow?, Never>]>([:])
  let ollamaFacts = Mutex<[String: Task<OllamaFacts?, Never>]>([:])

  /// Tests name the server kind for wires not built yet; nil decides from the provider.
  let kindOverride: ServerKind?

  /// Long enough for a local server on a busy machine, short enough that a slow one does not
  /// hold the first token back noticeably.
  public static let defaultTimeout: Duration = .seconds(2)

  public convenience init(
    transport: any HTTPTransport, environment: [String: String],
    timeout: Duration = defaultTimeout
  ) {
    self.init(transport: transport, environment: environment, timeout: timeout, kind: nil)
  }

  init(
    transport: any HTTPTransport, environment: [String: String], timeout: Duration,
    kind: ServerKind?
  ) {
    self.transport = transport
    self.environment = environment
    self.timeout = timeout
    self.kindOverride = kind
  }

  /// - Parameter configured: `model_context_window` from the config, which wins.
  public func lookup(provider: ProviderInfo, model: String, configured: Int? = nil) async
    -> ContextWindow?
  {
    if let configured, configured > 0 {
      return ContextWindow(tokens: configured, source: "model_context_window")
    }
    let key = [provider.id, provider.baseURL, model].joined(separator: "\u{0}")
    let task = windows.withLock { cache in
      if let existing = cache[key] { return existing }
      let task = Task { await self.find(provider: provider, model: model) }
      cache[key] = task
      return task
    }
    return await Self.value(of: task, within: timeout)
  }

  /// The `num_ctx` to add to a request for an Ollama model that has none (see
  /// `OllamaContextSize`); nil when the request already has one or nothing is known.
  public func ollamaNumCtx(
    provider: ProviderInfo, model: String, options: ModelOptions, modelContextWindow: Int?
  ) async -> Int? {
    if OllamaContextSize.configured(in: options) != nil { return nil }
    if let modelContextWindow, modelContextWindow > 0 { return modelContextWindow }
    let facts = await Self.value(
      of: ollamaFactsTask(provider: provider, model: model), within: timeout)
    guard let facts else { return nil }
    return OllamaContextSize.numCtx(
      configured: nil, modelContextWindow: nil, trainedContext: facts.trainedContext,
      serverDefault: facts.serverDefault)
  }

  func query(_ provider: ProviderInfo) -> ServerQuery {
    // The wait is bounded by `timeout` above; the request itself may take longer and still
    // fill the cache.
    ServerQuery(
      provider: provider, transport: transport, environment: environment, timeout: .seconds(10),
      kind: kindOverride)
  }

  /// The server's answer, then the table.
  func find(provider: ProviderInfo, model: String) async -> ContextWindow? {
    let q = query(provider)
    if let window = await serverWindow(q, model: model, options: provider.modelOptions) {
      return window
    }
    guard !provider.isLocal, !q.kind.isLocalServer else { return nil }
    guard
      let fact = ModelFacts.find(provider: provider.id, model: model)
        ?? ModelFacts.find(model: model)
    else { return nil }
    return ContextWindow(
      tokens: fact.contextWindow, source: "built-in table: \(fact.source) (\(fact.date))")
  }

  /// Waits for `task` at most `limit`; nil when it is not done by then (it keeps running) or the
  /// caller is cancelled.
  static func value<T: Sendable>(of task: Task<T?, Never>, within limit: Duration) async -> T? {
    let gate = ResumeOnce<T?>()
    return await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        gate.set(continuation)
        let timer = Task {
          try? await Task.sleep(for: limit)
          gate.resume(nil)
        }
        Task {
          let value = await task.value
          gate.resume(value)
          timer.cancel()
        }
      }
    } onCancel: {
      gate.resume(nil)
    }
  }
}

/// A continuation resumed by whichever of several racers comes first; later calls do nothing.
final class ResumeOnce<T: Sendable>: Sendable {
  private enum Phase {
    case waiting
    case armed(CheckedContinuation<T, Never>)
    /// A racer finished before the continuation was handed over (cancellation can do that).
    case finishedEarly(T)
    case done
  }
  private let phase = Mutex(Phase.waiting)

  func set(_ continuation: CheckedContinuation<T, Never>) {
    let early: T? = phase.withLock { p in
      switch p {
      case .waiting:
        p = .armed(continuation)
        return nil
      case .finishedEarly(let value):
        p = .done
        return value
      case .armed, .done:
        return nil
      }
    }
    if let early { continuation.resume(returning: early) }
  }

  func resume(_ value: T) {
    let continuation: CheckedContinuation<T, Never>? = phase.withLock { p in
      switch p {
      case .waiting:
        p = .finishedEarly(value)
        return nil
      case .armed(let c):
        p = .done
        return c
      case .finishedEarly, .done:
        return nil
      }
    }
    continuation?.resume(returning: value)
  }
}
