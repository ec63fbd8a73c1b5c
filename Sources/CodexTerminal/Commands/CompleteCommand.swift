import CodexCore

/// `codex __complete KIND`: one value per line for the completion scripts. Quiet and quick:
/// a broken config or a server that is down gives what can be had (built-in providers, no
/// models), never an error message in the middle of the user's command line.
enum CompleteCommand {
  /// How long a model list is reused before the server is asked again.
  static let modelCacheSeconds = 600

  static func run(_ context: CommandContext) async -> Int32 {
    guard let kind = context.args.positionals.first.flatMap(CompletionScript.DynamicKind.init)
    else { return 2 }
    let config = try? context.loader.load(context.args.overrides)
    let values: [String]
    switch kind {
    case .providers:
      values = config?.providers.ids ?? BuiltInProviders.all.map(\.id)
    case .profiles:
      values = (try? context.loader.layers(ConfigOverrides()).0.children(of: ["profiles"])) ?? []
    case .mcpServers:
      values =
        (try? context.loader.layers(ConfigOverrides()).0.children(of: ["mcp_servers"])) ?? []
    case .models:
      guard let config else { return 0 }
      values = await models(config, environment: context.environment)
    }
    if !values.isEmpty {
      TerminalIO.write(TerminalIO.stdoutFD, values.joined(separator: "\n") + "\n")
    }
    return 0
  }

  /// The configured provider's models, from a cache under `$CODEX_HOME/cache` that is at most
  /// `modelCacheSeconds` old, else asked of the server (and cached).
  static func models(_ config: Config, environment: [String: String]) async -> [String] {
    let cache = ModelListCache(codexHome: config.codexHome)
    let provider = config.provider
    if let fresh = cache.read(provider: provider.id, maxAgeSeconds: modelCacheSeconds) {
      return fresh
    }
    // The same list `codex models` shows; names only, and quickly: Tab should not wait.
    let catalog = ModelCatalog(
      provider: provider, transport: CurlTransport(), environment: environment,
      timeout: .seconds(3))
    guard let listed = try? await catalog.list(details: false).map(\.id) else { return [] }
    cache.write(listed, provider: provider.id)
    return listed
  }
}
