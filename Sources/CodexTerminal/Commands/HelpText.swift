/// `--help` and the usage line, generated from `CommandTable`.
public enum HelpText {
  /// One line naming every visible command.
  public static var usage: String {
    let forms = CommandTable.commands.filter { !$0.hidden }.map { spec -> String in
      let options = spec.options.isEmpty ? "" : " [OPTIONS]"
      let rest = spec.positionalSynopsis.isEmpty ? "" : " " + spec.positionalSynopsis
      return spec.invocation + options + rest
    }
    return "usage: " + forms.joined(separator: "\n       ")
  }

  public static func usage(for id: CommandID) -> String {
    let spec = CommandTable.command(id)
    let options = spec.options.isEmpty ? "" : " [OPTIONS]"
    let rest = spec.positionalSynopsis.isEmpty ? "" : " " + spec.positionalSynopsis
    return "usage: " + spec.invocation + options + rest
  }

  /// The whole help for `codex --help`, or a command's own help for `codex CMD --help`.
  public static func help(for id: CommandID) -> String {
    id == .run ? mainHelp : commandHelp(CommandTable.command(id))
  }

  static var mainHelp: String {
    var lines = ["codex — a coding assistant for any model you run or rent", "", usage, ""]
    lines.append("Commands:")
    let visible = CommandTable.commands.filter { !$0.hidden && !$0.words.isEmpty }
    let width = visible.map { commandColumn($0).count }.max() ?? 0
    for spec in visible {
      lines.append("  " + commandColumn(spec).padded(to: width + 2) + spec.summary)
    }
    lines.append("")
    lines.append("Arguments:")
    lines.append(
      "  PROMPT".padded(to: width + 4)
        + "what to do; read from stdin when absent and stdin is not a terminal,")
    lines.append(
      String(repeating: " ", count: width + 4)
        + "and appended to the prompt when both are given (cat f | codex \"explain\")")
    lines.append("")
    lines += optionLines(CommandTable.allowedOptions(for: CommandTable.command(.run)))
    lines += [
      "",
      "Environment:",
      "  CODEX_HOME                 config folder (default ~/.codex)",
      "  DEBUG=1                    show what goes over the wire on stderr (keys redacted)",
      "  NO_COLOR                   no colours",
      "",
      "Run 'codex COMMAND --help' for a command's options.",
    ]
    return lines.joined(separator: "\n")
  }

  static func commandHelp(_ spec: CommandSpec) -> String {
    var lines = [spec.invocation + " — " + spec.summary, "", usage(for: spec.id)]
    let children = CommandTable.children(of: spec.words)
    if !children.isEmpty {
      lines += ["", "Commands:"]
      let width = children.map { commandColumn($0).count }.max() ?? 0
      for child in children {
        lines.append("  " + commandColumn(child).padded(to: width + 2) + child.summary)
      }
    }
    lines.append("")
    lines += optionLines(CommandTable.allowedOptions(for: spec))
    if let extra = extraHelp[spec.id] { lines += ["", extra] }
    return lines.joined(separator: "\n")
  }

  /// Notes a command's help adds after its options.
  static let extraHelp: [CommandID: String] = [
    .completion: """
    Install:
      bash  echo 'eval "$(codex completion bash)"' >> ~/.bashrc
      zsh   echo 'eval "$(codex completion zsh)"' >> ~/.zshrc
      fish  codex completion fish > ~/.config/fish/completions/codex.fish
    """
  ]

  static func commandColumn(_ spec: CommandSpec) -> String {
    let rest = spec.positionalSynopsis
    return (spec.words + (rest.isEmpty ? [] : [rest])).joined(separator: " ")
  }

  static func optionLines(_ options: [OptionSpec]) -> [String] {
    // A synopsis longer than the column gets its summary on the next line.
    let width = 30
    var lines = ["Options:"]
    for option in options where !option.hidden {
      var summary = option.summary
      if case .choice(_, let choices)? = option.value {
        summary += ": " + choices.joined(separator: " | ")
      }
      if option.synopsis.count < width {
        lines.append("  " + option.synopsis.padded(to: width) + summary)
      } else {
        lines.append("  " + option.synopsis)
        lines.append("  " + String(repeating: " ", count: width) + summary)
      }
    }
    return lines
  }
}
