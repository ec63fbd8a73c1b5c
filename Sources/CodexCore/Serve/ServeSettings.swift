/// `[serve]` in the config: how `codex serve` listens and routes.
public struct ServeSettings: Sendable, Equatable {
  public var host: String
  public var port: Int
  /// The variable holding the key clients must send (`--api-key` wins).
  public var apiKeyEnv: String?
  /// `[serve.aliases]`: a name clients may use for `provider/model`.
  public var aliases: [ServeAlias]
  /// Requests that may wait for one provider's limits before more are refused with 429.
  public var maxQueue: Int
  /// On SIGINT/SIGTERM, how long streams in flight may take to finish.
  public var shutdownGrace: Duration
  /// How long `GET /v1/models` reuses a provider's list.
  public var modelsCacheTTL: Duration

  public init(
    host: String = "127.0.0.1", port: Int = 8000, apiKeyEnv: String? = nil,
    aliases: [ServeAlias] = [], maxQueue: Int = 100, shutdownGrace: Duration = .seconds(30),
    modelsCacheTTL: Duration = .seconds(60)
  ) {
    self.host = host
    self.port = port
    self.apiKeyEnv = apiKeyEnv
    self.aliases = aliases
    self.maxQueue = maxQueue
    self.shutdownGrace = shutdownGrace
    self.modelsCacheTTL = modelsCacheTTL
  }

  /// The keys of `[serve]`, for `ConfigSchema`.
  public static let schema: [ConfigKey] = [
    ConfigKey("host", .string, "address `codex serve` listens on (default 127.0.0.1)"),
    ConfigKey("port", .integer(0...65535), "port `codex serve` listens on (default 8000)"),
    ConfigKey("api_key_env", .string, "variable holding the key clients must send"),
    ConfigKey("aliases", .stringTable, "model names clients may use for provider/model"),
    ConfigKey(
      "max_queue", .integer(0...100_000),
      "requests that may wait for a provider's limits before 429 (default 100)"),
    ConfigKey(
      "shutdown_grace_seconds", .integer(0...3600),
      "how long streams in flight may finish after SIGINT/SIGTERM (default 30)"),
    ConfigKey(
      "models_cache_seconds", .integer(0...86_400),
      "how long a provider's model list is reused (default 60)"),
  ]
}

/// One `[serve.aliases]` entry: `"fast" = "groq/llama-3.3-70b-versatile"`.
public struct ServeAlias: Sendable, Equatable {
  public var name: String
  public var target: String

  public init(name: String, target: String) {
    self.name = name
    self.target = target
  }
}

/// `requests_per_minute` and `max_concurrent` of a `[model_providers.ID]`: what `codex serve`
/// lets through to that provider.
public struct ProviderLimits: Sendable, Equatable {
  public var requestsPerMinute: Int?
  public var maxConcurrent: Int?

  public init(requestsPerMinute: Int? = nil, maxConcurrent: Int? = nil) {
    self.requestsPerMinute = requestsPerMinute
    self.maxConcurrent = maxConcurrent
  }

  public var isUnlimited: Bool { requestsPerMinute == nil && maxConcurrent == nil }

  /// The keys, for `ConfigSchema.provider`.
  public static let schema: [ConfigKey] = [
    ConfigKey(
      "requests_per_minute", .integer(1...1_000_000),
      "`codex serve`: requests started per rolling minute"),
    ConfigKey(
      "max_concurrent", .integer(1...100_000), "`codex serve`: requests in flight at once"),
  ]
}
