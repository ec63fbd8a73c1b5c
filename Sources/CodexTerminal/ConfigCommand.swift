import CodexCore

/// `codex config` opens the instructions and the config in `$VISUAL`/`$EDITOR` (else `vi`),
/// creating commented starting files, and validates after saving. `codex config show` prints
/// the effective settings and where each came from; `codex config path` the files read.
enum ConfigCommand {
  static func path(_ loader: ConfigLoader) -> Int32 {
    let home = loader.codexHome
    var lines: [String] = []
    let existing = loader.existingConfigFiles()
    if let first = existing.first {
      lines.append("config: \(first)")
      for other in existing.dropFirst() { lines.append("ignored: \(other)") }
    } else {
      lines.append("config: \(home)/config.toml (missing; defaults apply)")
    }
    let instructions = home + "/instructions.md"
    lines.append(
      "instructions: \(instructions)\(FileOutput.exists(instructions) ? "" : " (missing)")")
    lines.append("history: \(home)/history.jsonl")
    lines.append("sessions: \(home)/sessions")
    TerminalIO.write(TerminalIO.stdoutFD, lines.joined(separator: "\n") + "\n")
    return 0
  }

  static func show(_ loader: ConfigLoader, _ overrides: ConfigOverrides, _ style: Style) -> Int32 {
    let config: Config
    do {
      config = try loader.load(overrides)
    } catch {
      TerminalIO.write(TerminalIO.stderrFD, style.red("error: ") + "\(error)\n")
      return 1
    }
    for w in config.warnings {
      TerminalIO.write(TerminalIO.stderrFD, style.yellow("warning: ") + w + "\n")
    }
    TerminalIO.write(
      TerminalIO.stdoutFD, ConfigReport.render(config, environment: loader.environment))
    return 0
  }

  static func edit(_ loader: ConfigLoader, _ style: Style) -> Int32 {
    let home = loader.codexHome
    let instructions = home + "/instructions.md"
    let configPath = loader.existingConfigFiles().first ?? home + "/config.toml"
    do {
      try PrivateFiles.makeRoot(home)
      if !FileOutput.exists(instructions) {
        try FileOutput.write(StarterFiles.instructions, to: instructions)
      }
      if !FileOutput.exists(configPath) {
        try FileOutput.write(StarterFiles.config, to: configPath)
      }
    } catch {
      TerminalIO.write(
        TerminalIO.stderrFD, style.red("error: ") + "cannot create \(home): \(error)\n")
      return 1
    }
    let env = loader.environment
    let editor = [env["VISUAL"], env["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
    for file in [instructions, configPath] {
      let status = TerminalIO.runAttached("\(editor) '\(file.replacing("'", with: "'\\''"))'")
      if status != 0 {
        TerminalIO.write(
          TerminalIO.stderrFD,
          style.red("error: ") + "the editor '\(editor)' failed (status \(status)) on \(file)\n")
        return 1
      }
    }
    do {
      let config = try loader.load(ConfigOverrides())
      for w in config.warnings {
        TerminalIO.write(TerminalIO.stderrFD, style.yellow("warning: ") + w + "\n")
      }
      TerminalIO.write(
        TerminalIO.stderrFD,
        style.green("config ok")
          + ": provider \(config.provider.id), model \(config.model.isEmpty ? "(asked from the server)" : config.model)\n"
      )
      return 0
    } catch {
      TerminalIO.write(TerminalIO.stderrFD, style.red("error: ") + "\(error)\n")
      return 1
    }
  }
}
