/// `codex serve`'s routes: one OpenAI-compatible (and Anthropic-compatible) endpoint in front of
/// every configured provider. The HTTP server hands each request to `handle`; everything the
/// proxy decides (auth, routing, limits, translation, the access log) happens here, and the
/// terminal front end only says where log lines go.
public final class ServeService: Sendable {
  let config: Config
  let environment: [String: String]
  let transport: any HTTPTransport
  let router: ServeRouter
  /// The fallback chains, Ollama's `num_ctx` and prices: what every model request of the
  /// session passes through, too.
  let modelRouter: ModelRouter
  let catalog: ServeModelList
  /// One per provider that has limits.
  let gates: [String: ProviderGate]
  let apiKey: String?
  /// One access-log line per request, and notices (a provider left out of the model list).
  let log: @Sendable (String) -> Void
  /// `DEBUG=1`: what the client sent and what it got (the provider side is the transport's).
  let debug: (@Sendable (String) -> Void)?

  /// - Parameters:
  ///   - apiKey: the key clients must send (`Authorization: Bearer` or `x-api-key`); nil lets
  ///     every client in (fine on loopback only, which `codex serve` enforces).
  ///   - probeTimeout: how long a request waits for what a server says about a model's context
  ///     (Ollama's `num_ctx`).
  public init(
    config: Config, environment: [String: String], transport: any HTTPTransport,
    apiKey: String?, log: @escaping @Sendable (String) -> Void,
    debug: (@Sendable (String) -> Void)? = nil,
    probeTimeout: Duration = ContextWindowProbe.defaultTimeout
  ) {
    self.config = config
    self.environment = environment
    self.transport = transport
    router = ServeRouter(config: config)
    modelRouter = ModelRouter(
      config: config, transport: transport, environment: environment, probeTimeout: probeTimeout)
    catalog = ServeModelList(ttl: config.serve.modelsCacheTTL)
    var gates: [String: ProviderGate] = [:]
    for p in config.providers.providers + [config.provider] where !p.limits.isUnlimited {
      gates[p.id] = ProviderGate(limits: p.limits, maxQueue: config.serve.maxQueue)
    }
    self.gates = gates
    self.apiKey = apiKey
    self.log = log
    self.debug = debug
  }

  enum API {
    case chat
    case messages
  }

  public func handle(_ request: HTTPServerRequest, _ writer: HTTPResponseWriter) async {
    var entry = AccessLogEntry(request: request)
    // Clients use the base URL with or without /v1.
    var path = request.path
    if !path.hasPrefix("/v1/") && path != "/health" { path = "/v1" + path }
    switch (request.method, path) {
    case ("GET", "/health"), ("HEAD", "/health"), ("GET", "/v1/health"):
      respondJSON(writer, 200, ["status": "ok"], &entry)
    case ("GET", "/v1/models"):
      guard authorize(request, writer, api: nil, &entry) else { break }
      await models(request, writer, &entry)
    case ("POST", "/v1/chat/completions"):
      guard authorize(request, writer, api: .chat, &entry) else { break }
      await proxy(request, writer, api: .chat, &entry)
    case ("POST", "/v1/messages"):
      guard authorize(request, writer, api: .messages, &entry) else { break }
      await proxy(request, writer, api: .messages, &entry)
    case (_, "/health"), (_, "/v1/models"), (_, "/v1/chat/completions"), (_, "/v1/messages"):
      let allowed = path == "/v1/models" || path == "/health" ? "GET" : "POST"
      entry.status = 405
      writer.respond(
        status: 405,
        headers: [("Content-Type", "application/json"), ("Allow", allowed)],
        body: ServeErrorBody.generic(
          status: 405, message: "\(request.method) is not allowed on \(path); use \(allowed)"))
    default:
      entry.status = 404
      writer.respond(
        status: 404, headers: [("Content-Type", "application/json")],
        body: ServeErrorBody.generic(
          status: 404,
          message: "no route \(AccessLogEntry.clean(request.path)); codex serve has POST "
            + "/v1/chat/completions, POST /v1/messages, GET /v1/models and GET /health"))
    }
    entry.total = ContinuousClock.now - request.receivedAt
    log(entry.line)
  }

  // MARK: - Pieces

  func respondJSON(
    _ writer: HTTPResponseWriter, _ status: Int, _ body: JSON, _ entry: inout AccessLogEntry
  ) {
    entry.status = status
    writer.respond(
      status: status, headers: [("Content-Type", "application/json")],
      body: body.serializedBytes())
  }

  func respondFailure(
    _ writer: HTTPResponseWriter, _ failure: ServeFailure, api: API?,
    _ entry: inout AccessLogEntry
  ) {
    entry.status = failure.status
    entry.error = failure.message
    let body: [UInt8]
    switch api {
    case .chat?:
      body = ServeErrorBody.openAI(
        status: failure.status, message: failure.message, code: failure.code)
    case .messages?:
      body = ServeErrorBody.anthropic(status: failure.status, message: failure.message)
    case nil: body = ServeErrorBody.generic(status: failure.status, message: failure.message)
    }
    writer.respond(
      status: failure.status, headers: [("Content-Type", "application/json")] + failure.headers,
      body: body)
  }

  /// Checks the client's key (in constant time); answers 401 when it is wrong.
  func authorize(
    _ request: HTTPServerRequest, _ writer: HTTPResponseWriter, api: API?,
    _ entry: inout AccessLogEntry
  ) -> Bool {
    guard let apiKey else { return true }
    var presented: String?
    if let auth = request.header("authorization") {
      let parts = auth.split(separator: " ", maxSplits: 1)
      if parts.count == 2, parts[0].lowercased() == "bearer" {
        presented = String(parts[1]).trimmingWhitespace()
      }
    }
    if presented == nil { presented = request.header("x-api-key") }
    if let presented, Self.constantTimeEqual(presented, apiKey) { return true }
    var failure = ServeFailure(
      status: 401,
      message: presented == nil
        ? "this codex serve needs an API key: send it as Authorization: Bearer KEY or x-api-key"
        : "the API key is not the one codex serve was started with")
    failure.headers = [("WWW-Authenticate", "Bearer")]
    respondFailure(writer, failure, api: api, &entry)
    return false
  }

  static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var diff = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) {
      diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
    }
    return diff == 0
  }

  /// The body as JSON, or the failure that says what is wrong with it.
  static func parseBody(_ body: [UInt8]) -> Result<JSON, ServeFailure> {
    guard !body.isEmpty else {
      return .failure(ServeFailure(status: 400, message: "the request has no body (send JSON)"))
    }
    if let bad = UTF8Check.firstInvalidByte(body) {
      return .failure(
        ServeFailure(status: 400, message: "the request body is not valid UTF-8 (byte \(bad))"))
    }
    do {
      return .success(try JSON.parse(body))
    } catch let e as JSONError {
      return .failure(
        ServeFailure(status: 400, message: "the request body is not valid JSON: \(e)"))
    } catch {
      return .failure(ServeFailure(status: 400, message: "the request body is not valid JSON"))
    }
  }

  func modelClient(_ provider: ProviderInfo, transport: any HTTPTransport) -> ModelClient {
    ModelClient(provider: provider, transport: transport, environment: environment)
  }
}
