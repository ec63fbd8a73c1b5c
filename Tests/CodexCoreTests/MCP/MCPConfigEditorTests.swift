import Testing

@testable import CodexCore

@Suite struct MCPConfigEditorTests {
  let time = MCPServerConfig(
    name: "time",
    transport: .stdio(
      .init(
        command: "uvx", args: ["mcp-server-time", "--x=\"q\""], env: ["TZ": "UTC", "A B": "1"])))

  @Test func addingAppendsOneTableAndKeepsEverythingElse() throws {
    let before = "model = \"m\" # mine\n\n[model_providers.x]\nbase_url = \"http://h\"   \n"
    let after = try MCPConfigEditor.adding(time, to: before)
    #expect(after.hasPrefix(before))
    #expect(
      after.dropFirst(before.count) == """

        [mcp_servers.time]
        command = "uvx"
        args = ["mcp-server-time", "--x=\\"q\\""]
        env = { "A B" = "1", TZ = "UTC" }

        """)
    let servers = try ConfigLoaderProbe.servers(after)
    #expect(servers.first?.transport == time.transport)
  }

  @Test func addingToAFileWithoutAFinalNewlineOrToNothing() throws {
    #expect(
      try MCPConfigEditor.adding(time, to: "a = 1").hasPrefix("a = 1\n\n[mcp_servers.time]\n"))
    #expect(try MCPConfigEditor.adding(time, to: "").hasPrefix("[mcp_servers.time]\n"))
    let http = MCPServerConfig(
      name: "docs", transport: .http(.init(url: "https://h/mcp", bearerTokenEnvVar: "TOKEN")))
    #expect(
      try MCPConfigEditor.adding(http, to: "")
        == "[mcp_servers.docs]\nurl = \"https://h/mcp\"\nbearer_token_env_var = \"TOKEN\"\n")
  }

  @Test func addingTwiceIsRefused() throws {
    let once = try MCPConfigEditor.adding(time, to: "")
    #expect(throws: MCPConfigEditor.EditError.self) { try MCPConfigEditor.adding(time, to: once) }
  }

  @Test func addingWhereTheTableCannotGoIsRefusedNotBroken() {
    #expect(throws: MCPConfigEditor.EditError.self) {
      try MCPConfigEditor.adding(time, to: "mcp_servers = { a = { command = \"x\" } }\n")
    }
  }

  @Test func removingTakesOutExactlyTheServersLines() throws {
    let text = """
      # my config
      model = "m"

      [mcp_servers.a]
      command = "a"
      args = [
        "multi",  # a comment
        "[mcp_servers.fake]",
      ]

      [mcp_servers.a.env]
      K = "V"

      # the git server
      [mcp_servers.git]
      command = "mcp-server-git"
      description = \"\"\"
      [not.a.table]
      \"\"\"

      [tui]
      x = 1
      """
    let out = try MCPConfigEditor.removing("a", from: text)
    #expect(
      out == """
        # my config
        model = "m"

        # the git server
        [mcp_servers.git]
        command = "mcp-server-git"
        description = \"\"\"
        [not.a.table]
        \"\"\"

        [tui]
        x = 1
        """)
    let out2 = try MCPConfigEditor.removing("git", from: text)
    #expect(out2.hasSuffix("[mcp_servers.a.env]\nK = \"V\"\n\n[tui]\nx = 1"))
    #expect(!out2.contains("mcp-server-git"))
  }

  @Test func removingInlineAndDottedDefinitions() throws {
    let inline = "[mcp_servers]\na = { command = \"a\" }\nb = { command = \"b\" }\n"
    #expect(
      try MCPConfigEditor.removing("a", from: inline) == "[mcp_servers]\nb = { command = \"b\" }\n")
    let dotted = "mcp_servers.a.command = \"a\"\nmodel = \"m\"\nmcp_servers.a.args = [\"x\"]\n"
    #expect(try MCPConfigEditor.removing("a", from: dotted) == "model = \"m\"\n")
    #expect(throws: MCPConfigEditor.EditError.self) {
      try MCPConfigEditor.removing("a", from: "mcp_servers = { a = { command = \"x\" } }\n")
    }
  }

  @Test func removingWhatIsNotThereSaysSo() {
    #expect(throws: MCPConfigEditor.EditError("no MCP server named 'zz' in this file")) {
      try MCPConfigEditor.removing("zz", from: "[mcp_servers.a]\ncommand = \"x\"\n")
    }
  }

  @Test func crlfFilesKeepTheirLineEnds() throws {
    let text = "a = 1\r\n\r\n[mcp_servers.x]\r\ncommand = \"x\"\r\n\r\n[tui]\r\nb = 2\r\n"
    #expect(try MCPConfigEditor.removing("x", from: text) == "a = 1\r\n\r\n[tui]\r\nb = 2\r\n")
  }
}

/// Reads servers out of config text as the loader does.
enum ConfigLoaderProbe {
  static func servers(_ text: String) throws -> [MCPServerConfig] {
    let home = try TempHome(["config.toml": text])
    return try home.load().mcpServers
  }
}
