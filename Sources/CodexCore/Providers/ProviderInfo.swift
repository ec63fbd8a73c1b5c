/// Which HTTP protocol a provider speaks. Matches codex-rs's `wire_api` values where they exist.
public enum WireAPI: String, Sendable, CaseIterable {
  /// OpenAI Chat Completions: `POST {base}/chat/completions`, SSE.
  case chat
  /// OpenAI Responses: `POST {base}/responses`, SSE with typed events.
  case responses
  /// Ollama's native `POST /api/chat`, NDJSON.
  case ollama
  /// Hugging Face TGI's native `POST /generate_stream`, with a chat template applied here.
  case tgi
  /// Anthropic Messages: `POST {base}/v1/messages`, SSE with typed events.
  case anthropic
  /// Google Gemini: `POST {base}/v1beta/models/{model}:streamGenerateContent?alt=sse`.
  case gemini
}

/// Server-specific habits on a shared wire (mostly the chat wire). Decides small encoding
/// choices such as `max_tokens` vs `max_completion_tokens`; never a separate code path.
public enum ServerFlavor: String, Sendable, CaseIterable {
  case openai
  case vllm
  case llamacpp
  case ollama
  case tgi
  case lmstudio
  case generic
}

/// Everything `codex` knows about one provider. Mirrors codex-rs's `ModelProviderInfo`.
public struct ProviderInfo: Sendable, Equatable {
  public var id: String
  public var name: String
  public var baseURL: String
  public var wire: WireAPI
  public var flavor: ServerFlavor
  /// The environment variable holding the API key. `nil`: no key needed (local servers).
  public var envKey: String?
  /// Other variables accepted for the key when `envKey` is unset, in order of preference
  /// (Gemini's SDKs read `GOOGLE_API_KEY` as well as `GEMINI_API_KEY`).
  public var alternateEnvKeys: [String]
  /// Shown when the key is missing ("Create one at https://...").
  public var envKeyInstructions: String?
  /// Whether a missing key is an error (hosted) or fine (a local server that may take one).
  public var requiresKey: Bool
  public var httpHeaders: [(name: String, value: String)]
  /// Header name → environment variable; sent when the variable is set.
  public var envHTTPHeaders: [(name: String, env: String)]
  public var queryParams: [(name: String, value: String)]
  public var requestMaxRetries: Int
  public var streamMaxRetries: Int
  public var streamIdleTimeout: Duration
  /// Runs on the user's machine or network: no key needed, errors suggest starting it.
  public var isLocal: Bool
  /// How to start the server when it does not answer (`ollama serve`).
  public var startHint: String?
  /// Accept tool calls that the model printed as text (small local models do this): the
  /// config's `text_tool_calls`, else on for a server on the user's machine or network. Derived
  /// rather than stored, so a provider that becomes local (`--provider-url`, a `base_url` read
  /// after the provider was made) gets the local default too.
  public var textToolCalls: Bool {
    get { textToolCallsSetting ?? isLocal }
    set { textToolCallsSetting = newValue }
  }
  /// `text_tool_calls` as configured; nil follows `isLocal`.
  public var textToolCallsSetting: Bool?
  /// Default model when none is configured.
  public var defaultModel: String?
  public var modelOptions: ModelOptions
  /// For `wire = tgi`: which prompt template to render (`chatml`, `llama3`, ...; `auto` guesses
  /// from the model id the server reports).
  public var chatTemplate: String?
  /// What `codex serve` lets through to this provider.
  public var limits = ProviderLimits()

  public init(
    id: String, name: String, baseURL: String, wire: WireAPI, flavor: ServerFlavor = .generic,
    envKey: String? = nil, alternateEnvKeys: [String] = [], envKeyInstructions: String? = nil,
    requiresKey: Bool = false,
    httpHeaders: [(name: String, value: String)] = [],
    envHTTPHeaders: [(name: String, env: String)] = [],
    queryParams: [(name: String, value: String)] = [], requestMaxRetries: Int = 4,
    streamMaxRetries: Int = 5, streamIdleTimeout: Duration = .milliseconds(300_000),
    isLocal: Bool = false, startHint: String? = nil, textToolCalls: Bool? = nil,
    defaultModel: String? = nil, modelOptions: ModelOptions = ModelOptions(),
    chatTemplate: String? = nil
  ) {
    self.id = id
    self.name = name
    self.baseURL = baseURL
    self.wire = wire
    self.flavor = flavor
    self.envKey = envKey
    self.alternateEnvKeys = alternateEnvKeys
    self.envKeyInstructions = envKeyInstructions
    self.requiresKey = requiresKey
    self.httpHeaders = httpHeaders
    self.envHTTPHeaders = envHTTPHeaders
    self.queryParams = queryParams
    self.requestMaxRetries = requestMaxRetries
    self.streamMaxRetries = streamMaxRetries
    self.streamIdleTimeout = streamIdleTimeout
    self.isLocal = isLocal
    self.startHint = startHint
    self.textToolCallsSetting = textToolCalls
    self.defaultModel = defaultModel
    self.modelOptions = modelOptions
    self.chatTemplate = chatTemplate
  }

  public static func == (a: ProviderInfo, b: ProviderInfo) -> Bool {
    a.id == b.id && a.name == b.name && a.baseURL == b.baseURL && a.wire == b.wire
      && a.flavor == b.flavor && a.envKey == b.envKey && a.alternateEnvKeys == b.alternateEnvKeys
      && a.requiresKey == b.requiresKey
      && a.httpHeaders.map { "\($0.name)=\($0.value)" }
        == b.httpHeaders.map { "\($0.name)=\($0.value)" }
      && a.envHTTPHeaders.map { "\($0.name)=\($0.env)" }
        == b.envHTTPHeaders.map { "\($0.name)=\($0.env)" }
      && a.queryParams.map { "\($0.name)=\($0.value)" }
        == b.queryParams.map { "\($0.name)=\($0.value)" }
      && a.requestMaxRetries == b.requestMaxRetries && a.streamMaxRetries == b.streamMaxRetries
      && a.streamIdleTimeout == b.streamIdleTimeout && a.isLocal == b.isLocal
      && a.textToolCalls == b.textToolCalls && a.defaultModel == b.defaultModel
      && a.modelOptions == b.modelOptions && a.chatTemplate == b.chatTemplate
      && a.startHint == b.startHint && a.envKeyInstructions == b.envKeyInstructions
      && a.limits == b.limits
  }

  /// Headers whose values come from the environment (`env_http_headers`): secrets whatever
  /// their names, never shown by `DEBUG=1`. Every request built from this provider's headers
  /// carries them (`HTTPRequest.secretHeaderNames`).
  public var secretHeaderNames: Set<String> { Set(envHTTPHeaders.map { $0.name.lowercased() }) }

  /// The key from the environment, if this provider uses one and it is set (non-empty).
  public func apiKey(environment: [String: String]) -> String? {
    apiKeySource(environment: environment).map(\.value)
  }

  /// The key and the variable it came from: `envKey`, else the first alternate that is set.
  public func apiKeySource(environment: [String: String]) -> (variable: String, value: String)? {
    guard let envKey else { return nil }
    for name in [envKey] + alternateEnvKeys {
      if let v = environment[name], !v.isEmpty { return (name, v) }
    }
    return nil
  }

  /// The key variables as a user would be told to set them: `A` or `A or B`.
  public var envKeyDescription: String? {
    envKey.map { ([$0] + alternateEnvKeys).joined(separator: " or ") }
  }

  /// `base` + `path` with the configured query parameters, never doubling a `/`.
  public func url(path: String) -> String {
    var base = baseURL
    while base.hasSuffix("/") { base.removeLast() }
    var url = base + (path.hasPrefix("/") ? path : "/" + path)
    if !queryParams.isEmpty {
      let q = queryParams.map { "\(URLQuery.escape($0.name))=\(URLQuery.escape($0.value))" }
      url += (url.contains("?") ? "&" : "?") + q.joined(separator: "&")
    }
    return url
  }
}

enum URLQuery {
  /// Percent-encodes everything but RFC 3986 unreserved characters.
  static func escape(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
      switch b {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "_"), UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(b))
      default:
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        out.unicodeScalars.append("%")
        out.unicodeScalars.append(hex[Int(b >> 4)])
        out.unicodeScalars.append(hex[Int(b & 0xF)])
      }
    }
    return out
  }
}
