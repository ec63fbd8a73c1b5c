#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One request, as the access log shows it (one line, never a key):
///
///     2026-12-03T13:48:04.123Z 127.0.0.1:51234 POST /v1/chat/completions groq/llama-3.3-70b 200
///     tokens=12/40 ttft=85ms total=420ms queued=#2/1200ms
public struct AccessLogEntry: Sendable {
  public var time: Date
  public var client: String
  public var method: String
  public var path: String
  /// `provider/model`, once routed.
  public var route: String?
  public var status: Int
  public var inputTokens: Int?
  public var outputTokens: Int?
  /// In US dollars, when the provider reported it or a price is known (`PriceBook`).
  public var cost: Double?
  /// Why the request moved down its fallback chain, one reason per entry left.
  public var fallbacks: [String] = []
  /// From the request's arrival to the first token sent to the client.
  public var firstToken: Duration?
  public var total: Duration
  /// Position in the provider's queue and the time spent waiting there.
  public var queuePosition: Int?
  public var queueWait: Duration?
  public var stream: Bool
  /// Why it failed, when it did.
  public var error: String?

  init(request: HTTPServerRequest) {
    time = Date()
    client = request.peer
    method = request.method
    path = request.path
    status = 0
    total = .zero
    stream = false
  }

  public var line: String {
    var parts = [
      CivilTime(time).iso8601, client, Self.clean(method), Self.clean(path),
    ]
    if let route { parts.append(Self.clean(route)) }
    parts.append(String(status))
    if inputTokens != nil || outputTokens != nil {
      parts.append(
        "tokens=\(inputTokens.map(String.init) ?? "?")/\(outputTokens.map(String.init) ?? "?")")
    }
    if let cost { parts.append("cost=" + CostText.dollars(cost)) }
    if !fallbacks.isEmpty {
      parts.append("fallback=" + JSON.quoted(String(fallbacks.joined(separator: "; ").prefix(300))))
    }
    if let firstToken { parts.append("ttft=\(Self.ms(firstToken))") }
    parts.append("total=\(Self.ms(total))")
    if let queuePosition, queuePosition > 0 {
      parts.append("queued=#\(queuePosition)/\(Self.ms(queueWait ?? .zero))")
    }
    if stream { parts.append("stream") }
    if let error { parts.append("error=" + JSON.quoted(String(error.prefix(300)))) }
    return parts.joined(separator: " ")
  }

  static func ms(_ d: Duration) -> String {
    let (s, atto) = d.components
    let ms = Double(s) * 1000 + Double(atto) / 1e15
    return ms < 10 ? "\(Double(Int(ms * 10)) / 10)ms" : "\(Int(ms))ms"
  }

  /// What a client chose (the path, the model name) shown without control characters or
  /// spaces, so it cannot forge or break log lines.
  static func clean(_ s: String) -> String {
    var out = ""
    for scalar in s.unicodeScalars.prefix(200) {
      if scalar.value < 0x21 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
        out += "\\x" + String(scalar.value, radix: 16)
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
