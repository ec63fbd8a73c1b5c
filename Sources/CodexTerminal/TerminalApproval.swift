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
          + TerminalText.escaped(CommandText.display(r.command)) + "\n")
      return .no
    }
    return lock.withLock { _ in
      var text = "\n" + style.yellow(style.bold("Allow this command?"))
      if r.unsandboxed { text += style.red(" (without the sandbox)") }
      // The command, its folder and the model's reason are shown, never obeyed: a carriage
      // return or cursor movement in them must not make one command look like another.
      let command = TerminalText.escaped(CommandText.display(r.command), keepingNewlines: true)
      text += "\n  " + style.bold(command) + "\n"
      text += style.dim("  in \(TerminalText.escaped(r.workdir))") + "\n"
      if !r.reason.isEmpty {
        text += style.dim("  why: \(TerminalText.escaped(r.reason, keepingNewlines: true))") + "\n"
      }
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
