/// Every command and option of `codex`, declared once. The parser, `--help`, the usage line and
/// the shell completion scripts are all generated from these two tables, so a new command or
/// flag is one row here (plus its handler in `CLI.dispatch`, which the compiler makes exhaustive).

/// What a value-taking option's argument is, for help text and completion.
public enum ValueKind: Sendable, Equatable {
  /// Free text, shown as the metavariable (`MODEL`).
  case text(String)
  /// One of a fixed list.
  case choice(String, [String])
  case file(String)
  case directory(String)
  /// A provider id (built in or from the config).
  case provider
  /// A profile name from the config.
  case profile
  /// A model name (from the configured provider's list, cached).
  case model
  /// A configured MCP server name.
  case mcpServer

  public var metavariable: String {
    switch self {
    case .text(let m), .choice(let m, _), .file(let m), .directory(let m): return m
    case .provider: return "ID"
    case .profile: return "NAME"
    case .model: return "MODEL"
    case .mcpServer: return "NAME"
    }
  }
}

/// The identity of an option, whatever its spelling.
public enum OptionID: String, Sendable, CaseIterable {
  case model, provider, providerURL, profile, config, approval, sandbox, fullAuto, bypass, cd
  case addDir, oss, json, outputLastMessage, interactive, help, version, last
  case host, port, apiKey
  case env, url
  case probe
}

public struct OptionSpec: Sendable {
  public let id: OptionID
  /// Every spelling; the long one is shown in help (short ones first).
  public let names: [String]
  /// nil: a switch that takes no value.
  public let value: ValueKind?
  public let summary: String
  /// May be given more than once (`-c a=1 -c b=2`).
  public let repeats: Bool
  /// Accepted but not listed in help (aliases kept for compatibility).
  public let hidden: Bool

  init(
    _ id: OptionID, _ names: [String], _ value: ValueKind? = nil, _ summary: String,
    repeats: Bool = false, hidden: Bool = false
  ) {
    self.id = id
    self.names = names
    self.value = value
    self.summary = summary
    self.repeats = repeats
    self.hidden = hidden
  }

  /// `-m, --model MODEL`.
  public var synopsis: String {
    let short = names.filter { !$0.hasPrefix("--") }
    let long = names.filter { $0.hasPrefix("--") }
    var s = (short.isEmpty ? "    " : short.joined(separator: ", ") + ", ")
    s += long.prefix(1).joined()
    if let value { s += " " + value.metavariable }
    return s
  }
}

/// The identity of a command; `CLI.dispatch` switches over it.
public enum CommandID: String, Sendable, CaseIterable {
  case run, exec, resume
  case configEdit, configShow, configPath
  case completion
  /// `codex serve`: the local OpenAI- and Anthropic-compatible endpoint.
  case serve
  case models, doctor, pull
  /// `codex __complete KIND`: the values completion scripts ask for at Tab time.
  case complete
  case help, version
  case mcp, mcpList, mcpGet, mcpAdd, mcpRemove
}

/// What follows the command words.
public enum Positionals: Sendable, Equatable {
  case none
  /// Words joined with spaces (`codex write a function`).
  case prompt
  /// At most one value.
  case optional(String, ValueKind)
  /// Exactly one value.
  case required(String, ValueKind)
  /// A leading value, then a prompt (`codex resume ID more to say`).
  case leadingThenPrompt(String, ValueKind)
  /// A required value, then a program and its arguments after `--`
  /// (`codex mcp add NAME -- COMMAND ARGS...`).
  case leadingThenCommand(String, ValueKind)
}

public struct CommandSpec: Sendable {
  public let id: CommandID
  /// The words that select it (`["config", "show"]`); empty for the default command.
  public let words: [String]
  /// Other spellings of the words (`exec` is also `e`).
  public let aliases: [[String]]
  public let positionals: Positionals
  public let summary: String
  public let options: [OptionID]
  /// Not listed in help or completions.
  public let hidden: Bool

  init(
    _ id: CommandID, _ words: [String], aliases: [[String]] = [], _ positionals: Positionals,
    _ summary: String, options: [OptionID], hidden: Bool = false
  ) {
    self.id = id
    self.words = words
    self.aliases = aliases
    self.positionals = positionals
    self.summary = summary
    self.options = options
    self.hidden = hidden
  }

  /// `codex config show`.
  public var invocation: String { (["codex"] + words).joined(separator: " ") }

  public var positionalSynopsis: String {
    switch positionals {
    case .none: return ""
    case .prompt: return "[PROMPT]"
    case .optional(let name, _): return "[\(name)]"
    case .required(let name, _): return name
    case .leadingThenPrompt(let name, _): return "[\(name)] [PROMPT]"
    case .leadingThenCommand(let name, _): return "\(name) [-- COMMAND [ARGS...]]"
    }
  }
}

public enum CommandTable {
  /// Options that choose the model, provider, policy and sandbox: every command that builds a
  /// session or reads the effective configuration takes them.
  static let configOptions: [OptionID] = [
    .model, .provider, .providerURL, .profile, .config, .approval, .sandbox, .fullAuto, .bypass,
    .cd, .addDir, .oss,
  ]
  static let sessionOptions: [OptionID] = configOptions + [.json, .outputLastMessage]

  public static let options: [OptionSpec] = [
    OptionSpec(
      .model, ["-m", "--model"], .model, "model to use (PROVIDER/MODEL routes to that provider)"),
    OptionSpec(.provider, ["--provider"], .provider, "provider id (built in or from config.toml)"),
    OptionSpec(
      .providerURL, ["--provider-url"], .text("URL"),
      "base URL of the server (OpenAI-compatible unless --provider says otherwise)"),
    OptionSpec(.profile, ["-p", "--profile"], .profile, "use [profiles.NAME] from the config"),
    OptionSpec(
      .config, ["-c", "--config"], .text("KEY=VALUE"),
      "override a config key for this run (value parsed as TOML)", repeats: true),
    OptionSpec(
      .approval, ["-a", "--ask-for-approval"],
      .choice("POLICY", ["untrusted", "on-failure", "on-request", "never"]),
      "when to ask before running a command"),
    OptionSpec(
      .sandbox, ["-s", "--sandbox"],
      .choice("MODE", ["read-only", "workspace-write", "danger-full-access"]),
      "what commands may write"),
    OptionSpec(.fullAuto, ["--full-auto"], nil, "-a on-request -s workspace-write"),
    OptionSpec(
      .bypass, ["--dangerously-bypass-approvals-and-sandbox", "--yolo"], nil,
      "run every command without asking and without a sandbox"),
    OptionSpec(.cd, ["-C", "--cd"], .directory("DIR"), "work in DIR"),
    OptionSpec(
      .addDir, ["--add-dir"], .directory("DIR"),
      "another writable folder for the workspace-write sandbox", repeats: true),
    OptionSpec(.oss, ["--oss"], nil, "use the local Ollama provider"),
    OptionSpec(.json, ["--json"], nil, "print JSON (events as JSON lines for a session)"),
    OptionSpec(
      .outputLastMessage, ["-o", "--output-last-message"], .file("FILE"),
      "write the final answer to FILE"),
    OptionSpec(
      .interactive, ["-i", "--interactive"], nil,
      "start an interactive session (with PROMPT as the first message)"),
    OptionSpec(.last, ["--last"], nil, "the most recent session"),
    OptionSpec(.host, ["--host"], .text("ADDRESS"), "address to listen on"),
    OptionSpec(.port, ["--port"], .text("PORT"), "port to listen on"),
    OptionSpec(.apiKey, ["--api-key"], .text("KEY"), "key clients must send"),
    OptionSpec(.env, ["--env"], .text("KEY=VALUE"), "environment variable", repeats: true),
    OptionSpec(.url, ["--url"], .text("URL"), "URL of the server"),
    OptionSpec(.probe, ["--probe"], nil, "also send one tiny real request"),
    OptionSpec(.help, ["-h", "--help"], nil, "show help"),
    OptionSpec(.version, ["-V", "--version"], nil, "show the version"),
  ]

  public static let commands: [CommandSpec] = [
    CommandSpec(
      .run, [], .prompt,
      "one-shot with a prompt; an interactive session without one on a terminal",
      options: sessionOptions + [.interactive]),
    CommandSpec(
      .exec, ["exec"], aliases: [["e"]], .prompt, "run one prompt non-interactively",
      options: sessionOptions),
    CommandSpec(
      .resume, ["resume"], .leadingThenPrompt("ID", .text("ID")),
      "continue a saved session (--last, an id, or pick one)",
      options: sessionOptions + [.interactive, .last]),
    CommandSpec(
      .configEdit, ["config"], .none, "edit instructions.md and config.toml in $EDITOR",
      options: []),
    CommandSpec(
      .configShow, ["config", "show"], .none,
      "the configuration in effect and where each value came from", options: configOptions),
    CommandSpec(.configPath, ["config", "path"], .none, "the files codex reads", options: []),
    CommandSpec(
      .serve, ["serve"], .none,
      "one local OpenAI- and Anthropic-compatible endpoint in front of every configured provider",
      options: [.host, .port, .apiKey, .model, .provider, .providerURL, .profile, .config]),
    CommandSpec(
      .models, ["models"], .none,
      "the models the provider serves: context window, tools, size, prices",
      options: configOptions + [.json]),
    CommandSpec(
      .doctor, ["doctor"], .none,
      "check the config, the provider (and its fallbacks) and what this machine enforces",
      options: configOptions + [.probe, .json]),
    CommandSpec(
      .pull, ["pull"], .required("MODEL", .model), "download a model into Ollama",
      options: configOptions),
    CommandSpec(
      .completion, ["completion"], .required("SHELL", .choice("SHELL", ["bash", "zsh", "fish"])),
      "print a shell completion script", options: []),
    CommandSpec(
      .complete, ["__complete"],
      .required("KIND", .choice("KIND", CompletionScript.DynamicKind.allCases.map(\.rawValue))),
      "values for shell completion", options: [.profile, .provider], hidden: true),
    CommandSpec(.mcp, ["mcp"], .none, "manage MCP servers (list, get, add, remove)", options: []),
    CommandSpec(
      .mcpList, ["mcp", "list"], .none, "the configured MCP servers", options: [.json]),
    CommandSpec(
      .mcpGet, ["mcp", "get"], .required("NAME", .mcpServer), "one MCP server's settings",
      options: [.json]),
    CommandSpec(
      .mcpAdd, ["mcp", "add"], .leadingThenCommand("NAME", .text("NAME")),
      "add an MCP server to config.toml: -- COMMAND ARGS..., or --url URL",
      options: [.env, .url]),
    CommandSpec(
      .mcpRemove, ["mcp", "remove"], .required("NAME", .mcpServer),
      "remove an MCP server from config.toml", options: []),
    CommandSpec(.help, ["help"], .none, "show help", options: [], hidden: true),
    CommandSpec(.version, ["version"], .none, "show the version", options: [], hidden: true),
  ]

  /// Options every command accepts.
  static let universal: [OptionID] = [.help, .version]

  public static func option(_ id: OptionID) -> OptionSpec {
    // Every OptionID has a row: `CommandTableTests` checks it.
    options.first { $0.id == id } ?? OptionSpec(id, ["--" + id.rawValue], nil, "")
  }

  public static func command(_ id: CommandID) -> CommandSpec {
    commands.first { $0.id == id } ?? commands[0]
  }

  /// The option spelled `name`, if any command has it.
  static func option(named name: String) -> OptionSpec? {
    options.first { $0.names.contains(name) }
  }

  static func allowedOptions(for command: CommandSpec) -> [OptionSpec] {
    (command.options + universal).map(option)
  }

  /// The command whose words (or an alias) are the longest prefix of `words`, and how many
  /// words it took. The default command takes none.
  static func command(matching words: [String]) -> (CommandSpec, Int) {
    var best = (command(.run), 0)
    for spec in commands {
      for spelling in [spec.words] + spec.aliases where !spelling.isEmpty {
        if spelling.count > best.1, words.count >= spelling.count,
          Array(words.prefix(spelling.count)) == spelling
        {
          best = (spec, spelling.count)
        }
      }
    }
    return best
  }

  /// Subcommands directly below `words` (`config` → `show`, `path`), for help and completion.
  static func children(of words: [String]) -> [CommandSpec] {
    commands.filter {
      !$0.hidden && $0.words.count == words.count + 1
        && Array($0.words.prefix(words.count)) == words
    }
  }
}
