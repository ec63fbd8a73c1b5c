extension ServeFailure {
  /// What to tell the client about a failed request to a provider: the provider's own status
  /// when it answered with one, else the gateway status that fits (502 unreachable or broken,
  /// 504 silent), the engine's one-line explanation, and `Retry-After` passed on.
  init(_ error: any Error, upstream head: HTTPResponseHead?) {
    let upstreamStatus = head.map(\.status).flatMap { $0 >= 400 ? $0 : nil }
    var headers: [(name: String, value: String)] = []
    if let head {
      for name in ["retry-after", "retry-after-ms"] {
        if let v = head.header(name) { headers.append((name: name, value: v)) }
      }
    }
    guard let e = error as? ProviderError else {
      self.init(status: upstreamStatus ?? 502, message: "\(error)", headers: headers)
      return
    }
    let status: Int
    var code: String?
    switch e {
    case .missingAPIKey:
      status = 500
      code = "missing_provider_key"
    case .unreachable, .endpointNotFound, .streamError, .malformedStream, .connectionLost, .tls:
      status = 502
    case .idleTimeout:
      status = 504
    case .modelNotFound:
      status = 404
      code = "model_not_found"
    case .rateLimited:
      status = 429
      code = "rate_limit_exceeded"
    case .quotaExceeded:
      status = 429
      code = "insufficient_quota"
    case .contextOverflow:
      status = upstreamStatus ?? 400
      code = "context_length_exceeded"
    case .unauthorized(_, let s, _, _), .server(_, let s, _, _), .badRequest(_, let s, _):
      status = upstreamStatus ?? s
    case .invalidRequest:
      status = 500
    }
    self.init(status: status, message: e.description, code: code, headers: headers)
  }

  /// Worth trying the next provider of a failover chain: the provider could not serve it
  /// (down, overloaded, rate limited), rather than the request being wrong.
  var suggestsFailover: Bool {
    status == 429 || status >= 500
  }
}
