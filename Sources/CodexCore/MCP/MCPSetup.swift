/// The composition step for MCP: the session's tools with the configured servers' tools added.
/// Until the session factory does this, the front ends call it.
public enum MCPSetup {
  /// `shell` plus the MCP tools of the enabled `[mcp_servers.*]`, and the manager to `start()`
  /// before the first turn and `shutdown()` at the end; no manager when no server is enabled.
  /// Server logs go to `$CODEX_HOME/log/mcp-NAME.log`.
  public static func toolRunner(
    shell: ShellTool, config: Config, environment: [String: String], http: any HTTPTransport
  ) -> (tools: any ToolRunner, manager: MCPServerManager?) {
    guard config.mcpServers.contains(where: \.enabled) else { return (shell, nil) }
    let manager = MCPServerManager(
      servers: config.mcpServers, environment: environment, cwd: config.cwd,
      logDirectory: config.codexHome + "/log", http: http,
      reservedNames: Set(shell.specs.map(\.name)))
    let runner = MCPToolRunner(base: shell, manager: manager) { shell.approvalPolicy }
    return (runner, manager)
  }
}
