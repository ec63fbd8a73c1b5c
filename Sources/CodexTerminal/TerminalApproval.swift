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
    guard interactive else {
      TerminalIO.write(
        TerminalIO.stderrFD,
        style.yellow("not run") + " (needs approval, and there is no terminal to ask): "
          + Self.headline(r.subject) + "\n")
      return .no
    }
    return lock.withLock { _ in
      TerminalIO.write(TerminalIO.stderrFD, Self.prompt(r, style: style))
      let menu = r.choices.map { "[\(Self.key($0))] \(Self.label($0))" }.joined(separator: "  ")
      while true {
        TerminalIO.write(TerminalIO.stderrFD, "  " + menu + ": ")
        guard let line = TerminalIO.readLine() else {
          return r.choices.contains(.abort) ? .abort : .no
        }
        let typed = line.trimmingCharacters().lowercased()
        if typed.isEmpty, r.choices.contains(.no) { return .no }
        if let answer = r.choices.first(where: { Self.spellings($0).contains(typed) }) {
          return answer
        }
      }
    }
  }

  /// What is asked, where, and why; the choices follow on their own line.
  static func prompt(_ r: ApprovalRequest, style: Style) -> String {
    var text = "\n"
    switch r.subject {
    // What is asked about, its folder and the model's reason are shown, never obeyed: a
    // carriage return or cursor movement in them must not make one thing look like another.
    case .command(let argv, let workdir):
      text += style.yellow(style.bold("Allow this command?"))
      if r.unsandboxed { text += style.red(" (without the sandbox)") }
      let command = TerminalText.escaped(CommandText.display(argv), keepingNewlines: true)
      text += "\n  " + style.bold(command) + "\n"
      text += style.dim("  in \(TerminalText.escaped(workdir))") + "\n"
    case .patch(let patch):
      text += style.yellow(style.bold("Apply this patch?"))
      if r.unsandboxed { text += style.red(" (outside the writable folders)") }
      text += "\n"
      for change in patch.changes {
        text += "  " + PatchSummary.line(change, relativeTo: patch.workdir, style: style) + "\n"
      }
      text += PatchSummary.coloredDiff(patch.diff, style: style)
    case .mcpTool(let call):
      // Everything here came from the model or a server: escaped before it reaches the terminal.
      text += style.yellow(style.bold("Allow this MCP tool call?"))
      text += style.red(" (runs outside the sandbox)") + "\n"
      text += "  server " + style.bold(MCPCallText.escaped(call.server, limit: 60))
      text += "  tool " + style.bold(MCPCallText.escaped(call.tool, limit: 80)) + "\n"
      text += "  arguments " + MCPCallText.escaped(call.arguments.serialized(), limit: 2000) + "\n"
    }
    if !r.reason.isEmpty {
      text += style.dim("  why: \(TerminalText.escaped(r.reason, keepingNewlines: true))") + "\n"
    }
    return text
  }

  /// One line naming what the request is about, for "not run" notices.
  static func headline(_ subject: ApprovalRequest.Subject) -> String {
    switch subject {
    case .command(let argv, _): return TerminalText.escaped(CommandText.display(argv))
    case .patch(let patch):
      return "a patch to "
        + TerminalText.escaped(patch.changes.map { $0.path }.joined(separator: ", "))
    case .mcpTool(let call):
      return "MCP tool " + MCPCallText.label(server: call.server, tool: call.tool)
    }
  }

  static func key(_ answer: ApprovalAnswer) -> String {
    switch answer {
    case .yes: return "y"
    case .yesAlways: return "a"
    case .no: return "n"
    case .abort: return "q"
    }
  }

  static func label(_ answer: ApprovalAnswer) -> String {
    switch answer {
    case .yes: return "yes"
    case .yesAlways: return "yes, always this session"
    case .no: return "no"
    case .abort: return "abort turn"
    }
  }

  static func spellings(_ answer: ApprovalAnswer) -> [String] {
    switch answer {
    case .yes: return ["y", "yes"]
    case .yesAlways: return ["a", "always"]
    case .no: return ["n", "no"]
    case .abort: return ["q", "abort", "quit"]
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
