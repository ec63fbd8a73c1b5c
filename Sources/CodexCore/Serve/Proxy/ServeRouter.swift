/// Where a request's model name goes: `[serve.aliases]` first, then a `provider/model` prefix
/// (the rule `--model` uses, `ModelRouting`), else the configured default provider.
struct ServeRouter: Sendable {
  /// One provider and model to try; a request has a list of them, tried in order (the
  /// failover chain will make the list longer than one).
  struct Route: Sendable {
    var provider: ProviderInfo
    var model: String
    /// The options configured for this provider and model (`model_options`, `[models.NAME]`).
    var options: ModelOptions

    /// `provider/model`, for the log.
    var label: String { "\(provider.id)/\(model)" }
  }

  let config: Config
  /// Whether a built-in provider's id routes too: only when the config chose no provider, so
  /// `openai/gpt-oss-20b` still goes to the configured vLLM.
  let builtInsRoute: Bool
  let aliases: [String: [String]]

  init(config: Config) {
    self.config = config
    if case .builtIn? = config.origins["model_provider"] {
      builtInsRoute = true
    } else {
      builtInsRoute = config.origins["model_provider"] == nil
    }
    var aliases: [String: [String]] = [:]
    for alias in config.serve.aliases { aliases[alias.name] = alias.targets }
    self.aliases = aliases
  }

  func routes(for name: String) throws(ServeFailure) -> [Route] {
    if name.isEmpty {
      guard !config.model.isEmpty else {
        throw ServeFailure(
          status: 400,
          message: "the request names no model and none is configured (set `model` in config.toml)")
      }
      return [route(config.provider, config.model)]
    }
    if let targets = aliases[name] {
      return targets.map { target in
        // An alias says provider/model explicitly: built-in ids route too.
        if let (id, model) = ModelRouting.split(
          target, registry: config.providers, userProviders: Set(config.userProviderIDs),
          builtInsRoute: true), let provider = provider(id)
        {
          return route(provider, model)
        }
        return route(config.provider, target)
      }
    }
    if let (id, model) = ModelRouting.split(
      name, registry: config.providers, userProviders: Set(config.userProviderIDs),
      builtInsRoute: builtInsRoute), let provider = provider(id)
    {
      return [route(provider, model)]
    }
    return [route(config.provider, name)]
  }

  /// The provider for an id: the effective default one (it carries `--provider-url`) or the
  /// registry's.
  func provider(_ id: String) -> ProviderInfo? {
    if id == config.provider.id { return config.provider }
    return config.providers[id]
  }

  func route(_ provider: ProviderInfo, _ model: String) -> Route {
    // The default provider's options were merged for the default model; start from the
    // provider's own and merge for this model.
    let own = config.providers[provider.id]?.modelOptions ?? provider.modelOptions
    var options = own.merged(with: config.sharedModelOptions)
    if let perModel = config.modelOptionsByName[model] { options = options.merged(with: perModel) }
    if let max = config.sharedModelOptions.maxOutputTokens { options.maxOutputTokens = max }
    return Route(provider: provider, model: model, options: options)
  }

  /// The providers `GET /v1/models` asks: the default one, every one the config defines, and
  /// every one an alias names.
  var listedProviders: [ProviderInfo] {
    var ids = [config.provider.id] + config.userProviderIDs
    for targets in aliases.values {
      for target in targets {
        if let (id, _) = ModelRouting.split(
          target, registry: config.providers, userProviders: Set(config.userProviderIDs),
          builtInsRoute: true)
        {
          ids.append(id)
        }
      }
    }
    var seen = Set<String>()
    return ids.filter { seen.insert($0).inserted }.compactMap(provider)
  }
}
