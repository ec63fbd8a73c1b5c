/// Which server software (or hosted API) a provider is, for the endpoints outside the chat
/// request that only it has: its model listing, where it reports the context window, its
/// health check. Decided from the wire, then the flavor, then the host; never from the id alone,
/// so a user's `[model_providers.mybox]` with `flavor = "vllm"` is treated as vLLM.
public enum ServerKind: String, Sendable, CaseIterable {
  case ollama
  case lmstudio
  case vllm
  case llamacpp
  case tgi
  case openrouter
  case anthropic
  case gemini
  case openai
  /// Any other OpenAI-compatible server: `GET {base}/models`, extra fields read when present.
  case generic

  /// Wires that fix the server kind. Keyed by the raw `wire_api` value so the native Anthropic
  /// and Gemini wires (added in parallel) need no change here.
  static let byWire: [String: ServerKind] = [
    "ollama": .ollama, "tgi": .tgi, "anthropic": .anthropic, "gemini": .gemini,
  ]

  static let byFlavor: [ServerFlavor: ServerKind] = [
    .ollama: .ollama, .lmstudio: .lmstudio, .vllm: .vllm, .llamacpp: .llamacpp, .tgi: .tgi,
    .openai: .openai,
  ]

  /// Hosted APIs recognised by their host when the wire and flavor say nothing.
  static let byHost: [(host: String, kind: ServerKind)] = [
    ("openrouter.ai", .openrouter), ("api.openai.com", .openai),
  ]

  public static func of(_ provider: ProviderInfo) -> ServerKind {
    if let kind = byWire[provider.wire.rawValue] { return kind }
    if let kind = byFlavor[provider.flavor] { return kind }
    let host = Self.host(of: provider.baseURL)
    for entry in byHost where host == entry.host || host.hasSuffix("." + entry.host) {
      return entry.kind
    }
    return .generic
  }

  /// Servers that run where the user can start, stop and feed them: their models cost nothing.
  public var isLocalServer: Bool {
    switch self {
    case .ollama, .lmstudio, .vllm, .llamacpp, .tgi: return true
    case .openrouter, .anthropic, .gemini, .openai, .generic: return false
    }
  }

  /// The server's name as users know it, for messages.
  public var displayName: String {
    switch self {
    case .ollama: return "Ollama"
    case .lmstudio: return "LM Studio"
    case .vllm: return "vLLM"
    case .llamacpp: return "llama.cpp"
    case .tgi: return "TGI"
    case .openrouter: return "OpenRouter"
    case .anthropic: return "Anthropic"
    case .gemini: return "Gemini"
    case .openai: return "OpenAI"
    case .generic: return "the server"
    }
  }

  static func host(of url: String) -> String {
    var rest = Substring(url)
    if let r = rest.firstRange(of: "://") { rest = rest[r.upperBound...] }
    if let at = rest.firstIndex(of: "@") { rest = rest[rest.index(after: at)...] }
    return rest.prefix { $0 != ":" && $0 != "/" && $0 != "?" }.lowercased()
  }

  /// The server root below an API prefix: users write `…:11434/api`, `…:1234/v1`,
  /// `…googleapis.com/v1beta/openai`; the endpoints outside the chat API hang off the root.
  public static func root(of baseURL: String) -> String {
    var s = baseURL
    while s.hasSuffix("/") { s.removeLast() }
    for suffix in ["/openai", "/v1beta", "/v1", "/api"] where s.hasSuffix(suffix) {
      s.removeLast(suffix.count)
      while s.hasSuffix("/") { s.removeLast() }
    }
    return s
  }
}
