import CodexCore

/// `codex serve [--host 127.0.0.1] [--port 8000] [--api-key KEY]`: the flags and config into
/// `ServeService` and `HTTPServer` (in core), the access log on stderr, and the signals: the
/// first SIGINT/SIGTERM stops accepting and lets streams in flight finish (within
/// `serve.shutdown_grace_seconds`), then exits 0; a second one stops at once.
enum ServeCommand {
  static func run(_ context: CommandContext) async -> Int32 {
    CurlTransport.preload()
    guard let config = context.loadConfig() else { return 1 }
    let args = context.args
    let environment = context.environment
    let host = args.value(.host) ?? config.serve.host
    // The parser has range-checked --port.
    let port = args.value(.port).flatMap { Int($0) } ?? config.serve.port

    var apiKey = args.value(.apiKey)
    if apiKey == nil, let name = config.serve.apiKeyEnv {
      guard let value = environment[name], !value.isEmpty else {
        return context.fail(ServeError.missingKeyVariable(name).description)
      }
      apiKey = value
    }
    if let key = apiKey, key.trimmingCharacters().isEmpty {
      return context.fail("--api-key must not be empty")
    }

    let service = ServeService(
      config: config, environment: environment,
      transport: DebugLog.transport(environment, style: context.style), apiKey: apiKey,
      log: { @Sendable line in TerminalIO.write(TerminalIO.stderrFD, line + "\n") },
      debug: DebugLog.sink(environment, style: context.style))

    let signals = TerminationSignals()
    defer { signals.cancel() }
    let server: HTTPServer
    do {
      server = try HTTPServer(
        host: host, port: port, loopbackOnly: apiKey == nil, handler: service.handle)
      try server.start()
    } catch {
      return context.fail("\(error)")
    }
    let shown = host.contains(":") ? "[\(host)]" : host
    let model = config.model.isEmpty ? "the server's first model" : config.model
    TerminalIO.write(
      TerminalIO.stderrFD,
      "codex serve: listening on http://\(shown):\(server.port)/v1 "
        + "(default: \(config.provider.id), \(model); "
        + (apiKey == nil ? "no key required" : "clients must send the API key") + ")\n")

    var iterator = signals.signals.makeAsyncIterator()
    guard let first = await iterator.next() else { return 0 }
    await server.stopAccepting()
    let waiting = server.requestsInFlight
    TerminalIO.write(
      TerminalIO.stderrFD,
      "codex serve: \(TerminationSignals.name(first)): no new connections"
        + (waiting > 0
          ? "; waiting up to \(seconds(config.serve.shutdownGrace)) for \(waiting) in flight "
            + "(again to stop now)" : "") + "\n")
    let drain = Task { await server.shutdown(grace: config.serve.shutdownGrace) }
    let hurry = Task {
      if await iterator.next() != nil {
        TerminalIO.write(TerminalIO.stderrFD, "codex serve: stopping now\n")
        Platform.exit(130)
      }
    }
    let cutOff = await drain.value
    hurry.cancel()
    if cutOff > 0 {
      TerminalIO.write(
        TerminalIO.stderrFD,
        "codex serve: cut off \(cutOff) request\(cutOff == 1 ? "" : "s") still running\n")
    }
    return 0
  }

  static func seconds(_ d: Duration) -> String { "\(d.components.seconds) s" }
}
