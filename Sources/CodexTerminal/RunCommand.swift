import CodexCore
import Synchronization

/// `codex [PROMPT]`: one-shot when there is a prompt (from the arguments or stdin), an
/// interactive session when there is none and stdin is a terminal.
struct RunCommand {
  let args: CommandLineArguments
  let config: Config
  let environment: [String: String]

  var err: Style { Style.forFD(TerminalIO.stderrFD, environment: environment) }

  func fail(_ message: String, code: Int32 = 1) -> Int32 {
    // One line, shown not obeyed: messages quote servers and files.
    TerminalIO.write(TerminalIO.stderrFD, err.red("error: ") + TerminalText.escaped(message) + "\n")
    return code
  }

  /// The prompt from the arguments, stdin, or both (`cat file | codex "explain this"`).
  func readPrompt() -> String? {
    let stdinIsTTY = TerminalIO.isTTY(TerminalIO.stdinFD)
    var piped: String?
    if !stdinIsTTY, !args.interactive {
      let bytes = TerminalIO.readAllStdin()
      let text = String(decoding: bytes, as: UTF8.self)
      if !text.trimmingCharacters().isEmpty { piped = text }
    }
    switch (args.prompt, piped) {
    case (let p?, let s?): return p + "\n\n" + s
    case (let p?, nil): return p
    case (nil, let s?): return s
    case (nil, nil): return nil
    }
  }

  /// `resumed`: a saved session to continue (`codex resume`).
  func execute(resumed: SavedSession? = nil) async -> Int32 {
    let prompt = readPrompt()
    let interactive =
      args.interactive || (prompt == nil && !args.exec && TerminalIO.isTTY(TerminalIO.stdinFD))
    if prompt == nil, !interactive {
      return fail("no prompt: pass one as an argument or on stdin (echo \"...\" | codex)", code: 2)
    }

    // A resumed session continues with what it used, unless the command line says otherwise.
    let factory = SessionFactory(
      config: config, environment: environment,
      transport: DebugLog.transport(environment, style: err))
    let built: SessionFactory.Built
    do {
      built = try await factory.make(
        resumed: resumed,
        keepResumedProvider: args.overrides.provider == nil && args.overrides.providerURL == nil,
        keepResumedModel: args.overrides.model == nil
      ) { warning in
        TerminalIO.write(TerminalIO.stderrFD, err.yellow("warning: ") + warning + "\n")
      }
    } catch {
      return fail("\(error)")
    }
    let session = built.session
    if let warning = built.shellTool.homeExposureWarning {
      TerminalIO.write(
        TerminalIO.stderrFD, err.yellow("warning: ") + TerminalText.escaped(warning) + "\n")
    }

    let code: Int32
    if interactive {
      let repl = InteractiveSession(
        session: session, config: config, environment: environment, firstPrompt: prompt,
        shellTool: built.shellTool, mcp: built.mcp,
        sessionID: built.rolloutPath == nil ? nil : session.id, rolloutPath: built.rolloutPath)
      code = await repl.run()
    } else {
      // `prompt` is non-nil here: a missing one without a terminal was refused above.
      code = await runOnce(session: session, prompt: prompt ?? "")
    }
    // MCP servers are stopped before codex exits (stdin closed, then signals).
    await built.mcp?.shutdown()
    return code
  }

  func runOnce(session: Session, prompt: String) async -> Int32 {
    let printer = EventPrinter(environment: environment, hideReasoning: config.hideAgentReasoning)
    let jsonPrinter = args.json ? JSONEventPrinter(sessionID: session.id) : nil
    let approvals = TerminalApproval(environment: environment)
    let task = Task { () async throws -> TurnSummary in
      jsonPrinter?.threadStarted()
      return try await session.submit(prompt, approvals: approvals) { event in
        if let jsonPrinter { jsonPrinter.handle(event) } else { printer.handle(event) }
      }
    }
    let watcher = InterruptWatcher { task.cancel() }
    defer { watcher.cancel() }
    do {
      let summary = try await task.value
      await TurnNotification.send(
        config: config, environment: environment, threadID: session.id,
        turnID: SessionID.make(), input: prompt, summary: summary)
      if let path = args.outputLastMessage {
        do {
          try FileOutput.write(summary.lastMessage, to: path)
        } catch {
          return fail("cannot write the last message to \(path): \(error)")
        }
      }
      if summary.finishReason == .other("tool_loop") {
        // The warning said why; the task was not finished, and a script must know.
        return 1
      }
      if summary.finishReason == .length {
        TerminalIO.write(
          TerminalIO.stderrFD,
          err.yellow("warning: ") + "the answer was cut off at the output token limit "
            + "(raise max_output_tokens in model_options)\n")
      }
      return 0
    } catch {
      if watcher.interrupted || error is CancellationError
        || (error as? TransportError) == .cancelled
      {
        printer.handle(
          .turnComplete(
            TurnSummary(
              lastMessage: "", usage: .init(inputTokens: 0, outputTokens: 0), finishReason: .stop)))
        TerminalIO.write(TerminalIO.stderrFD, err.yellow("interrupted") + "\n")
        return 130
      }
      printer.handle(
        .turnComplete(
          TurnSummary(
            lastMessage: "", usage: .init(inputTokens: 0, outputTokens: 0), finishReason: .stop)))
      jsonPrinter?.failed("\(error)")
      return fail("\(error)")
    }
  }
}

/// Runs the `notify` program after a completed turn; a failure is a warning, never an error.
enum TurnNotification {
  static func send(
    config: Config, environment: [String: String], threadID: String, turnID: String,
    input: String, summary: TurnSummary
  ) async {
    guard !config.notify.isEmpty else { return }
    let notifier = Notifier(command: config.notify, cwd: config.cwd, environment: environment)
    if let problem = await notifier.notify(
      threadID: threadID, turnID: turnID, inputs: [input], lastMessage: summary.lastMessage)
    {
      let err = Style.forFD(TerminalIO.stderrFD, environment: environment)
      TerminalIO.write(TerminalIO.stderrFD, err.yellow("warning: ") + problem + "\n")
    }
  }
}
