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

  func model(_ name: String?, _ console: Console) async {
    let style = console.err
    let client = await session.client
    let available = await client.availableModels()
    guard let name else {
      console.say(
        "model: " + style.bold(await session.model) + style.dim(" (\(client.provider.name))"))
      if let available, !available.isEmpty {
        console.say(style.dim("available: ") + available.joined(separator: ", "))
      } else {
        console.say(style.dim("\(client.provider.name) did not list its models"))
      }
      return
    }
    await session.setModel(name)
    console.say("model: " + style.bold(name))
    if let available, !available.isEmpty, !available.contains(name) {
      console.say(
        style.yellow("note: ") + "\(client.provider.name) does not list \(name); it lists "
          + available.joined(separator: ", "))
    }
  }

  func provider(_ id: String?, model: String?, _ console: Console) async {
    let style = console.err
    let current = await session.client
    guard let id else {
      for p in config.providers.providers {
        let mark = p.id == current.provider.id ? style.green("* ") : "  "
        console.say(mark + style.bold(p.id) + style.dim(" \(p.name) · \(p.baseURL)"))
      }
      console.say(style.dim("switch with /provider <id> [model]"))
      return
    }
    guard let info = config.providers[id] else {
      console.say(
        style.red("error: ") + "no provider '\(id)'; known: "
          + config.providers.ids.joined(separator: ", "))
      return
    }
    let client = ModelClient(provider: info, transport: current.transport, environment: environment)
    do {
      try client.checkCredentials()
    } catch {
      console.say(style.red("error: ") + "\(error)")
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
    await session.setClient(client, model: chosen)
    console.say(
      "provider: " + style.bold(info.id) + style.dim(" \(info.baseURL)") + ", model: "
        + style.bold(chosen))
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
    let usage = console.meter.total
    let policy = shellTool?.approvalPolicy ?? config.approvalPolicy
    func row(_ name: String, _ value: String) {
      console.say(style.dim(name.padded(to: 10)) + value)
    }
    row("provider", "\(p.name) (\(p.id))")
    row("url", p.baseURL)
    row("wire", p.wire.rawValue)
    row("model", await session.model)
    row("approvals", policy.rawValue)
    row("sandbox", config.sandboxMode.rawValue)
    row("tokens", "\(usage.inputTokens) in, \(usage.outputTokens) out this session")
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
