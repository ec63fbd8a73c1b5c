import CodexCore

/// How MCP tool calls look on the terminal. Everything that came from the model or a server is
/// escaped first: a control character in a tool name, an argument or a result must not reach
/// the terminal as an escape sequence.
enum MCPCallText {
  /// `time.get_current_time {"timezone":"UTC"}`, arguments shortened to `width` characters.
  static func begin(_ b: MCPToolCallBegin, style: Style, width: Int = 160) -> String {
    style.cyan("↳ ") + style.bold(label(server: b.server, tool: b.tool)) + " "
      + style.dim(escaped(b.arguments.serialized(), limit: width))
  }

  static func label(server: String, tool: String) -> String {
    escaped(server, limit: 60) + "." + escaped(tool, limit: 80)
  }

  /// The spinner's label while a call reports progress: `git.git_log 3/10 reading history`.
  static func progressLabel(_ p: MCPToolCallProgress) -> String {
    var text = label(server: p.server, tool: p.tool) + " " + number(p.progress)
    if let total = p.total { text += "/" + number(total) }
    if let message = p.message, !message.isEmpty { text += " " + escaped(message, limit: 60) }
    return text
  }

  static func number(_ v: Double) -> String {
    guard v.isFinite else { return "?" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return String((v * 100).rounded() / 100)
  }

  /// `ok · 0.12s` (or the error) and the first lines of what the model was told, dimmed.
  static func summary(_ e: MCPToolCallEnd, style: Style, lines: Int = 4) -> String {
    let secs =
      Double(e.duration.components.seconds) + Double(e.duration.components.attoseconds) / 1e18
    let time = EventPrinter.format2(secs) + "s"
    var text: String
    var body = e.output
    if let error = e.error {
      text = "  " + style.red("failed: ") + escaped(error, limit: 300) + "\n"
      body = ""
    } else if e.result?.isError == true {
      text = "  " + style.red("tool error") + style.dim(" · \(time)") + "\n"
    } else {
      text = "  " + style.green("ok") + style.dim(" · \(time)") + "\n"
    }
    if !body.isEmpty {
      let all = body.split(separator: "\n", omittingEmptySubsequences: false)
      // Like a command's output: escape sequences removed, never obeyed.
      for l in all.prefix(lines) {
        text += style.dim("  │ " + TerminalText.outputLine(l)) + "\n"
      }
      if all.count > lines { text += style.dim("  │ … \(all.count - lines) more lines") + "\n" }
    }
    return text
  }

  /// Shown, never obeyed (`TerminalText.escaped`: controls, ESC, CR, bidi overrides written
  /// out), and cut to `limit` characters.
  static func escaped(_ text: String, limit: Int) -> String {
    let shortened = text.count > limit ? String(text.prefix(limit)) + "…" : text
    return TerminalText.escaped(shortened)
  }
}
