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

  /// Auth and the user's own headers, as the server kind expects them.
  func headers(json: Bool) -> [(name: String, value: String)] {
    let key = provider.apiKey(environment: environment)
    var h = Wires.commonHeaders(provider: provider, apiKey: key, environment: environment)
    if !json { h.removeAll { $0.name.lowercased() == "content-type" } }
    switch kind {
    case .anthropic:
      // protocols.md §5: the key goes in x-api-key, with the API version pinned.
      h.removeAll { $0.name.lowercased() == "authorization" }
      if let key { h.append(("x-api-key", key)) }
      if !h.contains(where: { $0.name.lowercased() == "anthropic-version" }) {
        h.append(("anthropic-version", "2023-06-01"))
      }
    case .gemini:
      h.removeAll { $0.name.lowercased() == "authorization" }
      if let key { h.append(("x-goog-api-key", key)) }
    default:
      break
    }
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
