import CodexCore

/// What the user asked for on the command line: the command, its option values and positional
/// words, as `CommandLineParser` read them from `CommandTable`.
public struct CommandLineArguments: Sendable, Equatable {
  public var command: CommandID = .run
  /// The positional words after the command words, and after `--`.
  public var positionals: [String] = []
  /// Values of value-taking options, in order (several for repeatable ones).
  public var values: [OptionID: [String]] = [:]
  /// Switches that were given.
  public var switches: Set<OptionID> = []

  public init() {}

  public func has(_ id: OptionID) -> Bool { switches.contains(id) }
  public func value(_ id: OptionID) -> String? { values[id]?.last }
  public func all(_ id: OptionID) -> [String] { values[id] ?? [] }

  /// The prompt: the positional words joined, nil when there are none. For `codex resume ID
  /// PROMPT` the first word is the session, unless `--last` names it.
  public var prompt: String? {
    var words = positionals[...]
    if command == .resume, !has(.last) { words = words.dropFirst() }
    return words.isEmpty ? nil : words.joined(separator: " ")
  }
  public var json: Bool { has(.json) }
  public var interactive: Bool { has(.interactive) }
  /// `codex exec`: never interactive, even on a terminal.
  public var exec: Bool { command == .exec }
  public var outputLastMessage: String? { value(.outputLastMessage) }

  /// The configuration the flags ask for.
  public var overrides: ConfigOverrides {
    var o = ConfigOverrides()
    o.model = value(.model)
    o.provider = value(.provider)
    o.providerURL = value(.providerURL)
    o.profile = value(.profile)
    o.settings = all(.config)
    if let a = value(.approval), let selection = ApprovalModeSelection(userValue: a) {
      o.approvalPolicy = selection.policy.rawValue
      // A preset's sandbox (`-a full-auto`) applies only when -s does not say otherwise.
      if let s = selection.sandbox { o.sandboxMode = s.rawValue }
    }
    if let s = value(.sandbox) { o.sandboxMode = s }
    o.fullAuto = has(.fullAuto)
    o.bypassApprovalsAndSandbox = has(.bypass)
    o.cwd = value(.cd)
    o.oss = has(.oss)
    o.addDirs = all(.addDir)
    return o
  }

  /// `codex resume`: which session.
  public enum ResumeTarget: Sendable, Equatable {
    case pick
    case last
    case id(String)
  }

  public var resumeTarget: ResumeTarget {
    if has(.last) { return .last }
    if let id = positionals.first { return .id(id) }
    return .pick
  }
}

/// A usage mistake: one line, then the usage line, exit code 2.
public struct UsageError: Error, Equatable, CustomStringConvertible {
  public var message: String
  /// The command it concerns, for the usage line printed after it.
  public var command: CommandID
  public init(_ message: String, command: CommandID = .run) {
    self.message = message
    self.command = command
  }
  public var description: String { message }
}
