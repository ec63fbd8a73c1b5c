/// The effective configuration after files, profile, `-c` overrides and flags are merged and
/// validated. Everything the engine needs; no front-end concerns.
public struct Config: Sendable {
  public var model: String
  public var provider: ProviderInfo
  public var providers: ProviderRegistry
  public var approvalPolicy: ApprovalPolicy
  public var sandboxMode: SandboxMode
  public var sandboxWorkspaceWrite: SandboxWorkspaceWrite
  public var shellEnvironmentPolicy: ShellEnvironmentPolicy
  public var history: HistorySettings
  public var notify: [String]
  public var hideAgentReasoning: Bool
  /// `instructions.md` (and the `instructions` key), sent before the project docs.
  public var userInstructions: String?
  public var projectDocMaxBytes: Int
  /// `model_context_window`: the window in tokens, when the user knows it better than the server.
  public var modelContextWindow: Int?
  /// `model_auto_compact_token_limit`.
  public var autoCompactTokenLimit: Int?
  /// `[mcp_servers.*]`, in file order (disabled ones included).
  public var mcpServers: [MCPServerConfig] = []
  /// The working directory (`-C/--cd`, else the process's).
  public var cwd: String
  /// `CODEX_HOME`, default `~/.codex`.
  public var codexHome: String
  /// Where each value came from, for `codex config show`.
  public var origins: [String: ConfigOrigin]
  /// Non-fatal problems (unknown keys), each one line with file:line.
  public var warnings: [String]
  /// `[serve]`.
  public var serve = ServeSettings()
  /// The providers the config defines (`[model_providers.ID]`), which `provider/model` names
  /// always route to.
  public var userProviderIDs: [String] = []
  /// `[model_options]`, `[models."NAME"]` and `model_max_output_tokens`: already merged into
  /// `provider` for `model`; kept apart for routes to other models (`route`).
  public var optionLayers = ModelOptionLayers()
  /// `fallback = ["PROVIDER/MODEL", …]`: tried in order when the provider in use is down.
  public var fallbacks: [ModelRoute] = []
  /// Token prices: `[models."NAME"] price` over the built-in table.
  public var prices = PriceBook()

  public init(
    model: String, provider: ProviderInfo, providers: ProviderRegistry,
    approvalPolicy: ApprovalPolicy = .onRequest, sandboxMode: SandboxMode = .workspaceWrite,
    sandboxWorkspaceWrite: SandboxWorkspaceWrite = SandboxWorkspaceWrite(),
    shellEnvironmentPolicy: ShellEnvironmentPolicy = ShellEnvironmentPolicy(),
    history: HistorySettings = HistorySettings(), notify: [String] = [],
    hideAgentReasoning: Bool = false, userInstructions: String? = nil,
    projectDocMaxBytes: Int = 32 * 1024, modelContextWindow: Int? = nil,
    autoCompactTokenLimit: Int? = nil, cwd: String, codexHome: String,
    origins: [String: ConfigOrigin] = [:], warnings: [String] = []
  ) {
    self.model = model
    self.provider = provider
    self.providers = providers
    self.approvalPolicy = approvalPolicy
    self.sandboxMode = sandboxMode
    self.sandboxWorkspaceWrite = sandboxWorkspaceWrite
    self.shellEnvironmentPolicy = shellEnvironmentPolicy
    self.history = history
    self.notify = notify
    self.hideAgentReasoning = hideAgentReasoning
    self.userInstructions = userInstructions
    self.projectDocMaxBytes = projectDocMaxBytes
    self.modelContextWindow = modelContextWindow
    self.autoCompactTokenLimit = autoCompactTokenLimit
    self.cwd = cwd
    self.codexHome = codexHome
    self.origins = origins
    self.warnings = warnings
  }
}

extension Config {
  /// Whether a built-in provider's id routes a `provider/model` name: only when the config
  /// chose no provider, so `openai/gpt-oss-20b` still goes to the configured vLLM.
  public var builtInPrefixesRoute: Bool {
    guard let origin = origins["model_provider"] else { return true }
    return origin == .builtIn
  }

  /// The provider and model a `provider/model` name routes to (`ModelRoute.split` over this
  /// config's providers); nil when the name is a model name as it stands. `builtInsRoute`:
  /// whether built-in ids route, by default `builtInPrefixesRoute`.
  public func prefixRoute(of name: String, builtInsRoute: Bool? = nil) -> (
    provider: String, model: String
  )? {
    ModelRoute.split(
      name, registry: providers, userProviders: Set(userProviderIDs),
      builtInsRoute: builtInsRoute ?? builtInPrefixesRoute)
  }

  /// A model name as a person or a client gives it (`/model`, a `codex serve` request or alias):
  /// `provider/model` goes to that provider when the prefix routes (`prefixRoute`), anything
  /// else is a model of `current` (the configured provider by default).
  public func route(
    named name: String, current: ProviderInfo? = nil, builtInsRoute: Bool? = nil
  ) -> ModelRoute {
    if let (id, model) = prefixRoute(of: name, builtInsRoute: builtInsRoute),
      let provider = provider(id: id)
    {
      return route(provider, model: model)
    }
    return route(current ?? provider, model: name)
  }

  /// `model` on `provider`, with the options configured for that model: the provider's own,
  /// then `[model_options]`, `[models."NAME"]`, `model_max_output_tokens`.
  public func route(_ provider: ProviderInfo, model: String) -> ModelRoute {
    var p = provider
    // The configured provider's options were merged for the configured model; start again
    // from the provider's own.
    let own = providers[provider.id]?.modelOptions ?? provider.modelOptions
    p.modelOptions = optionLayers.resolve(own: own, model: model)
    return ModelRoute(provider: p, model: model)
  }

  /// The provider an id names: the configured one (it carries `--provider-url`) or the
  /// registry's.
  public func provider(id: String) -> ProviderInfo? {
    id == provider.id ? provider : providers[id]
  }
}

/// The model options a config sets beside a provider's own, in the order they apply.
public struct ModelOptionLayers: Sendable, Equatable {
  /// `[model_options]`.
  public var shared = ModelOptions()
  /// `[models."NAME"]`.
  public var byModel: [String: ModelOptions] = [:]
  /// `model_max_output_tokens`: over every other `max_output_tokens`.
  public var maxOutputTokens: Int?

  public init(
    shared: ModelOptions = ModelOptions(), byModel: [String: ModelOptions] = [:],
    maxOutputTokens: Int? = nil
  ) {
    self.shared = shared
    self.byModel = byModel
    self.maxOutputTokens = maxOutputTokens
  }

  public func resolve(own: ModelOptions, model: String?) -> ModelOptions {
    var options = own.merged(with: shared)
    if let model, let perModel = byModel[model] { options = options.merged(with: perModel) }
    if let maxOutputTokens { options.maxOutputTokens = maxOutputTokens }
    return options
  }
}

/// `[sandbox_workspace_write]`, as codex-rs.
public struct SandboxWorkspaceWrite: Sendable, Equatable {
  public var writableRoots: [String]
  public var networkAccess: Bool
  public var excludeTmpdirEnvVar: Bool
  public var excludeSlashTmp: Bool

  public init(
    writableRoots: [String] = [], networkAccess: Bool = false, excludeTmpdirEnvVar: Bool = false,
    excludeSlashTmp: Bool = false
  ) {
    self.writableRoots = writableRoots
    self.networkAccess = networkAccess
    self.excludeTmpdirEnvVar = excludeTmpdirEnvVar
    self.excludeSlashTmp = excludeSlashTmp
  }
}

/// `[history]`: `persistence = "save-all" | "none"`, `max_bytes`.
public struct HistorySettings: Sendable, Equatable {
  public var saveAll: Bool
  public var maxBytes: Int?
  public init(saveAll: Bool = true, maxBytes: Int? = nil) {
    self.saveAll = saveAll
    self.maxBytes = maxBytes
  }
}

/// Where a setting's value came from.
public enum ConfigOrigin: Sendable, Equatable, CustomStringConvertible {
  case file(path: String, position: SourcePosition)
  case override(String)  // -c key=value
  case flag(String)
  case environment(String)
  case builtIn

  public var description: String {
    switch self {
    case .file(let path, let pos): return "\(path):\(pos.line)"
    case .override(let text): return "-c \(text)"
    case .flag(let f): return "flag \(f)"
    case .environment(let v): return "env \(v)"
    case .builtIn: return "default"
    }
  }
}

/// Built-in providers overlaid with the user's `[model_providers.*]`.
public struct ProviderRegistry: Sendable {
  public private(set) var providers: [ProviderInfo]

  public init(_ providers: [ProviderInfo] = BuiltInProviders.all) { self.providers = providers }

  public subscript(id: String) -> ProviderInfo? { providers.first(where: { $0.id == id }) }

  public mutating func set(_ p: ProviderInfo) {
    if let i = providers.firstIndex(where: { $0.id == p.id }) {
      providers[i] = p
    } else {
      providers.append(p)
    }
  }

  public var ids: [String] { providers.map(\.id) }
}
