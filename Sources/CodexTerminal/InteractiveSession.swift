import CodexCore
import Synchronization

/// `codex` on a terminal with no prompt (or `codex -i "first prompt"`): a prompt with line
/// editing and history, turns that stream their answer, slash commands, and on exit the tokens
/// used and how to resume. Ctrl-C cancels the running turn (not the program); Ctrl-D on an
/// empty line exits. A consumer of the same engine events as the one-shot printer.
struct InteractiveSession {
  let session: Session
  let config: Config
  let environment: [String: String]
  let firstPrompt: String?
  /// The shell tool, so `/approvals` can change its policy; nil: the policy is fixed.
  var shellTool: ShellTool? = nil
  /// The MCP servers, for `/mcp`; nil when none is configured.
  var mcp: MCPServerManager? = nil
  /// With both set, the exit message says how to continue this session.
  var sessionID: String? = nil
  var rolloutPath: String? = nil

  /// Everything the loop shares while it runs.
  struct Console: Sendable {
    let err: Style
    let printer: EventPrinter
    let reader: TerminalLineReader
    let approvals: InteractiveApproval
    let meter: UsageMeter
    let interrupts: InterruptRelay
    let history: HistoryFile

    func say(_ text: String) { TerminalIO.write(TerminalIO.stderrFD, text + "\n") }
  }

  func makeConsole() -> Console {
    let err = Style.forFD(TerminalIO.stderrFD, environment: environment)
    let dumb = environment["TERM"] == "dumb"
    let stdinIsTTY = TerminalIO.isTTY(TerminalIO.stdinFD)
    // The prompt goes where the user looks: stderr, unless only stdout is the terminal.
    let promptFD =
      TerminalIO.isTTY(TerminalIO.stderrFD) || !TerminalIO.isTTY(TerminalIO.stdoutFD)
      ? TerminalIO.stderrFD : TerminalIO.stdoutFD
    let promptStyle = Style.forFD(promptFD, environment: environment)
    let usesEditor = stdinIsTTY && TerminalIO.isTTY(promptFD) && !dumb
    if stdinIsTTY {
      TerminalRawMode.capture(
        inputFD: TerminalIO.stdinFD, outputFD: promptFD, lineEditor: usesEditor)
    }
    let spinner =
      TerminalIO.isTTY(TerminalIO.stderrFD) && !dumb
      ? Spinner(fd: TerminalIO.stderrFD, style: err) : nil
    let history = HistoryFile(codexHome: config.codexHome)
    var earlier: [String] = []
    for entry in history.load() where earlier.last != entry.text { earlier.append(entry.text) }
    let layout = PromptLayout(
      prompt: promptStyle.cyan("› "), promptWidth: 2, continuation: promptStyle.dim("… "),
      continuationWidth: 2)
    return Console(
      err: err,
      printer: EventPrinter(
        environment: environment, hideReasoning: config.hideAgentReasoning, spinner: spinner),
      reader: TerminalLineReader(
        history: earlier, inputFD: TerminalIO.stdinFD, outputFD: promptFD, layout: layout,
        usesEditor: usesEditor),
      approvals: InteractiveApproval(
        terminal: TerminalApproval(environment: environment), spinner: spinner),
      meter: UsageMeter(), interrupts: InterruptRelay(), history: history)
  }

  func run() async -> Int32 {
    let console = makeConsole()
    let watcher = InterruptWatcher { [interrupts = console.interrupts] in interrupts.fire() }
    defer {
      watcher.cancel()
      TerminalRawMode.restore()
    }
    let style = console.err
    console.say(
      style.bold("codex")
        + style.dim(
          " \(CLI.version) · \(config.provider.name) · \(await session.model) · /help for commands, Ctrl-D to exit"
        ))
    var pending = firstPrompt
    while true {
      let input: String
      if let p = pending {
        input = p
        pending = nil
        console.reader.remember(p)
        console.reader.echo(p)
      } else {
        guard case .line(let line) = await console.reader.read() else { break }
        input = line
      }
      let text = input.trimmingCharacters()
      if text.isEmpty { continue }
      if let command = SlashCommand.parse(text) {
        if await performInterruptibly(command, console) { break }
        continue
      }
      saveToHistory(text, console)
      await runTurn(text, console)
    }
    printGoodbye(console)
    return 0
  }

  /// One turn, cancellable with Ctrl-C: cancelling the task stops the model stream and any
  /// command it runs. The program goes back to the prompt either way.
  func runTurn(_ text: String, _ console: Console) async {
    TerminalRawMode.enterQuiet()
    let session = self.session
    let ticket = console.interrupts.ticket
    let task = Task { () async throws -> TurnSummary in
      try await session.submit(text, approvals: console.approvals) { event in
        console.meter.record(event)
        console.printer.handle(event)
      }
    }
    console.interrupts.arm(since: ticket) { task.cancel() }
    defer { console.interrupts.disarm() }
    let style = console.err
    do {
      let summary = try await task.value
      await TurnNotification.send(
        config: config, environment: environment, threadID: session.id,
        turnID: SessionID.make(), input: text, summary: summary)
      // A cancelled stream may simply end early rather than throw.
      if console.interrupts.fired(since: ticket) {
        console.say(style.yellow("interrupted"))
      } else if summary.finishReason == .length {
        console.say(
          style.yellow("warning: ") + "the answer was cut off at the output token limit "
            + "(raise max_output_tokens in model_options)")
      }
    } catch {
      console.printer.handle(
        .turnComplete(
          TurnSummary(
            lastMessage: "", usage: TokenUsage(inputTokens: 0, outputTokens: 0),
            finishReason: .stop)))
      if console.interrupts.fired(since: ticket) || error is CancellationError
        || (error as? TransportError) == .cancelled
      {
        console.say(style.yellow("interrupted"))
      } else if let aborted = error as? TurnAborted {
        console.say(style.yellow("stopped: ") + aborted.reason)
      } else {
        console.say(style.red("error: ") + TerminalText.escaped("\(error)"))
      }
    }
  }

  /// Slash commands may wait on the network (`/model` lists what the server has): Ctrl-C
  /// stops them too.
  func performInterruptibly(_ command: SlashCommand, _ console: Console) async -> Bool {
    TerminalRawMode.enterQuiet()
    let ticket = console.interrupts.ticket
    let task = Task { await perform(command, console) }
    console.interrupts.arm(since: ticket) { task.cancel() }
    let quit = await task.value
    console.interrupts.disarm()
    if console.interrupts.fired(since: ticket) { console.say(console.err.yellow("interrupted")) }
    return quit
  }

  func saveToHistory(_ text: String, _ console: Console) {
    guard config.history.saveAll else { return }
    do {
      try console.history.append(
        text, sessionID: sessionID ?? session.id, maxBytes: config.history.maxBytes)
    } catch {
      console.say(console.err.yellow("warning: ") + "\(error)")
    }
  }

  func printGoodbye(_ console: Console) {
    for line in Self.goodbye(
      usage: console.meter.total, sessionID: sessionID, rolloutPath: rolloutPath,
      style: console.err)
    {
      console.say(line)
    }
  }

  /// The tokens used, and how to continue when the session was saved.
  static func goodbye(usage: TokenUsage, sessionID: String?, rolloutPath: String?, style: Style)
    -> [String]
  {
    var lines = [
      style.dim(
        "Token usage: total=\(usage.totalTokens) input=\(usage.inputTokens) output=\(usage.outputTokens)"
          + (usage.cost.map { " cost=" + CostText.dollars($0) } ?? ""))
    ]
    if let sessionID, rolloutPath != nil {
      lines.append("To continue this session, run " + style.bold("codex resume \(sessionID)"))
    }
    return lines
  }
}

/// Puts the terminal in its normal mode around an approval prompt (which reads a whole line
/// with echo) and back to the quiet turn mode afterwards; the spinner is erased first.
struct InteractiveApproval: ApprovalHandler {
  let terminal: TerminalApproval
  let spinner: Spinner?

  func decide(_ request: ApprovalRequest) async -> ApprovalAnswer {
    spinner?.stop()
    TerminalRawMode.restore()
    let answer = await terminal.decide(request)
    TerminalRawMode.enterQuiet()
    return answer
  }
}

/// Tokens used across the whole program run (a `/new` conversation keeps counting).
final class UsageMeter: Sendable {
  let state = Mutex(TokenUsage(inputTokens: 0, outputTokens: 0))

  func record(_ event: AgentEvent) {
    guard case .usage(let u) = event else { return }
    state.withLock { $0 = $0 + u }
  }

  var total: TokenUsage { state.withLock { $0 } }
}

/// Ctrl-C for the whole session: one SIGINT watcher, pointed at whatever is running now.
/// Between turns nothing is armed and Ctrl-C is ignored (at the prompt it is a key anyway).
final class InterruptRelay: Sendable {
  struct State {
    var handler: (@Sendable () -> Void)?
    var count = 0
  }
  let state = Mutex(State())

  /// Take one before starting the work, then `arm(since:)` once it exists.
  var ticket: Int { state.withLock { $0.count } }

  /// Routes Ctrl-C to `handler`, and calls it at once for a Ctrl-C that came after `ticket`
  /// was taken (while the work was being started).
  func arm(since ticket: Int, _ handler: @escaping @Sendable () -> Void) {
    let missed = state.withLock { s -> Bool in
      s.handler = handler
      return s.count > ticket
    }
    if missed { handler() }
  }

  func disarm() { state.withLock { $0.handler = nil } }

  func fired(since ticket: Int) -> Bool { state.withLock { $0.count > ticket } }

  func fire() {
    let handler = state.withLock { s -> (@Sendable () -> Void)? in
      s.count += 1
      return s.handler
    }
    handler?()
  }
}
