import CodexCore

/// What the user asked for on the command line.
public struct CommandLineArguments: Sendable, Equatable {
  public enum Command: Sendable, Equatable {
    /// `codex [PROMPT]`, `codex exec [PROMPT]`, `codex -i [PROMPT]`.
    case run
    case help
    case version
    /// `codex config` (edit), `codex config show`, `codex config path`.
    case config(ConfigAction)
    /// `codex resume [--last | ID]`.
    case resume(ResumeTarget)
  }

  public enum ConfigAction: String, Sendable, Equatable {
    case edit
    case show
    case path
  }

  public enum ResumeTarget: Sendable, Equatable {
    case pick
    case last
    case id(String)
  }

  public var command: Command = .run
  public var prompt: String?
  public var overrides = ConfigOverrides()
  public var json = false
  public var interactive = false
  /// `codex exec`: never interactive, even on a terminal.
  public var exec = false
  public var outputLastMessage: String?

  public init() {}
}

/// A usage mistake: one line, then the usage line, exit code 2.
public struct UsageError: Error, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

public enum ArgumentParser {
  public static let usage =
    "usage: codex [OPTIONS] [PROMPT]  |  codex exec [OPTIONS] [PROMPT]  |  codex config [show|path]  |  codex resume [--last|ID]"

  public static let help = """
    codex — a coding assistant for any model you run or rent

    \(usage)

    Arguments:
      PROMPT                     what to do; read from stdin when absent and stdin is not a terminal,
                                 and appended to the prompt when both are given (cat f | codex "explain")

    Options:
      -m, --model MODEL          model to use (PROVIDER/MODEL routes to a configured provider)
          --provider ID          provider: openai, ollama, vllm, huggingface, lmstudio, llamacpp,
                                 openrouter, groq, mistral, deepseek, ... or one from config.toml
          --provider-url URL     base URL of the server (an OpenAI-compatible one unless --provider says)
      -p, --profile NAME         use [profiles.NAME] from the config
      -c, --config KEY=VALUE     override a config key for this run (value parsed as TOML)
      -a, --ask-for-approval P   untrusted | on-failure | on-request | never
      -s, --sandbox MODE         read-only | workspace-write | danger-full-access
          --full-auto            -a on-request -s workspace-write
          --dangerously-bypass-approvals-and-sandbox
                                 run every command without asking and without a sandbox
      -C, --cd DIR               work in DIR
          --add-dir DIR          another writable folder for the workspace-write sandbox
          --oss                  use the local Ollama provider
          --json                 print events as JSON lines
      -o, --output-last-message FILE
                                 write the final answer to FILE
      -i, --interactive          start an interactive session (with PROMPT as the first message)
      -h, --help                 show this help
          --version              show the version

    Environment:
      CODEX_HOME                 config folder (default ~/.codex)
      DEBUG=1                    show what goes over the wire on stderr (keys redacted)
      NO_COLOR                   no colours
    """

  /// Options that take a value, by every spelling.
  static let valued: [String: String] = [
    "-m": "model", "--model": "model", "--provider": "provider", "--provider-url": "provider-url",
    "-p": "profile", "--profile": "profile", "-c": "config", "--config": "config",
    "-a": "approval", "--ask-for-approval": "approval", "-s": "sandbox", "--sandbox": "sandbox",
    "-C": "cd", "--cd": "cd", "--add-dir": "add-dir", "-o": "output",
    "--output-last-message": "output",
  ]
  static let switches: [String: String] = [
    "--full-auto": "full-auto", "--dangerously-bypass-approvals-and-sandbox": "bypass",
    "--yolo": "bypass", "--oss": "oss", "--json": "json", "-i": "interactive",
    "--interactive": "interactive", "-h": "help", "--help": "help", "--version": "version",
    "-V": "version", "--last": "last",
  ]

  public static func parse(_ args: [String]) throws -> CommandLineArguments {
    var out = CommandLineArguments()
    var positional: [String] = []
    var i = 0
    var onlyPositional = false
    var last = false
    while i < args.count {
      let a = args[i]
      i += 1
      if onlyPositional || a == "-" || !a.hasPrefix("-") {
        positional.append(a)
        continue
      }
      if a == "--" {
        onlyPositional = true
        continue
      }
      var name = a
      var inline: String?
      if a.hasPrefix("--"), let eq = a.firstIndex(of: "=") {
        name = String(a[..<eq])
        inline = String(a[a.index(after: eq)...])
      } else if !a.hasPrefix("--"), a.count > 2, valued[String(a.prefix(2))] != nil {
        // `-mllama3`, `-cmodel=x`
        name = String(a.prefix(2))
        inline = String(a.dropFirst(2))
      }
      if let key = valued[name] {
        let value: String
        if let inline {
          value = inline
        } else {
          guard i < args.count else { throw UsageError("option '\(name)' needs a value") }
          value = args[i]
          i += 1
        }
        try apply(key, value, to: &out, spelled: name)
      } else if let key = switches[name] {
        if inline != nil { throw UsageError("option '\(name)' takes no value") }
        switch key {
        case "full-auto": out.overrides.fullAuto = true
        case "bypass": out.overrides.bypassApprovalsAndSandbox = true
        case "oss": out.overrides.oss = true
        case "json": out.json = true
        case "interactive": out.interactive = true
        case "help": out.command = .help
        case "version": if out.command != .help { out.command = .version }
        case "last": last = true
        default: break
        }
      } else {
        throw UsageError("unknown option '\(name)'" + suggestion(name))
      }
    }

    // Subcommands are the first word, when it is one.
    if out.command == .run, let first = positional.first {
      switch first {
      case "exec", "e":
        out.exec = true
        positional.removeFirst()
      case "config":
        positional.removeFirst()
        let action =
          positional.first.map { CommandLineArguments.ConfigAction(rawValue: $0) } ?? .edit
        guard let action else {
          throw UsageError("unknown config action '\(positional[0])' (expected show or path)")
        }
        if !positional.isEmpty { positional.removeFirst() }
        guard positional.isEmpty else { throw UsageError("unexpected argument '\(positional[0])'") }
        out.command = .config(action)
        return out
      case "resume":
        positional.removeFirst()
        if last {
          out.command = .resume(.last)
        } else if let id = positional.first {
          out.command = .resume(.id(id))
          positional.removeFirst()
        } else {
          out.command = .resume(.pick)
        }
      case "help":
        out.command = .help
        return out
      default: break
      }
    }
    if last, case .run = out.command { throw UsageError("--last goes with 'codex resume'") }
    if !positional.isEmpty { out.prompt = positional.joined(separator: " ") }
    return out
  }

  static func apply(
    _ key: String, _ value: String, to out: inout CommandLineArguments, spelled: String
  )
    throws
  {
    if value.isEmpty { throw UsageError("option '\(spelled)' needs a non-empty value") }
    switch key {
    case "model": out.overrides.model = value
    case "provider": out.overrides.provider = value
    case "provider-url": out.overrides.providerURL = value
    case "profile": out.overrides.profile = value
    case "config":
      guard value.contains("=") else { throw UsageError("-c expects key=value (got '\(value)')") }
      out.overrides.settings.append(value)
    case "approval":
      // The older CLI's names (suggest, auto-edit, full-auto) are accepted too.
      guard let selection = ApprovalModeSelection(userValue: value) else {
        throw UsageError(
          "--ask-for-approval must be one of untrusted, on-failure, on-request, never (got '\(value)')"
        )
      }
      out.overrides.approvalPolicy = selection.policy.rawValue
      if let s = selection.sandbox, out.overrides.sandboxMode == nil {
        out.overrides.sandboxMode = s.rawValue
      }
    case "sandbox":
      guard SandboxMode(rawValue: value) != nil else {
        throw UsageError(
          "--sandbox must be one of read-only, workspace-write, danger-full-access (got '\(value)')"
        )
      }
      out.overrides.sandboxMode = value
    case "cd": out.overrides.cwd = value
    case "add-dir": out.overrides.addDirs.append(value)
    case "output": out.outputLastMessage = value
    default: break
    }
  }

  static func suggestion(_ name: String) -> String {
    let all = Array(valued.keys) + Array(switches.keys)
    let best = all.filter { $0.hasPrefix("--") }.min {
      distance(name, $0) < distance(name, $1)
    }
    if let best, distance(name, best) <= 3 { return "; did you mean '\(best)'?" }
    return ""
  }

  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var prev = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
      var cur = [i] + [Int](repeating: 0, count: b.count)
      for j in 1...max(1, b.count) where !b.isEmpty {
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      prev = cur
    }
    return prev[b.count]
  }
}
