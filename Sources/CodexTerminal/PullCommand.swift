import CodexCore

/// `codex pull MODEL`: downloads a model into Ollama with a progress bar (size and speed) on a
/// terminal, or a line per stage otherwise. Ctrl-C stops the download.
enum PullCommand {
  static func run(_ context: CommandContext) async -> Int32 {
    guard let model = context.args.positionals.first, !model.isEmpty else {
      return context.fail("name the model to pull: codex pull MODEL", code: 2)
    }
    guard let config = context.loadConfig() else { return 1 }
    guard let provider = ollamaProvider(config, named: context.args.overrides.provider) else {
      return context.fail(PullError.notOllama(provider: config.provider.name).description)
    }
    let puller = OllamaPull(
      provider: provider, transport: context.providerTransport(), environment: context.environment)
    let style = context.style
    let task = Task { () async throws -> Void in
      var view = PullProgressView(
        style: style, isTerminal: TerminalIO.isTTY(TerminalIO.stderrFD))
      defer { view.end() }
      try await puller.pull(model) { view.show($0) }
    }
    let watcher = InterruptWatcher { task.cancel() }
    defer { watcher.cancel() }
    do {
      try await task.value
    } catch {
      if watcher.interrupted || error is CancellationError
        || (error as? TransportError) == .cancelled
      {
        TerminalIO.write(TerminalIO.stderrFD, style.yellow("interrupted") + "\n")
        return 130
      }
      return context.fail("\(error)")
    }
    TerminalIO.write(TerminalIO.stderrFD, style.green("pulled ") + model + "\n")
    return 0
  }

  /// The Ollama to pull into: the provider in use when it is one; else, unless another provider
  /// was named on the command line, the configured (or built-in) `ollama`.
  static func ollamaProvider(_ config: Config, named: String?) -> ProviderInfo? {
    if ServerKind.of(config.provider) == .ollama { return config.provider }
    guard named == nil else { return nil }
    return config.providers["ollama"]
  }
}

/// Draws pull progress on stderr: one line redrawn in place on a terminal (at most ten times a
/// second), one line per stage otherwise.
struct PullProgressView {
  let style: Style
  let isTerminal: Bool
  var lastStatus = ""
  var lastDraw: ContinuousClock.Instant?
  var drawn = false
  /// Recent (time, bytes done), for the speed.
  var samples: [(at: ContinuousClock.Instant, bytes: Int64)] = []

  init(style: Style, isTerminal: Bool) {
    self.style = style
    self.isTerminal = isTerminal
  }

  mutating func show(_ p: PullProgress, now: ContinuousClock.Instant = .now) {
    samples.append((now, p.completed))
    samples.removeAll { now - $0.at > .seconds(3) }
    let stageChanged = Self.stage(p.status) != Self.stage(lastStatus)
    defer { lastStatus = p.status }
    guard isTerminal else {
      if stageChanged, !p.status.isEmpty {
        TerminalIO.write(TerminalIO.stderrFD, Self.stageLine(p) + "\n")
      }
      return
    }
    if !stageChanged, let lastDraw, now - lastDraw < .milliseconds(100) { return }
    lastDraw = now
    drawn = true
    TerminalIO.write(TerminalIO.stderrFD, "\r" + line(p) + "\u{1B}[K")
  }

  mutating func end() {
    if isTerminal, drawn { TerminalIO.write(TerminalIO.stderrFD, "\n") }
    drawn = false
  }

  /// `pulling 3a4f5c2d1e0b` and its later lines are one stage.
  static func stage(_ status: String) -> String {
    status.hasPrefix("pulling ") && status != "pulling manifest" ? "pulling" : status
  }

  static func stageLine(_ p: PullProgress) -> String {
    guard stage(p.status) == "pulling", p.total > 0 else { return p.status }
    return "pulling (\(ModelsTable.bytes(p.total)))"
  }

  func line(_ p: PullProgress) -> String {
    guard let fraction = p.fraction else { return p.status }
    let width = 24
    let filled = max(0, min(width, Int((fraction * Double(width)).rounded(.down))))
    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    let percent = Int((fraction * 100).rounded(.down))
    var text = "\(p.status)  \(percent)% " + style.cyan(bar) + " "
    text += ModelsTable.bytes(p.completed) + "/" + ModelsTable.bytes(p.total)
    if let speed = bytesPerSecond() { text += "  " + ModelsTable.bytes(speed) + "/s" }
    return text
  }

  func bytesPerSecond() -> Int64? {
    guard let first = samples.first, let last = samples.last else { return nil }
    let seconds =
      Double((last.at - first.at).components.attoseconds) / 1e18
      + Double((last.at - first.at).components.seconds)
    guard seconds >= 0.5, last.bytes >= first.bytes else { return nil }
    let speed = Double(last.bytes - first.bytes) / seconds
    guard speed.isFinite, speed < 1e15 else { return nil }
    return Int64(speed)
  }
}
