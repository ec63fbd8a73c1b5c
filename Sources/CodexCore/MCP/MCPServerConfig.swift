/// One `[mcp_servers.NAME]` table, with codex-rs's keys: a stdio server (`command`, `args`,
/// `env`, `env_vars`, `cwd`) or a streamable HTTP one (`url`, `bearer_token_env_var`,
/// `http_headers`, `env_http_headers`), plus `enabled`, `startup_timeout_sec` (10),
/// `tool_timeout_sec` (60), `enabled_tools` and `disabled_tools`. Ours: `approve` for the server
/// and `[mcp_servers.NAME.tools.TOOL] approve` for one tool.
public struct MCPServerConfig: Sendable, Equatable {
  public enum Transport: Sendable, Equatable {
    case stdio(StdioSettings)
    case http(HTTPSettings)
  }

  public struct StdioSettings: Sendable, Equatable {
    public var command: String
    public var args: [String]
    /// Set for the server on top of what it inherits.
    public var env: [String: String]
    /// Names of our environment variables passed through (besides the default few).
    public var envVars: [String]
    /// Absolute; nil: the session's working directory.
    public var cwd: String?

    public init(
      command: String, args: [String] = [], env: [String: String] = [:], envVars: [String] = [],
      cwd: String? = nil
    ) {
      self.command = command
      self.args = args
      self.env = env
      self.envVars = envVars
      self.cwd = cwd
    }
  }

  public struct HTTPSettings: Sendable, Equatable {
    public var url: String
    public var bearerTokenEnvVar: String?
    public var headers: [String: String]
    /// Header name → the environment variable holding its value.
    public var envHeaders: [String: String]

    public init(
      url: String, bearerTokenEnvVar: String? = nil, headers: [String: String] = [:],
      envHeaders: [String: String] = [:]
    ) {
      self.url = url
      self.bearerTokenEnvVar = bearerTokenEnvVar
      self.headers = headers
      self.envHeaders = envHeaders
    }
  }

  public var name: String
  public var transport: Transport
  public var enabled: Bool
  public var startupTimeout: Duration
  public var toolTimeout: Duration
  /// nil: every tool; else only these (then `disabledTools` is applied).
  public var enabledTools: [String]?
  public var disabledTools: [String]
  /// `approve` for the whole server.
  public var approve: MCPApprovalSetting?
  /// `[mcp_servers.NAME.tools.TOOL] approve`, by the server's own tool name.
  public var toolApprovals: [String: MCPApprovalSetting]

  public static let defaultStartupTimeout: Duration = .seconds(10)
  public static let defaultToolTimeout: Duration = .seconds(60)

  public init(
    name: String, transport: Transport, enabled: Bool = true,
    startupTimeout: Duration = MCPServerConfig.defaultStartupTimeout,
    toolTimeout: Duration = MCPServerConfig.defaultToolTimeout, enabledTools: [String]? = nil,
    disabledTools: [String] = [], approve: MCPApprovalSetting? = nil,
    toolApprovals: [String: MCPApprovalSetting] = [:]
  ) {
    self.name = name
    self.transport = transport
    self.enabled = enabled
    self.startupTimeout = startupTimeout
    self.toolTimeout = toolTimeout
    self.enabledTools = enabledTools
    self.disabledTools = disabledTools
    self.approve = approve
    self.toolApprovals = toolApprovals
  }

  /// Whether the server's tool `name` is offered, after `enabled_tools` then `disabled_tools`.
  public func offers(tool name: String) -> Bool {
    if let enabledTools, !enabledTools.contains(name) { return false }
    return !disabledTools.contains(name)
  }

  /// Environment variables every stdio server gets when we have them (codex-rs's list).
  public static let defaultEnvironmentVariables = [
    "HOME", "LOGNAME", "PATH", "SHELL", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR", "TZ",
  ]

  /// The stdio server's environment: the default few and `env_vars` from ours, then `env`.
  public static func environment(for s: StdioSettings, from ours: [String: String]) -> [String:
    String]
  {
    var env: [String: String] = [:]
    for name in defaultEnvironmentVariables + s.envVars {
      if let v = ours[name] { env[name] = v }
    }
    for (k, v) in s.env { env[k] = v }
    return env
  }
}

/// `approve = "always" | "ask"`: trust a server's (or a tool's) calls without asking, or ask
/// for each even when the tool says it only reads.
public enum MCPApprovalSetting: String, Sendable, Equatable, CaseIterable {
  case always
  case ask
}

extension ConfigInterpreter {
  /// `[mcp_servers.*]`, in file order.
  mutating func mcpServers() throws -> [MCPServerConfig] {
    if let s = layers.get(["mcp_servers"]) {
      guard case .table = s.node.value else {
        throw fail(s, "mcp_servers must be a table of servers (got \(s.node.value.typeName))")
      }
    }
    var servers: [MCPServerConfig] = []
    for name in layers.children(of: ["mcp_servers"]) {
      servers.append(try mcpServer(name))
    }
    return servers
  }

  mutating func mcpServer(_ name: String) throws -> MCPServerConfig {
    let p = ["mcp_servers", name]
    let origin = layers.origin(of: p)
    guard !name.isEmpty, name.utf8.allSatisfy(MCPToolNames.isAllowed) else {
      throw ConfigError(
        origin,
        "MCP server name \(JSON.quoted(name)) may only have letters, digits, '-' and '_' "
          + "(it becomes part of the tool names the model sees)")
    }
    if let s = layers.get(p) {
      // A leaf here is an empty `[mcp_servers.NAME]` (reported below) or not a table at all.
      guard case .table = s.node.value else {
        throw fail(s, "mcp_servers.\(name) must be a table (got \(s.node.value.typeName))")
      }
    }

    let command = try string(p + ["command"])
    let url = try string(p + ["url"])
    let transport: MCPServerConfig.Transport
    switch (command, url) {
    case (let command?, nil):
      guard !command.isEmpty, let s = layers.get(p + ["command"]) else {
        throw ConfigError(origin, "mcp_servers.\(name).command is empty")
      }
      for key in ["bearer_token_env_var", "http_headers", "env_http_headers"]
      where layers.get(p + [key]) != nil || !layers.subtree(p + [key]).isEmpty {
        throw ConfigError(
          layers.origin(of: p + [key]),
          "mcp_servers.\(name).\(key) applies to servers with a url, not a command")
      }
      var env: [String: String] = [:]
      for (key, value) in try stringTable(p + ["env"]) ?? [] {
        guard Self.isValidEnvName(key), !value.utf8.contains(0) else {
          throw ConfigError(
            layers.origin(of: p + ["env"]),
            "mcp_servers.\(name).env: \(JSON.quoted(key)) is not a valid environment variable")
        }
        env[key] = value
      }
      let args = try stringArray(p + ["args"]) ?? []
      if args.contains(where: { $0.utf8.contains(0) }) || command.utf8.contains(0) {
        throw fail(s, "mcp_servers.\(name): command and args cannot contain NUL characters")
      }
      let cwd = try string(p + ["cwd"]).map { Paths.absolute($0, relativeTo: self.cwd) }
      transport = .stdio(
        .init(
          command: command, args: args, env: env,
          envVars: try stringArray(p + ["env_vars"]) ?? [], cwd: cwd))
    case (nil, let url?):
      if let s = layers.get(p + ["url"]) {
        do { try Self.checkURL(url, location: "") } catch {
          throw fail(s, "mcp_servers.\(name).url must be an http:// or https:// URL")
        }
      }
      for key in ["args", "env", "env_vars", "cwd"]
      where layers.get(p + [key]) != nil || !layers.subtree(p + [key]).isEmpty {
        throw ConfigError(
          layers.origin(of: p + [key]),
          "mcp_servers.\(name).\(key) applies to servers started with a command, not a url")
      }
      var headers: [String: String] = [:]
      for (k, v) in try stringTable(p + ["http_headers"]) ?? [] {
        try checkHeader(k, v, p + ["http_headers"], name)
        headers[k] = v
      }
      var envHeaders: [String: String] = [:]
      for (k, v) in try stringTable(p + ["env_http_headers"]) ?? [] {
        try checkHeader(k, "", p + ["env_http_headers"], name)
        envHeaders[k] = v
      }
      transport = .http(
        .init(
          url: url, bearerTokenEnvVar: try string(p + ["bearer_token_env_var"]),
          headers: headers, envHeaders: envHeaders))
    case (.some, .some):
      throw ConfigError(
        origin, "mcp_servers.\(name) has both command and url; a server has one or the other")
    case (nil, nil):
      throw ConfigError(
        origin,
        "mcp_servers.\(name) needs a command (a program to start) or a url (a streamable HTTP server)"
      )
    }

    var server = MCPServerConfig(name: name, transport: transport)
    server.enabled = try bool(p + ["enabled"]) ?? true
    if let t = try seconds(p + ["startup_timeout_sec"]) {
      server.startupTimeout = t
    } else if let ms = try int(p + ["startup_timeout_ms"]) {
      server.startupTimeout = .milliseconds(ms)
    }
    if let t = try seconds(p + ["tool_timeout_sec"]) { server.toolTimeout = t }
    server.enabledTools = try stringArray(p + ["enabled_tools"])
    server.disabledTools = try stringArray(p + ["disabled_tools"]) ?? []
    server.approve = try oneOf(p + ["approve"]) { MCPApprovalSetting(rawValue: $0) }
    for tool in layers.children(of: p + ["tools"]) {
      if let a = try oneOf(p + ["tools", tool, "approve"], { MCPApprovalSetting(rawValue: $0) }) {
        server.toolApprovals[tool] = a
      }
    }
    return server
  }

  /// Seconds as an integer or a float, within the range the schema declares.
  mutating func seconds(_ path: [String]) throws -> Duration? {
    guard let (s, type) = try setting(path) else { return nil }
    let key = path.joined(separator: ".")
    guard let value = s.node.value.number else {
      throw fail(s, "\(key) must be a number of seconds (got \(s.node.value.typeName))")
    }
    if case .number(let range) = type, !range.contains(value) {
      throw fail(
        s, "\(key) must be more than 0 and at most \(Int(range.upperBound)) seconds (got \(value))")
    }
    origins[key] = s.origin
    return .milliseconds(Int64((value * 1000).rounded(.up)))
  }

  func checkHeader(_ name: String, _ value: String, _ path: [String], _ server: String) throws {
    let token =
      !name.isEmpty
      && name.utf8.allSatisfy { b in
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
          || "!#$%&'*+-.^_`|~".utf8.contains(b)
      }
    let cleanValue = !value.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 }
    guard token, cleanValue else {
      throw ConfigError(
        layers.origin(of: path),
        "mcp_servers.\(server): \(JSON.quoted(name)) is not a valid HTTP header"
          + (cleanValue ? "" : " (its value has a line break)"))
    }
  }

  static func isValidEnvName(_ name: String) -> Bool {
    !name.isEmpty && !name.utf8.contains { $0 == 0x3D || $0 == 0 }
  }
}
