/// The one composition root: builds a ready `Session` from a `Config` — the model client for
/// the provider, the model (asked of the server when none is configured), the instructions and
/// project docs, the tools, and the session file. Every front end (one-shot, interactive, JSON,
/// and modes without a terminal) gets its session here, so they cannot drift apart.
public struct SessionFactory: Sendable {
  public let config: Config
  public let environment: [String: String]
  public let transport: any HTTPTransport

  public init(config: Config, environment: [String: String], transport: any HTTPTransport) {
    self.config = config
    self.environment = environment
    self.transport = transport
  }

  /// What was built, for the front end to hold on to.
  public struct Built: Sendable {
    public let session: Session
    /// The shell tool, so `/approvals` can change its policy.
    public let shellTool: ShellTool
    /// Where the session is saved; nil when it cannot be (a warning said why).
    public let rolloutPath: String?
    /// The MCP servers (already starting); nil when none is enabled. `shutdown()` it when the
    /// session ends.
    public let mcp: MCPServerManager?
  }

  /// - Parameters:
  ///   - resumed: a saved session to continue (`codex resume`): its provider and model are used
  ///     unless the command line chose others (`overridesProviderOrModel`).
  ///   - warn: non-fatal problems (the session cannot be saved).
  /// - Throws: `ProviderError` (missing key, server unreachable while asking for its models) or
  ///   `SessionSetupError`.
  public func make(
    resumed: SavedSession? = nil, keepResumedProvider: Bool = true, keepResumedModel: Bool = true,
    warn: (String) -> Void = { _ in }
  ) async throws -> Built {
    var provider = config.provider
    var model = config.model
    if let resumed, keepResumedProvider, let saved = config.providers[resumed.meta.provider] {
      provider = saved
      if keepResumedModel, !resumed.meta.model.isEmpty { model = resumed.meta.model }
    }
    let client = ModelClient(provider: provider, transport: transport, environment: environment)
    try client.checkCredentials()
    if model.isEmpty {
      // Local servers usually serve one model: use it rather than make the user look it up.
      guard let first = try await client.listModels()?.first else {
        throw SessionSetupError.noModel(provider: provider.name, codexHome: config.codexHome)
      }
      model = first
    }

    let instructions = Instructions.compose(
      userInstructions: config.userInstructions,
      projectDocs: Instructions.projectDocs(cwd: config.cwd, maxBytes: config.projectDocMaxBytes))
    let shell = ShellTool(config: config, environment: environment)
    let tools = Toolbox([shell, ApplyPatchTool(shell: shell), UpdatePlanTool()])
    let mcp = MCPServerManager.forSession(
      config: config, environment: environment, http: transport, toolbox: tools, shell: shell)

    let id = resumed?.meta.id ?? SessionID.make()
    var recorder: RolloutRecorder?
    do {
      if let resumed {
        recorder = try RolloutRecorder(continuing: resumed.path)
      } else {
        recorder = try RolloutRecorder(
          codexHome: config.codexHome,
          meta: RolloutMeta(
            id: id, cwd: config.cwd, provider: provider.id, model: model,
            cliVersion: CodexVersion.current))
      }
    } catch {
      warn("this session will not be saved: \(error)")
    }
    let router = ModelRouter(config: config, transport: transport, environment: environment)
    let session = Session(
      id: id, client: client, model: model, instructions: instructions, tools: tools,
      history: resumed?.history ?? [], recorder: recorder,
      router: router,
      contextSettings: ContextSettings(
        window: config.modelContextWindow, autoCompactLimit: config.autoCompactTokenLimit,
        lookup: router.contextLookup))
    return Built(session: session, shellTool: shell, rolloutPath: recorder?.path, mcp: mcp)
  }
}

/// Why a session could not be built.
public enum SessionSetupError: Error, Sendable, Equatable, CustomStringConvertible {
  case noModel(provider: String, codexHome: String)

  public var description: String {
    switch self {
    case .noModel(let provider, let codexHome):
      return "no model chosen for \(provider): pass --model or set `model` in "
        + "\(codexHome)/config.toml"
    }
  }
}

/// The version every part of the program reports.
public enum CodexVersion {
  public static let current = "0.1.0"
}
