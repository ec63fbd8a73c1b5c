import CodexCore

/// Reads `argv` with `CommandTable`: options may come before or after the command words and the
/// positionals, `--` ends the options, `--name=value`, `-m value` and `-mvalue` all work, and
/// every mistake is one `UsageError` line naming the option and, where it helps, the fix.
public enum CommandLineParser {
  public static func parse(_ args: [String]) throws -> CommandLineArguments {
    // Pass 1: split options from words, knowing each option's arity from the whole table (an
    // option's arity is the same for every command: `CommandTableTests` checks it).
    var words: [String] = []
    var given: [(spec: OptionSpec, spelled: String, value: String?)] = []
    var index = 0
    var afterDoubleDash: [String]? = nil
    while index < args.count {
      let arg = args[index]
      index += 1
      if arg == "--" {
        afterDoubleDash = Array(args[index...])
        break
      }
      if arg == "-" || !arg.hasPrefix("-") {
        words.append(arg)
        continue
      }
      var name = arg
      var inline: String?
      if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
        name = String(arg[..<eq])
        inline = String(arg[arg.index(after: eq)...])
      } else if !arg.hasPrefix("--"), arg.count > 2,
        let short = CommandTable.option(named: String(arg.prefix(2))), short.value != nil
      {
        name = String(arg.prefix(2))  // `-mllama3`, `-cmodel=x`
        inline = String(arg.dropFirst(2))
      }
      guard let spec = CommandTable.option(named: name) else {
        throw UsageError("unknown option '\(name)'" + suggestion(for: name))
      }
      if spec.value == nil {
        if inline != nil { throw UsageError("option '\(name)' takes no value") }
        given.append((spec, name, nil))
        continue
      }
      let value: String
      if let inline {
        value = inline
      } else {
        guard index < args.count else { throw UsageError("option '\(name)' needs a value") }
        value = args[index]
        index += 1
      }
      given.append((spec, name, value))
    }

    // Pass 2: the command is the longest run of leading words that names one.
    var out = CommandLineArguments()
    let (command, taken) = CommandTable.command(matching: words)
    out.command = command.id
    out.positionals = Array(words.dropFirst(taken)) + (afterDoubleDash ?? [])
    if command.id == .help {
      // `codex help serve`: help for that command.
      let (topic, used) = CommandTable.command(matching: out.positionals)
      out.command = used > 0 ? topic.id : .run
      out.switches.insert(.help)
      out.positionals = []
      return out
    }

    let allowed = CommandTable.allowedOptions(for: command)
    for (spec, spelled, value) in given {
      guard allowed.contains(where: { $0.id == spec.id }) else {
        throw UsageError(
          "option '\(spelled)' does not apply to '\(command.invocation)'", command: command.id)
      }
      guard let value else {
        out.switches.insert(spec.id)
        continue
      }
      try check(value, of: spec, spelled: spelled, command: command.id)
      if spec.repeats {
        out.values[spec.id, default: []].append(value)
      } else {
        out.values[spec.id] = [value]
      }
    }
    if out.has(.help) || out.has(.version) { return out }

    try checkPositionals(out.positionals, of: command)
    return out
  }

  static func check(_ value: String, of spec: OptionSpec, spelled: String, command: CommandID)
    throws
  {
    if value.isEmpty {
      throw UsageError("option '\(spelled)' needs a non-empty value", command: command)
    }
    switch spec.id {
    case .approval:
      // The older CLI's names (suggest, auto-edit, full-auto) are accepted too.
      guard ApprovalModeSelection(userValue: value) != nil else {
        throw UsageError(
          "--ask-for-approval must be one of untrusted, on-failure, on-request, never (got '\(value)')",
          command: command)
      }
      return
    case .config:
      guard value.contains("=") else {
        throw UsageError("-c expects key=value (got '\(value)')", command: command)
      }
    case .env:
      guard let eq = value.firstIndex(of: "="), eq != value.startIndex else {
        throw UsageError("--env expects KEY=VALUE (got '\(value)')", command: command)
      }
    case .port:
      guard let port = Int(value), (0...65535).contains(port) else {
        throw UsageError(
          "--port must be a number from 0 to 65535 (got '\(value)')", command: command)
      }
    default:
      break
    }
    if case .choice(_, let choices)? = spec.value, !choices.contains(value) {
      let long = spec.names.last ?? spelled
      throw UsageError(
        "\(long) must be one of \(choices.joined(separator: ", ")) (got '\(value)')",
        command: command)
    }
  }

  static func checkPositionals(_ words: [String], of command: CommandSpec) throws {
    switch command.positionals {
    case .prompt, .leadingThenPrompt:
      return
    case .leadingThenCommand(let name, _):
      if words.isEmpty {
        throw UsageError("'\(command.invocation)' needs \(name)", command: command.id)
      }
    case .none:
      if let first = words.first {
        let children = CommandTable.children(of: command.words)
        if !children.isEmpty {
          let names = children.compactMap(\.words.last).joined(separator: ", ")
          throw UsageError(
            "unknown \(command.invocation) command '\(first)' (expected \(names))",
            command: command.id)
        }
        throw UsageError(
          "unexpected argument '\(first)' for '\(command.invocation)'", command: command.id)
      }
    case .optional(let name, let kind), .required(let name, let kind):
      if case .required = command.positionals, words.isEmpty {
        throw UsageError("'\(command.invocation)' needs \(name)", command: command.id)
      }
      if words.count > 1 {
        throw UsageError(
          "unexpected argument '\(words[1])' for '\(command.invocation)'", command: command.id)
      }
      if let word = words.first, case .choice(_, let choices) = kind, !choices.contains(word) {
        throw UsageError(
          "\(name) must be one of \(choices.joined(separator: ", ")) (got '\(word)')",
          command: command.id)
      }
    }
  }

  static func suggestion(for name: String) -> String {
    let longNames = CommandTable.options.flatMap(\.names).filter { $0.hasPrefix("--") }
    let best = longNames.min { distance(name, $0) < distance(name, $1) }
    if let best, distance(name, best) <= 3 { return "; did you mean '\(best)'?" }
    return ""
  }

  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + [Int](repeating: 0, count: b.count)
      for j in 1...b.count {
        current[j] = min(
          previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return previous[b.count]
  }
}
