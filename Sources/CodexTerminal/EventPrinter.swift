import CodexCore
import Synchronization

/// Renders engine events for a person: the answer streams to stdout as it arrives; reasoning
/// is dimmed on a terminal, or goes to stderr when stdout is piped (so a pipe gets only the
/// answer); commands and their results go to stderr.
public final class EventPrinter: Sendable {
  struct State {
    var inReasoning = false
    var answerStarted = false
    var lastAnswerChar: Character?
    var lastReasoningChar: Character?
  }

  let state = Mutex(State())
  let out: Style
  let err: Style
  let stdoutIsTTY: Bool
  let hideReasoning: Bool

  public init(environment: [String: String], hideReasoning: Bool) {
    out = Style.forFD(TerminalIO.stdoutFD, environment: environment)
    err = Style.forFD(TerminalIO.stderrFD, environment: environment)
    stdoutIsTTY = TerminalIO.isTTY(TerminalIO.stdoutFD)
    self.hideReasoning = hideReasoning
  }

  /// Reasoning goes where the answer is on a terminal, else to stderr.
  var reasoningFD: Int32 { stdoutIsTTY ? TerminalIO.stdoutFD : TerminalIO.stderrFD }
  var reasoningStyle: Style { stdoutIsTTY ? out : err }

  public func handle(_ event: AgentEvent) {
    state.withLock { s in
      switch event {
      case .reasoningDelta(let r):
        guard !hideReasoning else { return }
        if !s.inReasoning {
          s.inReasoning = true
          if s.answerStarted, s.lastAnswerChar != "\n" {
            TerminalIO.write(TerminalIO.stdoutFD, "\n")
          }
          TerminalIO.write(
            reasoningFD, reasoningStyle.dim(reasoningStyle.italic("thinking")) + "\n")
        }
        TerminalIO.write(reasoningFD, reasoningStyle.dim(r))
        s.lastReasoningChar = r.last ?? s.lastReasoningChar
      case .textDelta(let t):
        endReasoning(&s)
        s.answerStarted = true
        TerminalIO.write(TerminalIO.stdoutFD, t)
        s.lastAnswerChar = t.last ?? s.lastAnswerChar
      case .messageComplete:
        endReasoning(&s)
      case .commandBegin(let b):
        endReasoning(&s)
        finishAnswerLine(&s)
        let where_ = b.sandboxed ? "" : err.yellow(" (no sandbox)")
        TerminalIO.write(
          TerminalIO.stderrFD, err.cyan("$ ") + err.bold(b.displayText) + where_ + "\n")
      case .commandEnd(let e):
        TerminalIO.write(TerminalIO.stderrFD, Self.summary(e, style: err))
      case .warning(let w):
        finishAnswerLine(&s)
        TerminalIO.write(TerminalIO.stderrFD, err.yellow("warning: ") + w + "\n")
      case .turnComplete:
        endReasoning(&s)
        finishAnswerLine(&s)
      case .turnStarted, .usage, .commandOutput:
        break
      }
    }
  }

  func endReasoning(_ s: inout State) {
    guard s.inReasoning else { return }
    s.inReasoning = false
    if s.lastReasoningChar != "\n" { TerminalIO.write(reasoningFD, "\n") }
    // A blank line keeps the answer visibly apart from the thinking on a terminal.
    if stdoutIsTTY { TerminalIO.write(TerminalIO.stdoutFD, "\n") }
  }

  func finishAnswerLine(_ s: inout State) {
    if s.answerStarted, s.lastAnswerChar != "\n" {
      TerminalIO.write(TerminalIO.stdoutFD, "\n")
      s.lastAnswerChar = "\n"
    }
  }

  /// `exit 0 · 0.12s` and the first lines of output, dimmed.
  static func summary(_ e: CommandEnd, style: Style, lines: Int = 4) -> String {
    let secs =
      Double(e.duration.components.seconds)
      + Double(e.duration.components.attoseconds) / 1e18
    let time = secs < 10 ? String(format2(secs)) + "s" : "\(Int(secs))s"
    var head: String
    switch e.status {
    case .completed:
      let code = e.exitCode ?? -1
      head = code == 0 ? style.green("exit 0") : style.red("exit \(code)")
      head += style.dim(" · \(time)")
    case .timedOut: head = style.red("timed out") + style.dim(" after \(time)")
    case .signalled(let sig): head = style.red("killed by signal \(sig)") + style.dim(" · \(time)")
    case .rejected(let why): head = style.yellow("not run: ") + why
    case .failedToStart(let why): head = style.red("failed to start: ") + why
    }
    var text = "  " + head + "\n"
    if case .completed = e.status, !e.output.isEmpty {
      let all = e.output.split(separator: "\n", omittingEmptySubsequences: false)
      for l in all.prefix(lines) { text += style.dim("  │ " + l.prefix(200)) + "\n" }
      if all.count > lines { text += style.dim("  │ … \(all.count - lines) more lines") + "\n" }
    }
    return text
  }

  static func format2(_ v: Double) -> String {
    let hundredths = Int((v * 100).rounded())
    let frac = hundredths % 100
    return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
  }
}
