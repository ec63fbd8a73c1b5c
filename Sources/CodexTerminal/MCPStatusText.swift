import CodexCore

/// `/mcp`: each server with its state and the tools the model sees.
enum MCPStatusText {
  static func lines(_ statuses: [MCPServerManager.Status], style: Style) -> [String] {
    guard !statuses.isEmpty else {
      return [
        style.dim("no MCP servers configured; add one with ")
          + style.bold("codex mcp add NAME -- COMMAND") + style.dim(" or under [mcp_servers.NAME]")
      ]
    }
    var out: [String] = []
    for s in statuses {
      let state: String
      switch s.state {
      case .ready: state = style.green("ready") + style.dim(" · \(s.tools.count) tools")
      case .starting: state = style.yellow("starting")
      case .disabled: state = style.dim("disabled (enabled = false)")
      case .failed(let why): state = style.red("failed: ") + MCPCallText.escaped(why, limit: 300)
      }
      out.append(style.bold(s.name) + "  " + state)
      out.append(style.dim("  " + MCPCallText.escaped(s.endpoint, limit: 200)))
      for t in s.tools {
        let description = t.description.split(separator: "\n").first.map(String.init) ?? ""
        out.append(
          "  " + style.cyan(t.exposed) + "  "
            + style.dim(MCPCallText.escaped(description, limit: 100)))
      }
      if let log = s.logPath { out.append(style.dim("  log: \(log)")) }
    }
    return out
  }
}
