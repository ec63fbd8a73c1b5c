import CodexCore
import Synchronization
import Testing

@testable import CodexTerminal

@Suite struct MCPTerminalTests {
  let begin = MCPToolCallBegin(
    id: "c1", server: "git", tool: "git_status", arguments: ["repo_path": "/w\u{1b}[2J\u{7}"])

  func end(error: String? = nil, isError: Bool = false) -> MCPToolCallEnd {
    MCPToolCallEnd(
      id: "c1", server: "git", tool: "git_status", arguments: begin.arguments,
      result: error == nil
        ? MCPClient.CallResult(
          content: [["type": "text", "text": "On branch main"]], structuredContent: ["k": 1],
          isError: isError) : nil,
      error: error, duration: .milliseconds(120), output: "On branch main\nclean\u{1b}]0;pwned\u{7}"
    )
  }

  @Test func callsAreShownWithControlCharactersEscaped() {
    let captured = CapturedOutput()
    let p = EventPrinter(
      out: Style(enabled: false), err: Style(enabled: false), stdoutIsTTY: false,
      stderrIsTTY: false, hideReasoning: false, spinner: nil, sink: captured.sink)
    p.handle(.mcpToolCallBegin(begin))
    p.handle(
      .mcpToolCallProgress(
        MCPToolCallProgress(
          id: "c1", server: "git", tool: "git_status", progress: 1, total: 2, message: "x")))
    p.handle(.mcpToolCallEnd(end()))
    let err = captured.text(TerminalIO.stderrFD)
    #expect(!err.contains("\u{1b}"))
    #expect(!err.contains("\u{7}"))
    #expect(err.contains(#"↳ git.git_status {"repo_path":"/w\u001b[2J\u0007"}"#), "\(err)")
    #expect(err.contains("  ok · 0.12s\n"))
    #expect(err.contains("  │ On branch main\n"))
    // The output line as a terminal would show it, its title-setting sequence removed.
    #expect(err.contains("  │ clean\n"))
    #expect(captured.text(TerminalIO.stdoutFD).isEmpty)
  }

  @Test func failuresAndToolErrorsSaySo() {
    let failed = MCPCallText.summary(
      end(error: "MCP server 'git' failed: timed out"), style: Style(enabled: false))
    #expect(failed == "  failed: MCP server 'git' failed: timed out\n")
    let toolError = MCPCallText.summary(end(isError: true), style: Style(enabled: false))
    #expect(toolError.hasPrefix("  tool error · 0.12s\n"))
  }

  @Test func progressLabels() {
    let p = MCPToolCallProgress(
      id: "c", server: "s", tool: "t", progress: 3, total: 10, message: "reading\nfiles")
    #expect(MCPCallText.progressLabel(p) == "s.t 3/10 reading\\nfiles")
    let q = MCPToolCallProgress(
      id: "c", server: "s", tool: "t", progress: 0.25, total: nil, message: nil)
    #expect(MCPCallText.progressLabel(q) == "s.t 0.25")
  }

  @Test func jsonItemsFollowCodexRs() throws {
    let lines = Mutex<[String]>([])
    let p = JSONEventPrinter(sessionID: "s") { text in lines.withLock { $0.append(text) } }
    p.handle(.mcpToolCallBegin(begin))
    p.handle(.mcpToolCallEnd(end()))
    p.handle(.mcpToolCallBegin(begin))
    p.handle(.mcpToolCallEnd(end(error: "declined")))
    let events = try lines.withLock { $0 }.map { try JSON.parse($0) }
    #expect(events.count == 4)
    #expect(events[0]["type"] == "item.started")
    #expect(
      events[0]["item"]
        == [
          "id": "item_0", "type": "mcp_tool_call", "server": "git", "tool": "git_status",
          "arguments": begin.arguments, "result": nil, "error": nil, "status": "in_progress",
        ])
    #expect(events[1]["item"]?["id"] == "item_0")
    #expect(events[1]["item"]?["status"] == "completed")
    #expect(
      events[1]["item"]?["result"] == [
        "content": [["type": "text", "text": "On branch main"]], "structured_content": ["k": 1],
      ])
    #expect(events[3]["item"]?["status"] == "failed")
    #expect(events[3]["item"]?["error"] == ["message": "declined"])
    #expect(events[3]["item"]?["result"] == .null)
  }

  @Test func theApprovalPromptNamesServerToolAndArgumentsEscaped() {
    let r = ApprovalRequest(
      callID: "c1", subject: .mcpTool(begin), reason: "no readOnlyHint", unsandboxed: true,
      choices: [.yes, .no])
    let text = TerminalApproval.prompt(r, style: Style(enabled: false))
    #expect(text.contains("Allow this MCP tool call? (runs outside the sandbox)"))
    #expect(text.contains("  server git  tool git_status\n"))
    #expect(text.contains(#"arguments {"repo_path":"/w\u001b[2J\u0007"}"#))
    #expect(!text.contains("\u{1b}"))
    #expect(text.contains("why: no readOnlyHint"))
    #expect(TerminalApproval.headline(r.subject) == "MCP tool git.git_status")
  }

  @Test func slashMCPAndItsListing() {
    #expect(SlashCommand.parse("/mcp") == .mcp)
    #expect(SlashCommand.catalogue.contains { $0.name == "/mcp" })
    let none = MCPStatusText.lines([], style: Style(enabled: false))
    #expect(none.first?.contains("codex mcp add") == true)
    let lines = MCPStatusText.lines(
      [
        .init(
          name: "time", endpoint: "mcp-server-time", state: .ready,
          tools: [("time__now", "now", "What time\nit is")], logPath: "/l/mcp-time.log"),
        .init(
          name: "bad", endpoint: "x", state: .failed("exited with status 3\u{1b}[31m"), tools: [],
          logPath: nil),
        .init(name: "off", endpoint: "y", state: .disabled, tools: [], logPath: nil),
      ], style: Style(enabled: false))
    #expect(lines.contains("time  ready · 1 tools"))
    #expect(lines.contains("  time__now  What time"))
    #expect(lines.contains("  log: /l/mcp-time.log"))
    #expect(lines.contains(#"bad  failed: exited with status 3\e[31m"#))
    #expect(lines.contains("off  disabled (enabled = false)"))
  }
}
