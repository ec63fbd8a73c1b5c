import Synchronization

/// The session's MCP servers: started in parallel when the session starts, their tools named
/// for the model, calls routed to them, and every failure contained to its server.
///
/// - The first model request waits for each server at most its `startup_timeout_sec` (counted
///   from the start); a server not ready by then is reported once and keeps starting in the
///   background (up to four times that, at least 30 s), its tools joining the next request
///   once it is.
/// - A server that fails to start, exits, times out or sends something that is not MCP is
///   reported in one line naming it and the cause; its tools are withdrawn; the rest go on.
/// - Reports queue up as notices, which the tool runner hands to the front end before each
///   model request.
public final class MCPServerManager: Sendable {
  public enum State: Sendable, Equatable {
    case disabled
    case starting
    case ready
    case failed(String)
  }

  /// What `/mcp` and `codex mcp list` show.
  public struct Status: Sendable, Equatable {
    public var name: String
    /// `command args…` or the URL.
    public var endpoint: String
    public var state: State
    /// (name the model sees, the server's name, description), offered tools only.
    public var tools: [(exposed: String, tool: String, description: String)]
    public var logPath: String?

    public init(
      name: String, endpoint: String, state: State,
      tools: [(exposed: String, tool: String, description: String)], logPath: String?
    ) {
      self.name = name
      self.endpoint = endpoint
      self.state = state
      self.tools = tools
      self.logPath = logPath
    }

    public static func == (a: Status, b: Status) -> Bool {
      a.name == b.name && a.endpoint == b.endpoint && a.state == b.state
        && a.tools.map(\.exposed) == b.tools.map(\.exposed) && a.logPath == b.logPath
    }
  }

  /// A tool as the runner needs it.
  public struct ExposedTool: Sendable, Equatable {
    public var name: String
    public var server: String
    public var tool: MCPClient.Tool
    public var approval: MCPApprovalSetting?
  }

  struct Server {
    var config: MCPServerConfig
    var state: State
    var client: MCPClient?
    var tools: [MCPClient.Tool] = []
    var gate = StartupGate()
    var deadline: ContinuousClock.Instant?
    /// A "not ready yet" notice went out: say so again when it is.
    var reportedLate = false
    var logPath: String?
  }

  struct State_ {
    var servers: [Server]
    var exposed: [ExposedTool] = []
    var notices: [String] = []
    var shuttingDown = false
  }

  let state: Mutex<State_>
  /// The session's toolbox, kept in step with the ready servers' tools (weak: the tools hold
  /// the manager).
  struct Attachment {
    weak var toolbox: Toolbox?
    var policy: @Sendable () -> ApprovalPolicy
    let approvals = MCPSessionApprovals()
  }
  let attachment = Mutex<Attachment?>(nil)
  /// Serializes toolbox updates so an older list never overwrites a newer one.
  let syncLock = Mutex(())
  let environment: [String: String]
  let cwd: String
  let logDirectory: String?
  let http: any HTTPTransport
  /// Names the model already knows (built-in tools), never given to an MCP tool.
  let reservedNames: Set<String>

  public init(
    servers: [MCPServerConfig], environment: [String: String], cwd: String,
    logDirectory: String?, http: any HTTPTransport, reservedNames: Set<String> = []
  ) {
    state = Mutex(
      State_(
        servers: servers.map { Server(config: $0, state: $0.enabled ? .starting : .disabled) }))
    self.environment = environment
    self.cwd = cwd
    self.logDirectory = logDirectory
    self.http = http
    self.reservedNames = reservedNames
  }

  public var isEmpty: Bool { state.withLock { $0.servers.isEmpty } }

  /// Puts the servers' tools in `toolbox` (and keeps them in step as servers start, change
  /// their tools or fail), and has each model request wait for startup and report changes.
  /// `policy` is the approval policy in force (`/approvals` changes it).
  public func attach(to toolbox: Toolbox, policy: @escaping @Sendable () -> ApprovalPolicy) {
    attachment.withLock { $0 = Attachment(toolbox: toolbox, policy: policy) }
    toolbox.beforeEachRequest { [weak self] emit in
      guard let self else { return }
      await self.waitForStartup()
      for notice in self.takeNotices() { emit(.warning(notice)) }
    }
    syncToolbox()
  }

  func syncToolbox() {
    syncLock.withLock { _ in
      guard let a = attachment.withLock({ $0 }), let toolbox = a.toolbox else { return }
      let exposed = tools
      toolbox.remove { $0 is MCPTool }
      toolbox.add(
        exposed.map {
          MCPTool(exposed: $0, manager: self, policy: a.policy, approvedForSession: a.approvals)
        })
    }
  }

  // MARK: - Starting

  /// Starts every enabled server, in parallel; returns at once.
  public func start() {
    let clock = ContinuousClock()
    let names = state.withLock { s -> [String] in
      var names: [String] = []
      for i in s.servers.indices where s.servers[i].state == .starting {
        s.servers[i].deadline = clock.now.advanced(by: s.servers[i].config.startupTimeout)
        names.append(s.servers[i].config.name)
      }
      return names
    }
    if let logDirectory, !names.isEmpty { _ = try? PrivateFiles.makeDirectory(logDirectory) }
    for name in names {
      Task { await self.launch(name) }
    }
  }

  func launch(_ name: String) async {
    guard let config = state.withLock({ s in s.servers.first { $0.config.name == name }?.config })
    else { return }
    let transport: any MCPTransport
    var logPath: String?
    do {
      (transport, logPath) = try makeTransport(config)
    } catch {
      settle(name, client: nil, result: .failure(error))
      return
    }
    update(name) { $0.logPath = logPath }
    let client = MCPClient(transport: transport, roots: [cwd])
    await client.setHandlers(
      onToolsChanged: { [weak self] in
        Task { await self?.refresh(name) }
      },
      onClosed: { [weak self] reason in
        self?.serverClosed(name, reason: reason)
      })
    update(name) { $0.client = client }
    // Requests may outlast the first model request's wait: a late server still joins.
    let limit = max(config.startupTimeout * 4, .seconds(30))
    do {
      _ = try await client.connect(timeout: limit)
      let tools = try await client.listTools(timeout: limit)
      settle(name, client: client, result: .success(tools))
    } catch {
      settle(name, client: client, result: .failure(error))
      await client.close()
    }
  }

  func makeTransport(_ config: MCPServerConfig) throws -> (any MCPTransport, String?) {
    switch config.transport {
    case .stdio(let s):
      let log = logDirectory.map { $0 + "/mcp-" + config.name + ".log" }
      if let log {
        let stamp = "--- codex started \(s.command) \(s.args.joined(separator: " "))\n"
        try? AppendOnlyFile(path: log).append(stamp)
      }
      return (
        StdioMCPTransport(
          command: s.command, arguments: s.args, workingDirectory: s.cwd ?? cwd,
          environment: MCPServerConfig.environment(for: s, from: environment), logPath: log,
          shutdownGrace: .seconds(1)),
        log
      )
    case .http(let h):
      var headers: [(name: String, value: String)] = h.headers.sorted { $0.key < $1.key }.map {
        ($0.key, $0.value)
      }
      for (header, variable) in h.envHeaders.sorted(by: { $0.key < $1.key }) {
        if let v = environment[variable], !v.isEmpty, Self.isHeaderSafe(v) {
          headers.append((header, v))
        }
      }
      if let variable = h.bearerTokenEnvVar {
        guard let token = environment[variable], !token.isEmpty else {
          throw MCPError.startFailed(
            "$\(variable) (bearer_token_env_var) is not set; export it or remove the key")
        }
        guard Self.isHeaderSafe(token) else {
          throw MCPError.startFailed("$\(variable) contains a line break")
        }
        headers.append(("Authorization", "Bearer " + token))
      }
      return (StreamableHTTPMCPTransport(url: h.url, headers: headers, http: http), nil)
    }
  }

  static func isHeaderSafe(_ value: String) -> Bool {
    !value.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 }
  }

  func settle(_ name: String, client: MCPClient?, result: Result<[MCPClient.Tool], any Error>) {
    let gate = state.withLock { s -> StartupGate? in
      guard let i = s.servers.firstIndex(where: { $0.config.name == name }),
        s.servers[i].state == .starting
      else { return nil }
      switch result {
      case .success(let tools):
        s.servers[i].state = .ready
        s.servers[i].tools = tools
        s.servers[i].client = client
        if s.servers[i].reportedLate {
          let count = tools.filter { s.servers[i].config.offers(tool: $0.name) }.count
          s.notices.append("MCP server '\(name)' is ready now; its \(count) tools are offered")
        }
      case .failure(let error):
        let why = Self.describe(error, logPath: s.servers[i].logPath)
        s.servers[i].state = .failed(why)
        if !s.shuttingDown {
          s.notices.append("MCP server '\(name)' failed to start: \(why)")
        }
      }
      rename(&s)
      return s.servers[i].gate
    }
    syncToolbox()
    gate?.open()
  }

  static func describe(_ error: any Error, logPath: String?) -> String {
    let text = (error as? MCPError)?.description ?? "\(error)"
    if let logPath, !text.contains(logPath), error is MCPError,
      case .timedOut = error as? MCPError
    {
      return text + " (its stderr is in \(logPath))"
    }
    return text
  }

  func serverClosed(_ name: String, reason: String) {
    let gate = state.withLock { s -> StartupGate? in
      guard let i = s.servers.firstIndex(where: { $0.config.name == name }) else { return nil }
      let was = s.servers[i].state
      guard was == .ready || was == .starting else { return nil }
      s.servers[i].state = .failed(reason)
      s.servers[i].tools = []
      if !s.shuttingDown {
        s.notices.append(
          was == .ready
            ? "MCP server '\(name)' stopped: \(reason); its tools are withdrawn"
            : "MCP server '\(name)' failed to start: \(reason)")
      }
      rename(&s)
      return s.servers[i].gate
    }
    syncToolbox()
    gate?.open()
  }

  /// `tools/list` again after `notifications/tools/list_changed`.
  func refresh(_ name: String) async {
    guard
      let (client, timeout) = state.withLock({ s -> (MCPClient, Duration)? in
        guard let server = s.servers.first(where: { $0.config.name == name }),
          server.state == .ready, let client = server.client
        else { return nil }
        return (client, server.config.toolTimeout)
      })
    else { return }
    do {
      let tools = try await client.listTools(timeout: timeout)
      update(name) { $0.tools = tools }
      state.withLock { rename(&$0) }
      syncToolbox()
    } catch {
      state.withLock {
        $0.notices.append(
          "MCP server '\(name)' changed its tools but could not list them: \(error)")
      }
    }
  }

  func update(_ name: String, _ change: (inout Server) -> Void) {
    state.withLock { s in
      if let i = s.servers.firstIndex(where: { $0.config.name == name }) { change(&s.servers[i]) }
    }
  }

  /// Names every offered tool of every ready server, in config order.
  func rename(_ s: inout State_) {
    var pairs: [(server: String, tool: String)] = []
    var byKey: [String: (MCPClient.Tool, MCPServerConfig)] = [:]
    for server in s.servers where server.state == .ready {
      for tool in server.tools where server.config.offers(tool: tool.name) {
        pairs.append((server.config.name, tool.name))
        byKey[server.config.name + "\u{0}" + tool.name] = (tool, server.config)
      }
    }
    s.exposed = MCPToolNames.assign(pairs, taken: reservedNames).compactMap { a in
      guard let (tool, config) = byKey[a.server + "\u{0}" + a.tool] else { return nil }
      return ExposedTool(
        name: a.name, server: a.server, tool: tool,
        approval: config.toolApprovals[a.tool] ?? config.approve)
    }
  }

  // MARK: - For the session

  /// Waits until every starting server is ready or failed, or its startup deadline passed; a
  /// server still starting then is reported (once).
  public func waitForStartup() async {
    let waits = state.withLock { s in
      s.servers.filter { $0.state == .starting }.compactMap { server in
        server.deadline.map { (server.gate, $0) }
      }
    }
    for (gate, deadline) in waits { await gate.wait(until: deadline) }
    state.withLock { s in
      for i in s.servers.indices where s.servers[i].state == .starting && !s.servers[i].reportedLate
      {
        guard let deadline = s.servers[i].deadline, ContinuousClock().now >= deadline else {
          continue
        }
        s.servers[i].reportedLate = true
        let seconds = MCPError.seconds(
          Double(s.servers[i].config.startupTimeout.components.seconds)
            + Double(s.servers[i].config.startupTimeout.components.attoseconds) / 1e18)
        s.notices.append(
          "MCP server '\(s.servers[i].config.name)' is not ready after \(seconds)s "
            + "(startup_timeout_sec); its tools join once it is")
      }
    }
  }

  /// Reports since the last call, oldest first.
  public func takeNotices() -> [String] {
    state.withLock { s in
      defer { s.notices = [] }
      return s.notices
    }
  }

  public var tools: [ExposedTool] { state.withLock { $0.exposed } }

  public func tool(named name: String) -> ExposedTool? {
    state.withLock { s in s.exposed.first { $0.name == name } }
  }

  /// Calls `tool` on its server with the server's `tool_timeout_sec`.
  public func call(
    _ tool: ExposedTool, arguments: JSONObject,
    onProgress: (@Sendable (MCPClient.Progress) -> Void)?
  ) async throws -> MCPClient.CallResult {
    let found = state.withLock { s -> (MCPClient?, Duration, State)? in
      guard let server = s.servers.first(where: { $0.config.name == tool.server }) else {
        return nil
      }
      return (server.client, server.config.toolTimeout, server.state)
    }
    guard let (client, timeout, serverState) = found, serverState == .ready, let client else {
      var why = "is not running"
      if let found, case .failed(let reason) = found.2 { why = "is not available: \(reason)" }
      throw MCPError.disconnected("MCP server '\(tool.server)' \(why)")
    }
    return try await client.callTool(
      tool.tool.name, arguments: arguments, timeout: timeout, onProgress: onProgress)
  }

  public var statuses: [Status] {
    state.withLock { s in
      s.servers.map { server in
        let endpoint: String
        switch server.config.transport {
        case .stdio(let st): endpoint = CommandText.display([st.command] + st.args)
        case .http(let h): endpoint = h.url
        }
        let tools = s.exposed.filter { $0.server == server.config.name }.map {
          (exposed: $0.name, tool: $0.tool.name, description: $0.tool.description)
        }
        return Status(
          name: server.config.name, endpoint: endpoint, state: server.state, tools: tools,
          logPath: server.logPath)
      }
    }
  }

  /// Closes every server (in parallel) and waits for them to end.
  public func shutdown() async {
    let clients = state.withLock { s -> [MCPClient] in
      s.shuttingDown = true
      return s.servers.compactMap(\.client)
    }
    await withTaskGroup(of: Void.self) { group in
      for client in clients { group.addTask { await client.close() } }
    }
  }
}

extension MCPServerManager {
  /// The enabled `[mcp_servers.*]` of `config`, started and attached to `toolbox`; nil when
  /// none is enabled. Server logs go to `$CODEX_HOME/log/mcp-NAME.log`.
  public static func forSession(
    config: Config, environment: [String: String], http: any HTTPTransport, toolbox: Toolbox,
    shell: ShellTool
  ) -> MCPServerManager? {
    guard config.mcpServers.contains(where: \.enabled) else { return nil }
    let manager = MCPServerManager(
      servers: config.mcpServers, environment: environment, cwd: config.cwd,
      logDirectory: config.codexHome + "/log", http: http, reservedNames: Set(toolbox.names))
    manager.attach(to: toolbox) { shell.approvalPolicy }
    manager.start()
    return manager
  }
}
