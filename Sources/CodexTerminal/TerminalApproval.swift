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
    case .command(let argv, let workdir):
      text += style.yellow(style.bold("Allow this command?"))
      if r.unsandboxed { text += style.red(" (without the sandbox)") }
      text += "\n  " + style.bold(CommandText.display(argv)) + "\n"
      text += style.dim("  in \(workdir)") + "\n"
    case .patch(let patch):
      text += style.yellow(style.bold("Apply this patch?")) + "\n"
      for change in patch.changes {
        text += "  " + PatchSummary.line(change, relativeTo: patch.workdir, style: style) + "\n"
      }
      text += PatchSummary.coloredDiff(patch.diff, style: style)
    }
    if !r.reason.isEmpty { text += style.dim("  why: \(r.reason)") + "\n" }
    return text
  }

  /// One line naming what the request is about, for "not run" notices.
  static func headline(_ subject: ApprovalRequest.Subject) -> String {
    switch subject {
    case .command(let argv, _): return CommandText.display(argv)
    case .patch(let patch):
      return "a patch to " + patch.changes.map { $0.path }.joined(separator: ", ")
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
