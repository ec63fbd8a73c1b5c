import CodexCore
import Synchronization

/// Renders engine events for a person: the answer streams to stdout as it arrives, through the
/// Markdown renderer (plain text when stdout is not a styled terminal); reasoning is dimmed on a
/// terminal, or goes to stderr when stdout is piped (so a pipe gets only the answer); commands
/// and their results go to stderr. With a spinner (interactive sessions) it shows activity
/// while waiting for the model or a command, and erases it before anything else prints.
public final class EventPrinter: Sendable {
  struct State {
    var inReasoning = false
    var answerStarted = false
    var lastAnswerChar: Character?
    var lastReasoningChar: Character?
    var markdown: MarkdownRenderer
    /// Hidden reasoning: the "thinking…" line was shown for this block.
    var thinkingShown = false
  }

  let state: Mutex<State>
  let out: Style
  let err: Style
  let stdoutIsTTY: Bool
  let stderrIsTTY: Bool
  let hideReasoning: Bool
  let spinner: Spinner?
  let sink: @Sendable (Int32, String) -> Void

  public convenience init(
    environment: [String: String], hideReasoning: Bool, spinner: Spinner? = nil
  ) {
    self.init(
      out: Style.forFD(TerminalIO.stdoutFD, environment: environment),
      err: Style.forFD(TerminalIO.stderrFD, environment: environment),
      stdoutIsTTY: TerminalIO.isTTY(TerminalIO.stdoutFD),
      stderrIsTTY: TerminalIO.isTTY(TerminalIO.stderrFD), hideReasoning: hideReasoning,
      spinner: spinner, sink: { TerminalIO.write($0, $1) })
  }

  /// `sink` receives every write (fd, text): tests capture the output with it.
  init(
    out: Style, err: Style, stdoutIsTTY: Bool, stderrIsTTY: Bool, hideReasoning: Bool,
    spinner: Spinner?, sink: @escaping @Sendable (Int32, String) -> Void
  ) {
    self.out = out
    self.err = err
    self.stdoutIsTTY = stdoutIsTTY
    self.stderrIsTTY = stderrIsTTY
    self.hideReasoning = hideReasoning
    self.spinner = spinner
    self.sink = sink
    state = Mutex(State(markdown: MarkdownRenderer(styled: out.enabled)))
  }

  /// Reasoning goes where the answer is on a terminal, else to stderr.
  var reasoningFD: Int32 { stdoutIsTTY ? TerminalIO.stdoutFD : TerminalIO.stderrFD }
  var reasoningStyle: Style { stdoutIsTTY ? out : err }
  /// Text from the model is shown, not obeyed, when it reaches a terminal; a pipe gets it as
  /// it came.
  var reasoningIsTTY: Bool { stdoutIsTTY || stderrIsTTY }

  func write(_ fd: Int32, _ text: String) {
    if !text.isEmpty { sink(fd, text) }
  }

  public func handle(_ event: AgentEvent) {
    state.withLock { s in
      switch event {
      case .turnStarted:
        spinner?.start("working")
      case .reasoningDelta(let r):
        if hideReasoning {
          showThinking(&s)
          return
        }
        spinner?.stop()
        if !s.inReasoning {
          s.inReasoning = true
          finishAnswerLine(&s)
          write(reasoningFD, reasoningStyle.dim(reasoningStyle.italic("thinking")) + "\n")
        }
        write(reasoningFD, reasoningStyle.dim(reasoningIsTTY ? TerminalText.prose(r) : r))
        s.lastReasoningChar = r.last ?? s.lastReasoningChar
      case .textDelta(let t):
        spinner?.stop()
        endReasoning(&s)
        s.answerStarted = true
        write(TerminalIO.stdoutFD, s.markdown.feed(stdoutIsTTY ? TerminalText.prose(t) : t))
        s.lastAnswerChar = t.last ?? s.lastAnswerChar
      case .messageComplete:
        endReasoning(&s)
        write(TerminalIO.stdoutFD, s.markdown.finish())
      case .commandBegin(let b):
        spinner?.stop()
        endReasoning(&s)
        finishAnswerLine(&s)
        let sandboxNote = b.sandboxed ? "" : err.yellow(" (no sandbox)")
        let command = TerminalText.escaped(b.displayText, keepingNewlines: true)
        write(TerminalIO.stderrFD, err.cyan("$ ") + err.bold(command) + sandboxNote + "\n")
        spinner?.start("running")
      case .commandEnd(let e):
        spinner?.stop()
        write(TerminalIO.stderrFD, Self.summary(e, style: err))
        spinner?.start("working")
      case .mcpToolCallBegin(let b):
        spinner?.stop()
        endReasoning(&s)
        finishAnswerLine(&s)
        write(TerminalIO.stderrFD, MCPCallText.begin(b, style: err) + "\n")
        spinner?.start(MCPCallText.label(server: b.server, tool: b.tool))
      case .mcpToolCallProgress(let p):
        spinner?.relabel(MCPCallText.progressLabel(p))
      case .mcpToolCallEnd(let e):
        spinner?.stop()
        write(TerminalIO.stderrFD, MCPCallText.summary(e, style: err))
        spinner?.start("working")
      case .warning(let w):
        spinner?.stop()
        finishAnswerLine(&s)
        write(
          TerminalIO.stderrFD,
          err.yellow("warning: ") + TerminalText.escaped(w, keepingNewlines: true) + "\n")
      case .modelFallback(let f):
        // Nothing of the answer was shown yet (that is when the chain moves on).
        spinner?.stop()
        write(TerminalIO.stderrFD, err.yellow(TerminalText.escaped(f.description)) + "\n")
      case .turnComplete:
        spinner?.stop()
        endReasoning(&s)
        finishAnswerLine(&s)
      case .streamRestarted(let attempt, let reason):
        spinner?.stop()
        endReasoning(&s)
        finishAnswerLine(&s)
        // The retried answer starts over: what was shown of this one is abandoned.
        s.markdown = MarkdownRenderer(styled: out.enabled)
        s.answerStarted = false
        s.lastAnswerChar = nil
        write(
          TerminalIO.stderrFD,
          err.yellow("connection dropped: ") + reason + err.dim(" — retrying (\(attempt))") + "\n")
        spinner?.start("retrying")
      case .contextCompacted(let c):
        spinner?.stop()
        finishAnswerLine(&s)
        let how = c.summarized ? "" : err.dim(" (old output trimmed)")
        write(
          TerminalIO.stderrFD,
          err.dim(
            "context compacted: \(Self.grouped(c.tokensBefore)) → \(Self.grouped(c.tokensAfter)) tokens"
          )
            + how + "\n")
        spinner?.start("working")
      case .planUpdated(let plan):
        spinner?.stop()
        finishAnswerLine(&s)
        write(TerminalIO.stderrFD, Self.checklist(plan, style: err))
        spinner?.start("working")
      case .fileChange(let change):
        spinner?.stop()
        finishAnswerLine(&s)
        write(TerminalIO.stderrFD, Self.fileChangeSummary(change, style: err))
        spinner?.start("working")
      case .usage, .commandOutput:
        break
      }
    }
  }

  /// `12,345`.
  static func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (n < 0 ? "-" : "") + out
  }

  /// The plan as a checklist: done, in progress, to do.
  static func checklist(_ plan: PlanUpdate, style: Style) -> String {
    var text = style.bold("Plan") + "\n"
    if let why = plan.explanation, !why.isEmpty { text += style.dim("  " + why) + "\n" }
    for step in plan.steps {
      switch step.status {
      case .completed: text += style.green("  ✔ ") + style.dim(step.text) + "\n"
      case .inProgress: text += style.cyan("  ▶ ") + style.bold(step.text) + "\n"
      case .pending: text += "  ☐ " + step.text + "\n"
      }
    }
    return text
  }

  static func fileChangeSummary(_ change: FileChangeEvent, style: Style) -> String {
    if let failure = change.failure {
      return style.red("patch not applied: ") + failure.split(separator: "\n").prefix(1).joined()
        + "\n"
    }
    var text = style.green("patched ") + PatchSummary.total(change.changes) + "\n"
    for file in change.changes {
      text += "  " + PatchSummary.line(file, relativeTo: "", style: style) + "\n"
    }
    return text
  }

  /// Reasoning that is not shown still says something is happening: the spinner's label, or
  /// one dim line on a terminal without a spinner.
  func showThinking(_ s: inout State) {
    s.inReasoning = true
    if let spinner {
      if spinner.isRunning { spinner.relabel("thinking") } else { spinner.start("thinking") }
    } else if stderrIsTTY, !s.thinkingShown {
      finishAnswerLine(&s)
      write(TerminalIO.stderrFD, err.dim("thinking…") + "\n")
    }
    s.thinkingShown = true
  }

  func endReasoning(_ s: inout State) {
    guard s.inReasoning else { return }
    s.inReasoning = false
    if s.thinkingShown {
      s.thinkingShown = false
      return
    }
    if s.lastReasoningChar != "\n" { write(reasoningFD, "\n") }
    // A blank line keeps the answer visibly apart from the thinking on a terminal.
    if stdoutIsTTY { write(TerminalIO.stdoutFD, "\n") }
  }

  func finishAnswerLine(_ s: inout State) {
    write(TerminalIO.stdoutFD, s.markdown.finish())
    if s.answerStarted, s.lastAnswerChar != "\n" {
      write(TerminalIO.stdoutFD, "\n")
      s.lastAnswerChar = "\n"
    }
  }

  /// `exit 0 · 0.12s` and the first lines of output, dimmed. The output is the command's and
  /// must not act on the terminal: each line goes through `TerminalText.outputLine`.
  static func summary(_ e: CommandEnd, style: Style, lines: Int = 4) -> String {
    let secs =
      Double(e.duration.components.seconds)
      + Double(e.duration.components.attoseconds) / 1e18
    let whole = Int(exactly: secs.rounded(.down)) ?? 0
    let time = secs < 10 ? format2(secs) + "s" : "\(whole)s"
    var head: String
    switch e.status {
    case .finished(.exited(let code)):
      head = code == 0 ? style.green("exit 0") : style.red("exit \(code)")
      head += style.dim(" · \(time)")
    case .finished(.timedOut): head = style.red("timed out") + style.dim(" after \(time)")
    case .finished(.signaled(let signal)):
      head =
        style.red("killed by \(ToolOutputFormatter.signalDescription(signal))")
        + style.dim(" · \(time)")
    case .rejected(let why): head = style.yellow("not run: ") + TerminalText.escaped(why)
    case .failedToStart(let why): head = style.red("failed to start: ") + TerminalText.escaped(why)
    }
    var text = "  " + head + "\n"
    if case .finished = e.status, !e.output.isEmpty {
      var all = e.output.split(separator: "\n", omittingEmptySubsequences: false)
      if all.last?.isEmpty == true { all.removeLast() }
      for line in all.prefix(lines) {
        text += style.dim("  │ " + TerminalText.outputLine(line)) + "\n"
      }
      if all.count > lines { text += style.dim("  │ … \(all.count - lines) more lines") + "\n" }
    }
    return text
  }

  static func format2(_ v: Double) -> String {
    let hundredths = Int(exactly: (v * 100).rounded()) ?? 0
    let frac = hundredths % 100
    return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
  }
}
