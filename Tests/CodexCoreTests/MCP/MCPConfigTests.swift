import Foundation
import Testing

@testable import CodexCore

@Suite struct MCPConfigTests {
  @Test func codexRsTablesAreReadWithTheirKeys() throws {
    let home = try TempHome([
      "config.toml": """
      [mcp_servers.time]
      command = "uvx"
      args = ["mcp-server-time", "--local-timezone", "UTC"]
      env = { "TZ" = "UTC" }
      env_vars = ["API_KEY2"]
      cwd = "tools"
      startup_timeout_sec = 2.5
      tool_timeout_sec = 30
      enabled_tools = ["get_current_time", "convert_time"]
      disabled_tools = ["convert_time"]
      approve = "always"

      [mcp_servers.time.tools.get_current_time]
      approve = "ask"

      [mcp_servers.figma]
      url = "https://mcp.figma.com/mcp"
      bearer_token_env_var = "FIGMA_TOKEN"
      http_headers = { "X-Team" = "a" }
      env_http_headers = { "X-Key" = "FIGMA_KEY" }
      enabled = false

      [mcp_servers.legacy]
      command = "x"
      startup_timeout_ms = 1500
      """
    ])
    let c = try home.load()
    #expect(c.warnings.isEmpty, "\(c.warnings)")
    #expect(c.mcpServers.map(\.name) == ["time", "figma", "legacy"])
    let time = c.mcpServers[0]
    guard case .stdio(let s) = time.transport else {
      Issue.record("not stdio")
      return
    }
    #expect(s.command == "uvx")
    #expect(s.args == ["mcp-server-time", "--local-timezone", "UTC"])
    #expect(s.env == ["TZ": "UTC"])
    #expect(s.envVars == ["API_KEY2"])
    #expect(s.cwd == "/work/project/tools")
    #expect(time.startupTimeout == .milliseconds(2500))
    #expect(time.toolTimeout == .seconds(30))
    #expect(time.offers(tool: "get_current_time"))
    #expect(!time.offers(tool: "convert_time"))
    #expect(!time.offers(tool: "other"))
    #expect(time.approve == .always)
    #expect(time.toolApprovals == ["get_current_time": .ask])

    let figma = c.mcpServers[1]
    #expect(!figma.enabled)
    #expect(figma.startupTimeout == .seconds(10))
    #expect(figma.toolTimeout == .seconds(60))
    #expect(
      figma.transport
        == .http(
          .init(
            url: "https://mcp.figma.com/mcp", bearerTokenEnvVar: "FIGMA_TOKEN",
            headers: ["X-Team": "a"], envHeaders: ["X-Key": "FIGMA_KEY"])))
    #expect(c.mcpServers[2].startupTimeout == .milliseconds(1500))
  }

  @Test func unknownKeysWarnWithFileAndLine() throws {
    let home = try TempHome([
      "config.toml": """
      [mcp_servers.a]
      command = "x"
      startup_timeout = 3
      [mcp_servers.a.tools.t]
      aprove = "ask"
      """
    ])
    let c = try home.load()
    #expect(c.warnings.count == 2, "\(c.warnings)")
    #expect(c.warnings[0].contains("config.toml:3:"))
    #expect(c.warnings[0].contains("unknown key 'mcp_servers.a.startup_timeout'"))
    #expect(c.warnings[0].contains("did you mean 'startup_timeout_ms'"))
    #expect(c.warnings[1].contains("config.toml:5:"))
    #expect(c.warnings[1].contains("did you mean 'approve'"))
  }

  @Test(arguments: [
    ("[mcp_servers.a]\n", "mcp_servers.a needs a command"),
    ("[mcp_servers.a]\ncommand = \"x\"\nurl = \"http://h\"\n", "has both command and url"),
    ("[mcp_servers.\"a b\"]\ncommand = \"x\"\n", "may only have letters, digits"),
    ("[mcp_servers.a]\ncommand = \"x\"\nstartup_timeout_sec = 0\n", "more than 0"),
    ("[mcp_servers.a]\ncommand = \"x\"\ntool_timeout_sec = \"5\"\n", "must be a number of seconds"),
    (
      "[mcp_servers.a]\ncommand = \"x\"\nurl_typo = 1\nbearer_token_env_var = \"T\"\n",
      "applies to servers with a url"
    ),
    ("[mcp_servers.a]\nurl = \"ftp://h\"\n", "must be an http:// or https:// URL"),
    (
      "[mcp_servers.a]\nurl = \"http://h\"\nargs = [\"x\"]\n",
      "applies to servers started with a command"
    ),
    (
      "[mcp_servers.a]\nurl = \"http://h\"\nhttp_headers = { \"X\" = \"a\\r\\nEvil: 1\" }\n",
      "line break"
    ),
    (
      "[mcp_servers.a]\nurl = \"http://h\"\nhttp_headers = { \"Bad Name\" = \"v\" }\n",
      "not a valid HTTP header"
    ),
    (
      "[mcp_servers.a]\ncommand = \"x\"\nenv = { \"A=B\" = \"v\" }\n",
      "not a valid environment variable"
    ),
    (
      "[mcp_servers.a]\ncommand = \"x\"\napprove = \"sometimes\"\n",
      "approve must be one of always, ask"
    ),
    ("[mcp_servers.a]\ncommand = \"x\\u0000y\"\n", "NUL"),
    ("mcp_servers = 3\n", "mcp_servers"),
  ])
  func badValuesAreOneLineWithTheirPlace(_ toml: String, _ message: String) throws {
    let home = try TempHome(["config.toml": toml])
    #expect {
      _ = try home.load()
    } throws: { error in
      let text = "\(error)"
      return text.contains(message) && text.contains("config.toml:")
    }
  }

  @Test func dashCOverridesDisableAServer() throws {
    let home = try TempHome(["config.toml": "[mcp_servers.a]\ncommand = \"x\"\n"])
    let c = try home.load(ConfigOverrides(settings: ["mcp_servers.a.enabled=false"]))
    #expect(c.mcpServers.first?.enabled == false)
  }

  @Test func theServerEnvironmentIsTheDefaultFewPlusWhatIsAsked() {
    let s = MCPServerConfig.StdioSettings(
      command: "x", env: ["TZ": "UTC", "EXTRA": "1"], envVars: ["API_KEY2", "MISSING"])
    let env = MCPServerConfig.environment(
      for: s,
      from: ["PATH": "/bin", "HOME": "/h", "API_KEY2": "k", "OPENAI_API_KEY": "secret", "TZ": "X"])
    #expect(env == ["PATH": "/bin", "HOME": "/h", "API_KEY2": "k", "TZ": "UTC", "EXTRA": "1"])
  }
}
