import CodexCore

extension InteractiveSession {
  /// Runs a slash command; true when the session should end.
  func perform(_ command: SlashCommand, _ console: Console) async -> Bool {
    let style = console.err
    switch command {
    case .quit:
      return true
    case .help:
      let width = SlashCommand.catalogue.map { $0.name.count + $0.arguments.count + 1 }.max() ?? 0
      for c in SlashCommand.catalogue {
        let usage = c.arguments.isEmpty ? c.name : c.name + " " + c.arguments
        let pad = String(repeating: " ", count: max(1, width - usage.count + 2))
        console.say(style.bold(usage) + pad + style.dim(c.summary))
      }
      console.say(
        style.dim(
          "Keys: Ctrl-C interrupts a turn or clears the line, Ctrl-D exits, up/down recall "
            + "history, a trailing \\ or Alt-Enter starts a new line."))
    case .new:
      await session.reset()
      console.say(style.dim("new conversation"))
    case .model(let name):
      await model(name, console)
    case .provider(let id, let model):
      await provider(id, model: model, console)
    case .approvals(let name):
      approvals(name, console)
    case .status:
      await status(console)
    case .mcp:
      for line in MCPStatusText.lines(mcp?.statuses ?? [], style: style) { console.say(line) }
    case .compact:
      do {
        let before = await session.history.count
        try await session.compactNow { console.printer.handle($0) }
        if await session.history.count == before {
          console.say(style.dim("nothing to compact"))
        }
      } catch {
        console.say(style.red("error: ") + "\(error)")
      }
    case .unknown(let name, let suggestion):
      let hint = suggestion.map { "did you mean \($0)? " } ?? ""
      console.say(style.yellow("unknown command \(name)") + " (\(hint)type /help for the list)")
    }
    return false
  }

  /// The provider's models, as `codex models` shows them; nil (and a line saying why) when the
  /// server does not say.
  func listedModels(_ client: ModelClient, _ console: Console) async -> [ModelInfo]? {
    let catalog = ModelCatalog(
      provider: client.provider, transport: client.transport, environment: environment,
      prices: config.prices, timeout: .seconds(10))
    do {
      return try await catalog.list()
    } catch {
      if !Task.isCancelled { console.say(console.err.dim("cannot list the models: \(error)")) }
      return nil
    }
  }

  func model(_ requested: String?, _ console: Console) async {
    let style = console.err
    let client = await session.client
    guard let requested else {
      let current = await session.model
      console.say(
        "model: " + style.bold(TerminalText.escaped(current))
          + style.dim(" (\(client.provider.name))"))
      if let models = await listedModels(client, console) {
        for line in ModelsTable.render(models, current: current, style: style) { console.say(line) }
      }
      return
    }
    // `/model ollama/qwen2.5-coder:7b` switches provider too, by the rule `--model` follows.
    let route = config.route(named: requested, current: client.provider)
    if route.provider.id != client.provider.id {
      await provider(route.provider.id, model: route.model, console)
      return
    }
    let name = route.model
    let available = await listedModels(client, console)
    let ids = available?.map(\.id) ?? []
    let known = ids.contains(name) || (!name.contains(":") && ids.contains(name + ":latest"))
    if available != nil, !known, ServerKind.of(client.provider) == .ollama {
      // Ollama can fetch it: offer that rather than fail at the first message.
      guard await offerPull(name, client: client, console) else { return }
    } else if let available, !known {
      console.say(
        style.yellow("note: ")
          + "\(client.provider.name) does not list \(TerminalText.escaped(name)); it lists "
          + TerminalText.escaped(available.map(\.id).joined(separator: ", ")))
    }
    // The options configured for the new model (`[models."NAME"]`) come with it.
    await session.setClient(
      ModelClient(provider: route.provider, transport: client.transport, environment: environment),
      model: name)
    console.say("model: " + style.bold(TerminalText.escaped(name)))
  }

  /// Asks whether to pull `name` into Ollama and does it, with the progress bar; true when the
  /// model is there afterwards.
  func offerPull(_ name: String, client: ModelClient, _ console: Console) async -> Bool {
    let style = console.err
    TerminalRawMode.restore()
    defer { TerminalRawMode.enterQuiet() }
    TerminalIO.write(
      TerminalIO.stderrFD,
      "\(client.provider.name) does not have \(TerminalText.escaped(name)). Pull it now? [y/N] ")
    guard let answer = TerminalIO.readLine()?.trimmingCharacters().lowercased(),
      answer == "y" || answer == "yes"
    else {
      console.say(style.dim("model unchanged"))
      return false
    }
    let puller = OllamaPull(
      provider: client.provider, transport: client.transport, environment: environment)
    var view = PullProgressView(style: style, isTerminal: TerminalIO.isTTY(TerminalIO.stderrFD))
    do {
      try await puller.pull(name) { view.show($0) }
      view.end()
      console.say(style.green("pulled ") + TerminalText.escaped(name))
      return true
    } catch {
      view.end()
      if !Task.isCancelled { console.say(style.red("error: ") + TerminalText.escaped("\(error)")) }
      return false
    }
  }

  func provider(_ id: String?, model: String?, _ console: Console) async {
    let style = console.err
    let current = await session.client
    guard let id else {
      for p in config.providers.providers {
        let mark = p.id == current.provider.id ? style.green("* ") : "  "
        let url = TerminalText.escaped(Redaction.url(p.baseURL))
        console.say(mark + style.bold(p.id) + style.dim(" \(p.name) · \(url)"))
      }
      console.say(style.dim("switch with /provider <id> [model]"))
      return
    }
    guard let info = config.provider(id: id) else {
      console.say(
        style.red("error: ") + "no provider '\(id)'; known: "
          + config.providers.ids.joined(separator: ", "))
      return
    }
    let client = ModelClient(provider: info, transport: current.transport, environment: environment)
    do {
      try client.checkCredentials()
    } catch {
      console.say(style.red("error: ") + TerminalText.escaped("\(error)"))
      return
    }
    var chosen = model ?? info.defaultModel
    if chosen == nil { chosen = await client.availableModels()?.first }
    guard let chosen else {
      console.say(
        style.red("error: ") + "\(info.name) has no default model and did not list any; "
          + "name one: /provider \(id) <model>")
      return
    }
    let route = config.route(info, model: chosen)
    await session.setClient(
      ModelClient(provider: route.provider, transport: current.transport, environment: environment),
      model: chosen)
    console.say(
      "provider: " + style.bold(info.id)
        + style.dim(" \(TerminalText.escaped(Redaction.url(info.baseURL)))") + ", model: "
        + style.bold(TerminalText.escaped(chosen)))
  }

  func approvals(_ name: String?, _ console: Console) {
    let style = console.err
    let choices = ApprovalPolicy.allCases.map(\.rawValue).joined(separator: ", ")
    let current = shellTool?.approvalPolicy ?? config.approvalPolicy
    guard let name else {
      console.say(
        "approvals: " + style.bold(current.rawValue) + style.dim(" (choices: \(choices))"))
      return
    }
    guard let policy = ApprovalModeSelection(userValue: name)?.policy else {
      console.say(
        style.red("error: ") + "unknown approval policy '\(name)'; choose one of \(choices)")
      return
    }
    guard let shellTool else {
      console.say(style.yellow("the approval policy cannot be changed in this session"))
      return
    }
    shellTool.setApprovalPolicy(policy)
    console.say("approvals: " + style.bold(policy.rawValue))
  }

  func status(_ console: Console) async {
    let style = console.err
    let client = await session.client
    let p = client.provider
    let model = await session.model
    let usage = console.meter.total
    let policy = shellTool?.approvalPolicy ?? config.approvalPolicy
    // Values may come from a server (model names) or a config: shown, never obeyed.
    func row(_ name: String, _ value: String) {
      console.say(style.dim(name.padded(to: 10)) + TerminalText.escaped(value))
    }
    row("provider", "\(p.name) (\(p.id))")
    row("url", Redaction.url(p.baseURL))
    row("wire", p.wire.rawValue)
    row("model", model)
    row("approvals", policy.rawValue)
    row("sandbox", config.sandboxMode.rawValue)
    if let answered = session.router.answeredBy,
      answered.provider.id != p.id || answered.model != model
    {
      row("answering", "\(answered) (fallback: \(p.id) failed)")
    }
    for (index, gap) in (await shellTool?.unenforcedSandboxRules() ?? []).enumerated() {
      row(index == 0 ? "kernel" : "", (index == 0 ? "does not enforce: " : "") + gap)
    }
    row("tokens", "\(usage.inputTokens) in, \(usage.outputTokens) out this session")
    if let cost = usage.cost { row("cost", CostText.dollars(cost) + " this session") }
    row("context", Self.contextLine(await session.contextStatus()))
    if let sessionID { row("session", sessionID) }
  }
}

extension InteractiveSession {
  /// `1,234 of 8,192 tokens (85% left)`, or the count alone when the window is unknown.
  static func contextLine(_ status: (used: Int, window: ContextWindow?)) -> String {
    let used = EventPrinter.grouped(status.used)
    guard let window = status.window, window.tokens > 0 else {
      return "\(used) tokens; the model's window is unknown (set model_context_window)"
    }
    let left = max(0, 100 - status.used * 100 / window.tokens)
    return "\(used) of \(EventPrinter.grouped(window.tokens)) tokens (\(left)% left; window from "
      + "\(window.source))"
  }
}

extension String {
  func padded(to width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
