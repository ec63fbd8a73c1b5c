import CodexCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// `codex mcp list | get NAME | add NAME [--env K=V] -- COMMAND ARGS… | add NAME --url URL |
/// remove NAME`. The servers come from the effective configuration (profiles and `-c` count);
/// `add` and `remove` edit `$CODEX_HOME/config.toml`, appending or taking out one table and
/// leaving every other byte as it was.
enum MCPCommand {
  static func run(_ context: CommandContext) -> Int32 {
    switch context.args.command {
    case .mcpList: return list(context)
    case .mcpGet: return get(context)
    case .mcpAdd: return add(context)
    case .mcpRemove: return remove(context)
    default:
      TerminalIO.write(TerminalIO.stdoutFD, HelpText.help(for: .mcp) + "\n")
      return 0
    }
  }

  static func list(_ context: CommandContext) -> Int32 {
    guard let config = context.loadConfig() else { return 1 }
    let servers = config.mcpServers
    if context.args.json {
      let items = JSON.array(servers.map(json))
      TerminalIO.write(TerminalIO.stdoutFD, items.serialized() + "\n")
      return 0
    }
    guard !servers.isEmpty else {
      TerminalIO.write(
        TerminalIO.stdoutFD,
        "No MCP servers configured. Add one with: codex mcp add NAME -- COMMAND [ARGS...]\n")
      return 0
    }
    let rows = servers.map { s in
      [s.name, s.enabled ? "enabled" : "disabled", endpoint(s)]
    }
    let widths = (0..<2).map { i in max(rows.map { $0[i].count }.max() ?? 0, 4) }
    var text =
      "Name".padded(to: widths[0] + 1) + "Status".padded(to: widths[1] + 1)
      + "Command / URL\n"
    for r in rows {
      text += r[0].padded(to: widths[0] + 1) + r[1].padded(to: widths[1] + 1)
      text += MCPCallText.escaped(r[2], limit: 300) + "\n"
    }
    TerminalIO.write(TerminalIO.stdoutFD, text)
    return 0
  }

  static func get(_ context: CommandContext) -> Int32 {
    guard let config = context.loadConfig() else { return 1 }
    let name = context.args.positionals.first ?? ""
    guard let s = config.mcpServers.first(where: { $0.name == name }) else {
      return context.fail(
        "no MCP server named '\(name)'"
          + (config.mcpServers.isEmpty
            ? "" : "; configured: " + config.mcpServers.map(\.name).joined(separator: ", ")))
    }
    if context.args.json {
      TerminalIO.write(TerminalIO.stdoutFD, json(s).serialized() + "\n")
      return 0
    }
    var lines = [s.name, "  enabled: \(s.enabled)"]
    switch s.transport {
    case .stdio(let st):
      lines.append("  transport: stdio")
      lines.append("  command: " + MCPCallText.escaped(st.command, limit: 500))
      lines.append("  args: " + MCPCallText.escaped(st.args.joined(separator: " "), limit: 500))
      if let cwd = st.cwd { lines.append("  cwd: \(cwd)") }
      // Values may be secrets: names only.
      if !st.env.isEmpty { lines.append("  env: " + st.env.keys.sorted().joined(separator: ", ")) }
      if !st.envVars.isEmpty { lines.append("  env_vars: " + st.envVars.joined(separator: ", ")) }
    case .http(let h):
      lines.append("  transport: streamable_http")
      lines.append("  url: " + MCPCallText.escaped(h.url, limit: 500))
      if let b = h.bearerTokenEnvVar { lines.append("  bearer_token_env_var: \(b)") }
      if !h.headers.isEmpty {
        lines.append("  http_headers: " + h.headers.keys.sorted().joined(separator: ", "))
      }
      if !h.envHeaders.isEmpty {
        lines.append(
          "  env_http_headers: "
            + h.envHeaders.sorted { $0.key < $1.key }.map { "\($0.key)=$\($0.value)" }
            .joined(separator: ", "))
      }
    }
    lines.append("  startup_timeout_sec: \(seconds(s.startupTimeout))")
    lines.append("  tool_timeout_sec: \(seconds(s.toolTimeout))")
    if let e = s.enabledTools { lines.append("  enabled_tools: " + e.joined(separator: ", ")) }
    if !s.disabledTools.isEmpty {
      lines.append("  disabled_tools: " + s.disabledTools.joined(separator: ", "))
    }
    if let a = s.approve { lines.append("  approve: \(a.rawValue)") }
    for (tool, a) in s.toolApprovals.sorted(by: { $0.key < $1.key }) {
      lines.append("  tools.\(tool).approve: \(a.rawValue)")
    }
    lines.append("  remove with: codex mcp remove \(s.name)")
    TerminalIO.write(TerminalIO.stdoutFD, lines.joined(separator: "\n") + "\n")
    return 0
  }

  static func add(_ context: CommandContext) -> Int32 {
    let args = context.args
    let name = args.positionals.first ?? ""
    let command = Array(args.positionals.dropFirst())
    guard name.utf8.allSatisfy(MCPToolNames.isAllowed), !name.isEmpty else {
      return context.fail(
        "server name '\(MCPCallText.escaped(name, limit: 80))' may only have letters, digits, "
          + "'-' and '_'", code: 2)
    }
    let transport: MCPServerConfig.Transport
    switch (args.value(.url), command.first) {
    case (let url?, nil):
      guard url.hasPrefix("http://") || url.hasPrefix("https://"),
        !url.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F })
      else {
        return context.fail("--url must be an http:// or https:// URL (got '\(url)')", code: 2)
      }
      if !args.all(.env).isEmpty {
        return context.fail("--env applies to servers started with a command, not --url", code: 2)
      }
      transport = .http(.init(url: url))
    case (nil, let program?):
      var env: [String: String] = [:]
      for pair in args.all(.env) {
        guard let eq = pair.firstIndex(of: "=") else { continue }
        env[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
      }
      if command.contains(where: { $0.utf8.contains(0) }) {
        return context.fail("the command cannot contain NUL characters", code: 2)
      }
      transport = .stdio(.init(command: program, args: Array(command.dropFirst()), env: env))
    case (.some, .some):
      return context.fail("give either --url URL or -- COMMAND ARGS..., not both", code: 2)
    case (nil, nil):
      return context.fail(
        "say how to reach the server: codex mcp add \(name) -- COMMAND [ARGS...], "
          + "or codex mcp add \(name) --url URL", code: 2)
    }
    let server = MCPServerConfig(name: name, transport: transport)
    return edit(context) { text in
      try MCPConfigEditor.adding(server, to: text)
    } done: { path in
      "Added MCP server '\(name)' to \(path)"
    }
  }

  static func remove(_ context: CommandContext) -> Int32 {
    let name = context.args.positionals.first ?? ""
    return edit(context) { text in
      try MCPConfigEditor.removing(name, from: text)
    } done: { path in
      "Removed MCP server '\(name)' from \(path)"
    }
  }

  /// Applies `change` to `$CODEX_HOME/config.toml` (created when missing), then checks that the
  /// configuration still loads.
  static func edit(
    _ context: CommandContext, _ change: (String) throws -> String, done: (String) -> String
  ) -> Int32 {
    let loader = context.loader
    let path = loader.codexHome + "/config.toml"
    if let other = loader.existingConfigFiles().first, other != path {
      return context.fail(
        "your settings are in \(other), which codex mcp does not edit; add the "
          + "[mcp_servers] entry there by hand (or move to config.toml)")
    }
    let existing = PrivateFiles.read(path)
    let before = existing.map { String(decoding: $0, as: UTF8.self) } ?? ""
    let after: String
    do {
      after = try change(before)
    } catch {
      return context.fail("\(path): \(error)")
    }
    do {
      try PrivateFiles.makeRoot(loader.codexHome)
      // Written beside and renamed over: a crash leaves the old file or the new, whole.
      try PrivateFiles.replace(path, with: Array(after.utf8))
    } catch {
      return context.fail("cannot write \(path): \(error)")
    }
    do {
      _ = try loader.load(ConfigOverrides())
    } catch {
      // Put the file back: an edit must not leave a configuration that does not load.
      if let existing {
        try? PrivateFiles.replace(path, with: existing)
      } else {
        try? FileManager.default.removeItem(atPath: path)
      }
      return context.fail(
        "the change would make the configuration invalid (\(error)); \(path) is unchanged")
    }
    TerminalIO.write(TerminalIO.stdoutFD, done(path) + "\n")
    return 0
  }

  static func endpoint(_ s: MCPServerConfig) -> String {
    switch s.transport {
    case .stdio(let st): return CommandText.display([st.command] + st.args)
    case .http(let h): return h.url
    }
  }

  static func seconds(_ d: Duration) -> String {
    MCPError.seconds(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
  }

  /// codex-rs's `mcp list --json` shape, roughly: name, enabled, transport. Env values and
  /// header values are left out (they may be secrets).
  static func json(_ s: MCPServerConfig) -> JSON {
    var transport: JSONObject
    switch s.transport {
    case .stdio(let st):
      transport = [
        "type": "stdio", "command": .string(st.command),
        "args": .array(st.args.map { .string($0) }),
        "env_keys": .array(st.env.keys.sorted().map { .string($0) }),
        "env_vars": .array(st.envVars.map { .string($0) }),
        "cwd": st.cwd.map { .string($0) } ?? .null,
      ]
    case .http(let h):
      transport = [
        "type": "streamable_http", "url": .string(h.url),
        "bearer_token_env_var": h.bearerTokenEnvVar.map { .string($0) } ?? .null,
      ]
    }
    return [
      "name": .string(s.name), "enabled": .bool(s.enabled), "transport": .object(transport),
      "startup_timeout_sec": .double(Double(s.startupTimeout.components.seconds)),
      "tool_timeout_sec": .double(Double(s.toolTimeout.components.seconds)),
      "enabled_tools": s.enabledTools.map { .array($0.map { .string($0) }) } ?? .null,
      "disabled_tools": .array(s.disabledTools.map { .string($0) }),
    ]
  }
}
