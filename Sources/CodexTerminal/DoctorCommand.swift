import CodexCore

/// `codex doctor [--provider ID] [--probe] [--json]`: the troubleshooting checklist. The
/// config; the provider in use and each fallback entry (or just the provider named); then what
/// this machine enforces. Exit 0 when the config and provider checks pass: machine checks only
/// warn (a weaker sandbox refuses commands, it never runs them unsandboxed).
enum DoctorCommand {
  static func run(_ context: CommandContext) async -> Int32 {
    let args = context.args
    let loaded: Result<Config, any Error> = Result { try context.loader.load(args.overrides) }
    var sections = [
      DoctorSection(
        title: "Config",
        checks: ConfigDoctor.checks(loaded: loaded, files: context.loader.existingConfigFiles()))
    ]
    let config = try? loaded.get()
    if let config {
      CurlTransport.preload()
      let transport = context.providerTransport()
      var targets = [
        (title: "Provider", route: ModelRoute(provider: config.provider, model: config.model))
      ]
      if args.overrides.provider == nil {
        for (n, route) in config.fallbacks.enumerated() {
          targets.append(("Fallback \(n + 1)", route))
        }
      }
      for target in targets {
        var doctor = ProviderDoctor(
          provider: target.route.provider, model: target.route.model, transport: transport,
          environment: context.environment, prices: config.prices,
          modelContextWindow: target.title == "Provider" ? config.modelContextWindow : nil)
        doctor.timeout = .seconds(10)
        let checks = await doctor.run(probe: args.has(.probe))
        let p = target.route.provider
        let model = target.route.model.isEmpty ? "no model set" : "model \(target.route.model)"
        sections.append(
          DoctorSection(
            title: "\(target.title) \(p.id) (\(p.name), \(p.baseURL)), \(model)", checks: checks))
      }
    }
    sections.append(
      DoctorSection(
        title: "Machine",
        checks: await MachineDoctor.run(
          codexHome: config?.codexHome ?? context.loader.codexHome,
          sandboxMode: config?.sandboxMode ?? .workspaceWrite,
          workingDirectory: config?.cwd ?? context.loader.currentDirectory),
        decidesExitStatus: false))

    let failed = sections.contains { $0.decidesExitStatus && $0.failed }
    if args.json {
      let json: JSON = ["ok": .bool(!failed), "sections": .array(sections.map(\.json))]
      TerminalIO.write(TerminalIO.stdoutFD, json.serialized() + "\n")
    } else {
      let out = Style.forFD(TerminalIO.stdoutFD, environment: context.environment)
      TerminalIO.write(TerminalIO.stdoutFD, render(sections, style: out, failed: failed))
    }
    return failed ? 1 : 0
  }

  static func render(_ sections: [DoctorSection], style: Style, failed: Bool) -> String {
    let width = sections.flatMap(\.checks).map(\.name.count).max() ?? 0
    var text = ""
    for section in sections {
      text += style.bold(section.title) + "\n"
      for check in section.checks {
        let mark: String
        switch check.status {
        case .ok: mark = style.green("✓")
        case .warning: mark = style.yellow("!")
        case .failed: mark = style.red("✗")
        case .skipped: mark = style.dim("-")
        }
        text += "  \(mark) " + check.name.padded(to: width + 1) + " " + check.detail + "\n"
        if let fix = check.fix, check.status == .warning || check.status == .failed {
          text +=
            "    " + String(repeating: " ", count: width + 2) + style.dim("fix: ") + fix + "\n"
        }
      }
      text += "\n"
    }
    text += failed ? style.red("Some checks failed.") + "\n" : style.green("All set.") + "\n"
    return text
  }
}
