/// Every config key `codex` understands, declared once with its type and meaning. The
/// interpreter's typed reads check their path and type against this table (a read of an
/// undeclared key is an internal error that any test reading the key catches), the unknown-key
/// warnings and their "did you mean" come from it, and so do the ranges and choices in error
/// messages. A new key is one row here and one read in `ConfigInterpreter`.
public indirect enum ConfigType: Sendable {
  case string
  case bool
  case integer(ClosedRange<Int64>)
  case number(ClosedRange<Double>)
  case stringArray
  case choice([String])
  /// A table of string values under any names (`http_headers`).
  case stringTable
  /// A table with these keys.
  case table([ConfigKey])
  /// A table with these keys, where any other key is an option passed through unchecked
  /// (`[models."NAME"]`: `price` is ours, `num_ctx` is the server's).
  case tableWithOptions([ConfigKey])
  /// A table under any names, each of this type (`model_providers.ID`).
  case map(ConfigType)
  /// The top-level keys again (`profiles.NAME`).
  case profile
  /// Anything below is accepted unchecked (server options passed through, tables codex-rs has
  /// that we do not interpret).
  case opaque
  /// A value of any type, accepted and ignored (codex-rs keys with no meaning here).
  case ignored
}

public struct ConfigKey: Sendable {
  public let name: String
  public let type: ConfigType
  public let summary: String

  public init(_ name: String, _ type: ConfigType, _ summary: String) {
    self.name = name
    self.type = type
    self.summary = summary
  }
}

public enum ConfigSchema {
  static let intMax = Int64.max

  public static let provider: [ConfigKey] =
    [
      ConfigKey("name", .string, "display name"),
      ConfigKey("base_url", .string, "base URL of the API"),
      ConfigKey("env_key", .string, "environment variable holding the API key"),
      ConfigKey("env_key_instructions", .string, "shown when the key is missing"),
      ConfigKey("wire_api", .choice(WireAPI.allCases.map(\.rawValue)), "the protocol it speaks"),
      ConfigKey(
        "flavor", .choice(ServerFlavor.allCases.map(\.rawValue)),
        "the server's habits on a shared wire"),
      ConfigKey("query_params", .stringTable, "query parameters added to every request"),
      ConfigKey("http_headers", .stringTable, "headers added to every request"),
      ConfigKey("env_http_headers", .stringTable, "headers whose values come from variables"),
      ConfigKey("request_max_retries", .integer(0...100), "retries of a failed request"),
      ConfigKey("stream_max_retries", .integer(0...100), "retries of a dropped stream"),
      ConfigKey("stream_idle_timeout_ms", .integer(1...intMax), "silence before giving up"),
      ConfigKey("requires_openai_auth", .ignored, "codex-rs: ChatGPT login (not used)"),
      ConfigKey("model_options", .opaque, "options sent with every request"),
      ConfigKey("text_tool_calls", .bool, "accept tool calls printed as text"),
      ConfigKey("chat_template", .string, "prompt template for the native TGI wire"),
      ConfigKey("default_model", .string, "model when none is configured"),
    ] + ProviderLimits.schema

  public static let sandboxWorkspaceWrite: [ConfigKey] = [
    ConfigKey("writable_roots", .stringArray, "more folders commands may write"),
    ConfigKey("network_access", .bool, "let sandboxed commands use the network"),
    ConfigKey("exclude_tmpdir_env_var", .bool, "do not make $TMPDIR writable"),
    ConfigKey("exclude_slash_tmp", .bool, "do not make /tmp writable"),
  ]

  public static let shellEnvironmentPolicy: [ConfigKey] = [
    ConfigKey("inherit", .choice(["all", "core", "none"]), "which variables commands inherit"),
    ConfigKey("ignore_default_excludes", .bool, "keep variables named like secrets"),
    ConfigKey("exclude", .stringArray, "glob patterns of variables to drop"),
    ConfigKey("include_only", .stringArray, "glob patterns of the only variables to keep"),
    ConfigKey("set", .stringTable, "variables to set"),
    ConfigKey("experimental_use_profile", .ignored, "codex-rs (not used)"),
  ]

  /// `price = { input = 1.25, cached_input = 0.125, output = 10 }`: US dollars per million
  /// tokens.
  public static let price: [ConfigKey] = [
    ConfigKey("input", .number(0...1_000_000), "per million input tokens"),
    ConfigKey("cached_input", .number(0...1_000_000), "per million cached input tokens"),
    ConfigKey("output", .number(0...1_000_000), "per million output tokens"),
  ]

  /// `[models."NAME"]`: these keys, and options sent to the server for that model.
  public static let model: [ConfigKey] = [
    ConfigKey("price", .table(price), "token prices in US dollars per million tokens")
  ]

  public static let history: [ConfigKey] = [
    ConfigKey("persistence", .choice(["save-all", "none"]), "whether prompts are saved"),
    ConfigKey("max_bytes", .integer(0...intMax), "size limit of history.jsonl"),
  ]

  /// `[mcp_servers.NAME]`, codex-rs's keys plus `approve` and `[...tools.TOOL] approve`.
  public static let mcpServer: [ConfigKey] = [
    ConfigKey("command", .string, "program that runs a stdio server"),
    ConfigKey("args", .stringArray, "its arguments"),
    ConfigKey("env", .stringTable, "variables set for it"),
    ConfigKey("env_vars", .stringArray, "our variables passed on to it"),
    ConfigKey("cwd", .string, "its working directory"),
    ConfigKey("url", .string, "a streamable HTTP server's endpoint"),
    ConfigKey("bearer_token_env_var", .string, "variable holding its bearer token"),
    ConfigKey("http_headers", .stringTable, "headers sent to it"),
    ConfigKey("env_http_headers", .stringTable, "headers whose values come from variables"),
    ConfigKey("enabled", .bool, "start it (default true)"),
    ConfigKey("startup_timeout_sec", .number(0.001...86_400), "wait for it at most (10)"),
    ConfigKey("startup_timeout_ms", .integer(1...86_400_000), "older spelling, milliseconds"),
    ConfigKey("tool_timeout_sec", .number(0.001...86_400), "longest tool call (60)"),
    ConfigKey("enabled_tools", .stringArray, "offer only these tools"),
    ConfigKey("disabled_tools", .stringArray, "never offer these tools"),
    ConfigKey(
      "approve", .choice(MCPApprovalSetting.allCases.map(\.rawValue)),
      "always: never ask for its calls; ask: ask for every call"),
    ConfigKey(
      "tools",
      .map(
        .table([
          ConfigKey(
            "approve", .choice(MCPApprovalSetting.allCases.map(\.rawValue)),
            "this tool's approval")
        ])), "settings per tool"),
  ]

  /// Keys at the top level of the file, and inside `[profiles.NAME]`.
  public static let topLevel: [ConfigKey] =
    [
      ConfigKey("model", .string, "the model to use"),
      ConfigKey("model_provider", .string, "the provider id"),
      ConfigKey("custom_model", .string, "alias of model"),
      ConfigKey("custom_model_provider", .string, "alias of model_provider"),
      ConfigKey(
        "approval_policy", .choice(ApprovalPolicy.allCases.map(\.rawValue)),
        "when to ask before running a command"),
      ConfigKey(
        "sandbox_mode", .choice(SandboxMode.allCases.map(\.rawValue)), "what commands may write"),
      ConfigKey(
        "sandbox_workspace_write", .table(sandboxWorkspaceWrite), "workspace-write settings"),
      ConfigKey("profile", .string, "the profile to use"),
      ConfigKey("profiles", .map(.profile), "named sets of settings"),
      ConfigKey("model_providers", .map(.table(provider)), "providers by id"),
      ConfigKey(
        "shell_environment_policy", .table(shellEnvironmentPolicy), "the environment of commands"),
      ConfigKey("history", .table(history), "the prompt history"),
      ConfigKey("notify", .stringArray, "program run after each turn"),
      ConfigKey("instructions", .string, "instructions added to every session"),
      ConfigKey("hide_agent_reasoning", .bool, "do not show the model's reasoning"),
      ConfigKey("model_context_window", .integer(1...intMax), "the model's context window, tokens"),
      ConfigKey("model_max_output_tokens", .integer(1...intMax), "output token limit"),
      ConfigKey(
        "model_auto_compact_token_limit", .integer(1...intMax),
        "compact the conversation before it grows past this many tokens"),
      ConfigKey("project_doc_max_bytes", .integer(0...intMax), "how much of AGENTS.md is sent"),
      ConfigKey("model_options", .opaque, "options sent with every request"),
      ConfigKey("models", .map(.tableWithOptions(model)), "prices and options per model name"),
      ConfigKey(
        "fallback", .stringArray,
        "PROVIDER/MODEL entries tried in order when the provider in use is down"),
      ConfigKey("mcp_servers", .map(.table(mcpServer)), "MCP servers by name"),
      ConfigKey("serve", .table(ServeSettings.schema), "`codex serve`: the local endpoint"),
      ConfigKey(LegacyConfig.approvalModeKey, .ignored, "the older CLI's approvalMode"),
    ] + codexRSOnly

  /// codex-rs keys that mean nothing here: accepted so shared config files do not warn.
  static let codexRSOnly: [ConfigKey] = [
    "show_raw_agent_reasoning", "model_reasoning_effort", "model_reasoning_summary",
    "model_verbosity", "disable_response_storage", "file_opener", "tui", "projects", "tools",
    "preferred_auth_method", "chatgpt_base_url", "model_supports_reasoning_summaries",
    "experimental_instructions_file", "features", "review_model", "forced_login_method", "otel",
    "notice", "experimental_use_exec_command_tool", "windows_wsl_setup_acknowledged",
    "trust_level",
  ].map { ConfigKey($0, .opaque, "codex-rs (not used)") }

  /// What the schema says about one path.
  public enum Lookup {
    case declared(ConfigKey)
    /// Below an opaque or ignored key: anything goes.
    case unchecked
    /// Not a known key; the closest known spelling at that level, if any.
    case unknown(suggestion: String?)
  }

  /// The declaration for `path` (`["model_providers", "ollama", "base_url"]`).
  public static func lookup(_ path: [String]) -> Lookup {
    var level: [ConfigKey] = topLevel
    var index = 0
    while index < path.count {
      let name = path[index]
      guard let key = level.first(where: { $0.name == name }) else {
        return .unknown(suggestion: suggestion(for: name, among: level.map(\.name)))
      }
      if index == path.count - 1 { return .declared(key) }
      index += 1
      var type = key.type
      // A map consumes one free name (the provider id, the profile name) and continues.
      if case .map(let element) = type {
        if index == path.count - 1 {
          return .declared(ConfigKey(path[index], element, key.summary))
        }
        index += 1
        type = element
      }
      switch type {
      case .table(let keys): level = keys
      case .tableWithOptions(let keys):
        guard keys.contains(where: { $0.name == path[index] }) else { return .unchecked }
        level = keys
      case .profile: level = topLevel
      case .opaque, .ignored: return .unchecked
      case .stringTable:
        return index == path.count - 1
          ? .declared(ConfigKey(path[index], .string, key.summary)) : .unchecked
      default:
        return .unknown(suggestion: nil)  // a scalar has no keys below it
      }
    }
    return .unchecked
  }

  /// The declared type of `path`, nil when it is not declared.
  public static func type(of path: [String]) -> ConfigType? {
    if case .declared(let key) = lookup(path) { return key.type }
    return nil
  }

  /// Problems with unknown keys: (path, the nearest known key or nil).
  static func unknownKeys(in layers: ConfigLayers) -> [(path: [String], suggestion: String?)] {
    var out: [(path: [String], suggestion: String?)] = []
    var reported: Set<[String]> = []
    for path in layers.paths {
      for depth in 1...path.count {
        let prefix = Array(path.prefix(depth))
        if case .unknown(let suggestion) = lookup(prefix) {
          if reported.insert(prefix).inserted { out.append((prefix, suggestion)) }
          break
        }
        if case .unchecked = lookup(prefix) { break }
      }
    }
    return out
  }

  static func suggestion(for key: String, among known: [String]) -> String? {
    let scored = known.map { ($0, editDistance(key.lowercased(), $0)) }
      .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
    guard let best = scored.first else { return nil }
    // camelCase spellings from the older CLI (`approvalMode`) are close enough after folding.
    let limit = max(2, key.count / 3)
    return best.1 <= limit ? best.0 : nil
  }

  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8)
    let b = Array(b.utf8)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      cur[0] = i
      for j in 1...b.count {
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&prev, &cur)
    }
    return prev[b.count]
  }
}
