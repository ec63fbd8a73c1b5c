/// The one HTTP provider: encodes with the provider's wire, sends through the transport with
/// retries and an idle timeout, frames and decodes the stream, and turns every failure into a
/// `ProviderError` that says what to do.
public struct ModelClient: Sendable {
  public let provider: ProviderInfo
  public let wire: any Wire
  /// Public so a front end can switch providers mid-session over the same transport.
  public let transport: any HTTPTransport
  let environment: [String: String]

  public init(provider: ProviderInfo, transport: any HTTPTransport, environment: [String: String]) {
    self.provider = provider
    self.wire = Wires.wire(for: provider.wire)
    self.transport = transport
    self.environment = environment
  }

  /// Fails before any request when a hosted provider's key is missing.
  public func checkCredentials() throws {
    if provider.requiresKey, provider.apiKey(environment: environment) == nil,
      let env = provider.envKeyDescription
    {
      throw ProviderError.missingAPIKey(
        provider: provider.name, envKey: env, instructions: provider.envKeyInstructions)
    }
  }

  public func encode(_ request: ChatRequest) throws -> HTTPRequest {
    let headers = Wires.commonHeaders(
      wire: wire, provider: provider, apiKey: provider.apiKey(environment: environment),
      environment: environment)
    var http = try wire.encode(request, provider: provider, headers: headers)
    http.idleTimeout = provider.streamIdleTimeout
    http.secretHeaderNames = provider.secretHeaderNames
    return http
  }

  /// What to do when a stream breaks after events already reached the caller.
  public enum InterruptionDecision: Sendable {
    /// Send the request again from the start (the caller has forgotten what it received).
    case retry
    /// Keep what arrived as the whole answer (complete tool calls came through).
    case acceptPartial
    /// Give up: the error stands.
    case fail
  }

  /// Streams one model turn on the caller's actor, handing `emit` the events of each network
  /// chunk together: no hop and no stream element per event, which is what a fast local server
  /// streaming thousands of tokens a second needs. Cancelling the calling task cancels the
  /// request at once.
  ///
  /// A stream that drops or goes silent is retried up to `stream_max_retries` times. Before any
  /// event reached the caller that is invisible; after, `onInterrupted` (told the attempt
  /// number and why) decides — without it, the error stands.
  public func run(
    _ request: ChatRequest, isolation: isolated (any Actor)? = #isolation,
    onInterrupted: (Int, ProviderError) -> InterruptionDecision = { _, _ in .fail },
    emit: ([ChatEvent]) -> Void
  ) async throws {
    try checkCredentials()
    var http = try encode(request)
    var streamAttempt = 0
    while true {
      let response = try await sendWithRetries(&http, model: request.model)
      var emitted = 0
      do {
        try await consume(response, emitted: &emitted, emit: emit)
        return
      } catch let e as StreamFailure {
        guard streamAttempt < provider.streamMaxRetries else { throw e.error }
        if emitted > 0 {
          guard let error = e.error as? ProviderError else { throw e.error }
          switch onInterrupted(streamAttempt + 1, error) {
          case .retry: break
          case .acceptPartial: return
          case .fail: throw e.error
          }
        }
        streamAttempt += 1
        try await Task.sleep(for: RetryPolicy.backoff(attempt: streamAttempt - 1))
      }
    }
  }

  /// An error in the body of a 200 response that may be retried.
  struct StreamFailure: Error {
    var error: any Error
  }

  /// `emitted` counts the events handed to `emit`.
  func consume(
    _ response: HTTPStreamingResponse, emitted: inout Int,
    isolation: isolated (any Actor)? = #isolation, emit: ([ChatEvent]) -> Void
  ) async throws {
    let contentType = response.head.header("content-type")?.lowercased() ?? ""
    if contentType.hasPrefix("application/json") {
      // The server ignored `stream: true` and answered in one piece.
      let body = try await collect(response)
      let json: JSON
      do { json = try JSON.parse(body) } catch {
        throw ProviderError.malformedStream(
          provider: provider.name, detail: "the response is not valid JSON: \(error)")
      }
      var decoder = wire.makeDecoder()
      do {
        let events = try decoder.decodeComplete(json)
        emitted += events.count
        if !events.isEmpty { emit(events) }
      } catch let e as WireError {
        throw mapWireError(e)
      }
      return
    }
    var decoder = StreamDecoder(wire: wire)
    var events: [ChatEvent] = []
    do {
      var chunks = response.body.makeAsyncIterator()
      while let chunk = try await chunks.next(isolation: isolation) {
        // Events decoded before a failure in the same chunk still reach the user.
        defer {
          if !events.isEmpty {
            emitted += events.count
            emit(events)
            events.removeAll(keepingCapacity: true)
          }
        }
        try decoder.feed(chunk, into: &events)
      }
      defer {
        if !events.isEmpty {
          emitted += events.count
          emit(events)
        }
      }
      try decoder.finish(into: &events)
    } catch let e as WireError {
      switch e {
      case .truncated:
        throw StreamFailure(error: mapWireError(e))
      case .transient where response.head.header("x-should-retry")?.lowercased() != "false":
        throw StreamFailure(error: mapWireError(e))
      default:
        throw mapWireError(e)
      }
    } catch let e as TransportError {
      switch e {
      case .idleTimeout, .connectionLost: throw StreamFailure(error: mapTransport(e))
      default: throw mapTransport(e)
      }
    }
  }

  func collect(_ response: HTTPStreamingResponse) async throws -> [UInt8] {
    do {
      return try await response.collectBody()
    } catch let e as TransportError {
      throw mapTransport(e)
    }
  }

  func mapWireError(_ e: WireError) -> ProviderError {
    switch e {
    case .serverError(let m), .transient(let m):
      if let overflow = ContextOverflow.detect(status: 0, error: ErrorBody(message: m)) {
        return .contextOverflow(
          provider: provider.name, message: m, window: overflow.window,
          promptTokens: overflow.promptTokens)
      }
      return .streamError(provider: provider.name, message: m)
    case .malformed(let m): return .malformedStream(provider: provider.name, detail: m)
    case .truncated(let m):
      return .connectionLost(provider: provider.name, url: provider.baseURL, detail: m)
    }
  }

  func mapTransport(_ e: TransportError) -> any Error {
    switch e {
    case .cannotConnect(let url, _), .connectTimeout(let url, _):
      return ProviderError.unreachable(
        provider: provider.name, url: url, detail: Self.connectDetail(e),
        startHint: provider.isLocal ? provider.startHint : nil)
    case .idleTimeout(let url, let s):
      return ProviderError.idleTimeout(provider: provider.name, url: url, seconds: s)
    case .connectionLost(let url, let d):
      return ProviderError.connectionLost(provider: provider.name, url: url, detail: d)
    case .tls(let url, let d):
      return ProviderError.tls(provider: provider.name, url: url, detail: d)
    case .invalidURL(let u):
      return ProviderError.invalidRequest(
        "the URL '\(u)' for \(provider.name) is not valid; check base_url / --provider-url")
    case .cancelled:
      return CancellationError()
    case .unavailable(let d):
      return ProviderError.invalidRequest(d)
    case .other(let url, let d):
      return ProviderError.connectionLost(provider: provider.name, url: url, detail: d)
    }
  }

  static func connectDetail(_ e: TransportError) -> String {
    switch e {
    case .cannotConnect(_, let d): return d
    case .connectTimeout(_, let s): return "no connection within \(ProviderError.seconds(s))"
    default: return e.description
    }
  }

  // MARK: - Request and retries

  func sendWithRetries(_ http: inout HTTPRequest, model: String) async throws
    -> HTTPStreamingResponse
  {
    var attempt = 0
    var adjustments = 0
    // A 500 with the same body as the last one is the server rejecting this request (llama.cpp
    // answers a history it cannot parse that way), not a passing fault: retrying it is waste.
    var previousFailure: (status: Int, body: [UInt8])?
    while true {
      attempt += 1
      let response: HTTPStreamingResponse
      do {
        response = try await transport.send(http)
      } catch let e as TransportError {
        // A local server that is not running will not start by itself in the next seconds:
        // say so at once. Hosted endpoints get the usual retries for network blips.
        let retryable: Bool
        switch e {
        case .cannotConnect: retryable = !provider.isLocal
        case .connectTimeout, .connectionLost, .other: retryable = true
        default: retryable = false
        }
        if retryable, attempt <= provider.requestMaxRetries {
          try await Task.sleep(for: RetryPolicy.backoff(attempt: attempt - 1))
          continue
        }
        throw mapTransport(e)
      }
      let status = response.head.status
      if (200..<300).contains(status) { return response }

      let body = try await collect(response)
      let reading = wire.readError(status: status, body: body)
      let err = reading.error
      // Bounded, so a wire that keeps proposing changes cannot loop.
      if adjustments < Self.maxAdjustments,
        let changed = wire.adjustAfterError(status: status, error: err, request: http)
      {
        adjustments += 1
        http = changed
        attempt -= 1
        continue
      }
      if reading.quotaExhausted {
        throw ProviderError.quotaExceeded(provider: provider.name, message: err.message)
      }
      let repeated =
        status == 500 && previousFailure.map { $0.status == status && $0.body == body } == true
      previousFailure = (status, body)
      if let overflow = ContextOverflow.detect(status: status, error: err, rawBody: body) {
        throw ProviderError.contextOverflow(
          provider: provider.name, message: err.message, window: overflow.window,
          promptTokens: overflow.promptTokens)
      }
      if RetryPolicy.isRetryable(status: status, head: response.head), !repeated,
        attempt <= provider.requestMaxRetries
      {
        let delay = RetryPolicy.serverDelay(response.head) ?? reading.retryAfter
        if let delay, delay > RetryPolicy.maxServerDelay {
          throw finalError(status: status, err: err, attempts: attempt, url: http.url, model: model)
        }
        try await Task.sleep(for: delay ?? RetryPolicy.backoff(attempt: attempt - 1))
        continue
      }
      throw await classify(status: status, err: err, attempts: attempt, url: http.url, model: model)
    }
  }

  /// How many times one request may be changed by its wire after an error.
  static let maxAdjustments = 2

  func finalError(status: Int, err: ErrorBody, attempts: Int, url: String, model: String)
    -> ProviderError
  {
    if status == 429 {
      return .rateLimited(provider: provider.name, message: err.message, attempts: attempts)
    }
    return .server(
      provider: provider.name, status: status, message: err.message, attempts: attempts)
  }

  func classify(status: Int, err: ErrorBody, attempts: Int, url: String, model: String) async
    -> ProviderError
  {
    switch status {
    case 401, 403:
      // Name the variable the key came from: with alternates, that is the one to check.
      let env = provider.apiKeySource(environment: environment)?.variable ?? provider.envKey
      return .unauthorized(
        provider: provider.name, status: status, envKey: env, message: err.message)
    case 404 where Self.mentionsModel(err, model: model):
      return .modelNotFound(
        provider: provider.name, model: model, available: await availableModels(),
        message: err.message)
    case 404, 405, 501:
      return .endpointNotFound(provider: provider.name, url: url, status: status, wire: wire.api)
    case 408, 409, 429, 500...:
      return finalError(status: status, err: err, attempts: attempts, url: url, model: model)
    default:
      if status == 400, Self.mentionsModel(err, model: model),
        err.message.lowercased().contains("not found") || err.message.contains("does not exist")
      {
        return .modelNotFound(
          provider: provider.name, model: model, available: await availableModels(),
          message: err.message)
      }
      return .badRequest(provider: provider.name, status: status, message: err.message)
    }
  }

  static func mentionsModel(_ err: ErrorBody, model: String) -> Bool {
    if err.code == "model_not_found" { return true }
    let m = err.message.lowercased()
    return m.contains("model") || (!model.isEmpty && m.contains(model.lowercased()))
  }

  /// The models the server says it has, for a "model not found" message. Best effort: `nil`
  /// when the list cannot be had.
  public func availableModels() async -> [String]? {
    try? await listModels()
  }

  /// The models the server says it has, to pick one when none is configured. A server that
  /// cannot be reached throws the same error a request would (`unreachable`, naming what to
  /// start); `nil` when it answers without a usable list.
  public func listModels() async throws -> [String]? {
    guard let url = wire.modelsURL(provider: provider) else { return nil }
    let headers = Wires.commonHeaders(
      wire: wire, provider: provider, apiKey: provider.apiKey(environment: environment),
      environment: environment
    ).filter { $0.name.lowercased() != "content-type" }
    var req = HTTPRequest(
      method: "GET", url: url, headers: headers, connectTimeout: .seconds(5),
      idleTimeout: .seconds(10))
    req.secretHeaderNames = provider.secretHeaderNames
    let response: HTTPStreamingResponse
    do {
      response = try await transport.send(req)
    } catch let e as TransportError {
      throw mapTransport(e)
    }
    guard response.head.status == 200, let body = try? await response.collectBody(),
      let json = try? JSON.parse(body)
    else { return nil }
    return wire.modelIDs(fromListing: json)
  }
}
