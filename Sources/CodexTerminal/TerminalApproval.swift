import CodexCore
import Synchronization

/// Asks the person at the terminal. Shows the exact command, where it runs and why we ask.
/// With no terminal on stdin there is nobody to ask, and the answer is "no".
public final class TerminalApproval: ApprovalHandler {
  let style: Style
  let interactive: Bool
  /// Prompts must not interleave when several commands wait (they don't today; cheap safety).
  let lock = Mutex(())

  public init(environment: [String: String]) {
    style = Style.forFD(TerminalIO.stderrFD, environment: environment)
    interactive = TerminalIO.isTTY(TerminalIO.stdinFD)
  }

  public func decide(_ r: ApprovalRequest) async -> ApprovalAnswer {
    let style = self.style
    let what =
      r.mcpTool.map { "MCP tool " + MCPCallText.label(server: $0.server, tool: $0.tool) }
      ?? CommandText.display(r.command)
    guard interactive else {
      TerminalIO.write(
        TerminalIO.stderrFD,
        style.yellow("not run") + " (needs approval, and there is no terminal to ask): "
          + what + "\n")
      return .no
    }
    return lock.withLock { _ in
      var text: String
      if let call = r.mcpTool {
        text = "\n" + style.yellow(style.bold("Allow this MCP tool call?"))
        text += style.red(" (runs outside the sandbox)") + "\n"
        text += "  server " + style.bold(MCPCallText.escaped(call.server, limit: 60))
        text += "  tool " + style.bold(MCPCallText.escaped(call.tool, limit: 80)) + "\n"
        text += "  arguments " + MCPCallText.escaped(call.arguments.serialized(), limit: 2000)
        text += "\n"
      } else {
        text = "\n" + style.yellow(style.bold("Allow this command?"))
        if r.unsandboxed { text += style.red(" (without the sandbox)") }
        text += "\n  " + style.bold(CommandText.display(r.command)) + "\n"
        text += style.dim("  in \(r.workdir)") + "\n"
      }
      if !r.reason.isEmpty { text += style.dim("  why: \(r.reason)") + "\n" }
      TerminalIO.write(TerminalIO.stderrFD, text)
      while true {
        TerminalIO.write(
          TerminalIO.stderrFD, "  [y] yes  [a] yes, always this session  [n] no  [q] abort turn: ")
        guard let line = TerminalIO.readLine() else { return .abort }
        switch line.trimmingCharacters().lowercased() {
        case "y", "yes": return .yes
        case "a", "always": return .yesAlways
        case "n", "no", "": return .no
        case "q", "abort", "quit": return .abort
        default: continue
        }
      }
    }
  }
}

extension String {
  func trimmingCharacters() -> String {
    var s = Substring(self)
    while let f = s.first, f.isWhitespace { s.removeFirst() }
    while let l = s.last, l.isWhitespace { s.removeLast() }
    return String(s)
  }
}
