/// Where a request's model name goes: `[serve.aliases]` first, then the rule every model name
/// follows (`Config.route(named:)`: a `provider/model` prefix, else the configured provider).
/// The request then runs through that route's fallback chain (`ModelRouter.chain`).
struct ServeRouter: Sendable {
  let config: Config
  let aliases: [String: String]

  init(config: Config) {
    self.config = config
    var aliases: [String: String] = [:]
    for alias in config.serve.aliases { aliases[alias.name] = alias.target }
    self.aliases = aliases
  }

  func route(for name: String) throws(ServeFailure) -> ModelRoute {
    if name.isEmpty {
      guard !config.model.isEmpty else {
        throw ServeFailure(
          status: 400,
          message: "the request names no model and none is configured (set `model` in config.toml)")
      }
      return config.route(config.provider, model: config.model)
    }
    // An alias says provider/model explicitly: built-in ids route too.
    if let target = aliases[name] { return config.route(named: target, builtInsRoute: true) }
    return config.route(named: name)
  }

  /// The providers `GET /v1/models` asks: the default one, every one the config defines, and
  /// every one an alias names.
  var listedProviders: [ProviderInfo] {
    var ids = [config.provider.id] + config.userProviderIDs
    for target in aliases.values {
      if let (id, _) = config.prefixRoute(of: target, builtInsRoute: true) { ids.append(id) }
    }
    var seen = Set<String>()
    return ids.filter { seen.insert($0).inserted }.compactMap { config.provider(id: $0) }
  }
}
