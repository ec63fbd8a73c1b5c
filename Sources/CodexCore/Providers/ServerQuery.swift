/// A small request to a provider outside the chat stream: a model listing, `/props`,
/// `/api/show`. Sends the provider's credentials the way its server wants them, bounds every
/// wait, and turns transport failures into the same `ProviderError`s a chat request gives.
struct ServerQuery: Sendable {
  let provider: ProviderInfo
  let kind: ServerKind
  let transport: any HTTPTransport
  let environment: [String: String]
  var connectTimeout: Duration = .seconds(5)
  var idleTimeout: Duration = .seconds(15)
  /// OpenRouter's full listing is ~0.5 MB; nothing we ask for is near this.
  var bodyLimit = 16 << 20

  /// `kind`: nil decides from the provider (tests name it for wires not built yet).
  init(
    provider: ProviderInfo, transport: any HTTPTransport, environment: [String: String],
    timeout: Duration? = nil, kind: ServerKind? = nil
  ) {
    self.provider = provider
    self.kind = kind ?? ServerKind.of(provider)
    self.transport = transport
    self.environment = environment
    if let timeout {
      connectTimeout = min(connectTimeout, timeout)
      idleTimeout = min(idleTimeout, timeout)
    }
  }

  struct Reply: Sendable {
    var status: Int
    var body: [UInt8]
    /// From sending the request to having the status line: the round trip users feel.
    var latency: Duration
    var url: String

    var json: JSON? { try? JSON.parse(body) }
    var ok: Bool { (200..<300).contains(status) }
    var errorMessage: String { ErrorBody.parse(body).message }
  }

  /// `path` below the provider's base URL (`models` → `…/v1/models`), with its query params.
  func baseURL(_ path: String) -> String { provider.url(path: path) }

  /// `path` below the server root (`api/tags`, `props`, `v1/models`), with its query params.
  func rootURL(_ path: String) -> String {
    var p = provider
    p.baseURL = ServerKind.root(of: provider.baseURL)
    return p.url(path: path)
  }

  /// Auth and the user's own headers, as the provider's wire sends them (`x-api-key` and
  /// `anthropic-version` for Anthropic, `x-goog-api-key` for Gemini, a Bearer token otherwise).
  func headers(json: Bool) -> [(name: String, value: String)] {
    var h = Wires.commonHeaders(
      wire: Wires.wire(for: provider.wire), provider: provider,
      apiKey: provider.apiKey(environment: environment), environment: environment)
    if !json { h.removeAll { $0.name.lowercased() == "content-type" } }
    return h
  }

  func get(_ url: String) async throws -> Reply {
    try await send(request("GET", url))
  }

  func post(_ url: String, _ body: JSON) async throws -> Reply {
    try await send(request("POST", url, body: body))
  }

  /// A request to this provider: its auth and headers, the env headers marked secret for
  /// `DEBUG=1`, this query's timeouts.
  func request(_ method: String, _ url: String, body: JSON? = nil) -> HTTPRequest {
    var request = HTTPRequest(
      method: method, url: url, headers: headers(json: body != nil),
      body: body?.serializedBytes() ?? [], connectTimeout: connectTimeout, idleTimeout: idleTimeout)
    request.secretHeaderNames = provider.secretHeaderNames
    return request
  }

  func send(_ request: HTTPRequest) async throws -> Reply {
    let started = ContinuousClock.now
    do {
      let response = try await transport.send(request)
      let latency = ContinuousClock.now - started
      let body = try await response.collectBody(limit: bodyLimit)
      return Reply(status: response.head.status, body: body, latency: latency, url: request.url)
    } catch let e as TransportError {
      throw client.mapTransport(e)
    }
  }

  /// The chat client's view of the same provider, for its error mapping.
  var client: ModelClient {
    ModelClient(provider: provider, transport: transport, environment: environment)
  }

  /// The error for a reply that is not a success: a rejected key names the variable to check.
  func failure(_ reply: Reply) -> any Error {
    if reply.status == 401 || reply.status == 403 {
      return ProviderError.unauthorized(
        provider: provider.name, status: reply.status, envKey: provider.envKey,
        message: reply.errorMessage)
    }
    return ServerQueryError.status(
      provider: provider.name, url: reply.url, status: reply.status, message: reply.errorMessage)
  }
}

/// What went wrong asking a server for something other than an answer.
public enum ServerQueryError: Error, Sendable, Equatable, CustomStringConvertible {
  case status(provider: String, url: String, status: Int, message: String)
  case malformed(provider: String, url: String, detail: String)
  /// The server has no such endpoint (every URL tried answered 404/405/501).
  case notOffered(provider: String, what: String, url: String)

  public var description: String {
    switch self {
    case .status(let p, let url, let status, let message):
      return "\(p) answered HTTP \(status) at \(url): \(message)"
    case .malformed(let p, let url, let detail):
      return "\(p) sent something unexpected for \(url): \(detail)"
    case .notOffered(let p, let what, let url):
      return "\(p) does not offer \(what) (\(url) is not there)"
    }
  }
}

extension Duration {
  /// Whole milliseconds, for latency in messages.
  var milliseconds: Int64 {
    let (seconds, attoseconds) = components
    return seconds * 1000 + attoseconds / 1_000_000_000_000_000
  }
}
