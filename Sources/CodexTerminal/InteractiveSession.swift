import CodexCore

/// `codex` on a terminal with no prompt: read a line, run the turn, repeat. Ctrl-C cancels the
/// running turn (not the program); Ctrl-D on an empty line exits.
struct InteractiveSession {
  let session: Session
  let config: Config
  let environment: [String: String]
  let firstPrompt: String?

  var err: Style { Style.forFD(TerminalIO.stderrFD, environment: environment) }

  func run() async -> Int32 {
    let style = err
    TerminalIO.write(
      TerminalIO.stderrFD,
      style.bold("codex")
        + style.dim(
          " \(CLI.version) · \(config.provider.name) · \(await session.model) · /help for commands, Ctrl-D to exit"
        ) + "\n")
    var pending = firstPrompt
    let printer = EventPrinter(environment: environment, hideReasoning: config.hideAgentReasoning)
    let approvals = TerminalApproval(environment: environment)
    while true {
      let input: String
      if let p = pending {
        input = p
        pending = nil
      } else {
        TerminalIO.write(TerminalIO.stderrFD, style.cyan("› "))
        guard let line = TerminalIO.readLine() else {
          TerminalIO.write(TerminalIO.stderrFD, "\n")
          break
        }
        input = line
      }
      let text = input.trimmingCharacters()
      if text.isEmpty { continue }
      if text.hasPrefix("/") {
        if await slashCommand(text) { break }
        continue
      }
      let task = Task { () async throws -> TurnSummary in
        try await session.submit(text, approvals: approvals) { printer.handle($0) }
      }
      let watcher = InterruptWatcher { task.cancel() }
      do {
        _ = try await task.value
      } catch {
        if watcher.interrupted {
          TerminalIO.write(TerminalIO.stderrFD, "\n" + style.yellow("interrupted") + "\n")
        } else {
          TerminalIO.write(TerminalIO.stderrFD, style.red("error: ") + "\(error)\n")
        }
      }
      watcher.cancel()
    }
    let usage = await session.totalUsage
    TerminalIO.write(
      TerminalIO.stderrFD,
      style.dim("tokens: \(usage.inputTokens) in, \(usage.outputTokens) out") + "\n")
    return 0
  }

  /// Returns true when the session should end.
  func slashCommand(_ text: String) async -> Bool {
    let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
    let style = err
    switch parts[0] {
    case "/quit", "/exit", "/q":
      return true
    case "/new":
      await session.reset()
      TerminalIO.write(TerminalIO.stderrFD, style.dim("new conversation") + "\n")
    case "/model":
      if parts.count > 1 {
        await session.setModel(parts[1])
        TerminalIO.write(TerminalIO.stderrFD, style.dim("model: \(parts[1])") + "\n")
      } else {
        let client = await session.client
        let models = await client.availableModels() ?? []
        TerminalIO.write(
          TerminalIO.stderrFD,
          "model: \(await session.model)\n"
            + (models.isEmpty
              ? "" : style.dim("available: \(models.joined(separator: ", "))") + "\n"))
      }
    case "/status":
      let usage = await session.totalUsage
      let p = config.provider
      TerminalIO.write(
        TerminalIO.stderrFD,
        """
        provider: \(p.name) (\(p.id)) at \(p.baseURL), wire \(p.wire.rawValue)
        model: \(await session.model)
        approval: \(config.approvalPolicy.rawValue), sandbox: \(config.sandboxMode.rawValue)
        tokens: \(usage.inputTokens) in, \(usage.outputTokens) out

        """)
    case "/help":
      TerminalIO.write(
        TerminalIO.stderrFD,
        """
        /model [name]   show or switch the model
        /status         provider, model, policy, tokens
        /new            start a new conversation
        /quit           exit (also Ctrl-D)

        """)
    default:
      TerminalIO.write(
        TerminalIO.stderrFD, style.yellow("unknown command \(parts[0])") + " (try /help)\n")
    }
    return false
  }
}
