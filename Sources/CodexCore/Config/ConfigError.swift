/// A configuration problem that stops `codex`: one line that names where (file:line:column,
/// the `-c` override or the flag) and what is wrong.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
  public var location: String
  public var message: String

  public init(location: String, message: String) {
    self.location = location
    self.message = message
  }

  public init(_ origin: ConfigOrigin?, _ message: String) {
    self.location = origin.map(Self.locate) ?? ""
    self.message = message
  }

  public var description: String { location.isEmpty ? message : "\(location): \(message)" }

  static func locate(_ origin: ConfigOrigin) -> String {
    switch origin {
    case .file(let path, let pos): return "\(path):\(pos.line):\(pos.column)"
    case .override(let text): return "-c \(text)"
    case .flag(let f): return f
    case .environment(let v): return "$\(v)"
    case .builtIn: return "default"
    }
  }
}

/// The keys `codex` understands, for "unknown key" warnings with a suggestion. Tables whose
/// contents we pass over (MCP servers, TUI settings) accept anything below them.
enum ConfigSchema {
  /// Keys valid at the top level and inside `[profiles.NAME]`.
  static let topLevel: Set<String> = [
    "model", "model_provider", "custom_model", "custom_model_provider", "approval_policy",
    "sandbox_mode", "sandbox_workspace_write", "profile", "profiles", "model_providers",
    "shell_environment_policy", "history", "notify", "instructions", "hide_agent_reasoning",
    "show_raw_agent_reasoning", "model_reasoning_effort", "model_reasoning_summary",
    "model_verbosity", "model_context_window", "model_max_output_tokens", "project_doc_max_bytes",
    "disable_response_storage", "file_opener", "mcp_servers", "tui", "projects", "tools",
    "model_options", "models", "preferred_auth_method", "chatgpt_base_url",
    "model_supports_reasoning_summaries", "experimental_instructions_file", "features",
    "review_model", "forced_login_method", "otel", "notice", "experimental_use_exec_command_tool",
    "model_auto_compact_token_limit", "windows_wsl_setup_acknowledged", "trust_level",
    LegacyConfig.approvalModeKey,
  ]
  /// Tables we accept but do not interpret.
  static let opaque: Set<String> = [
    "tui", "projects", "tools", "features", "otel", "notice",
  ]
  static let provider: Set<String> = [
    "name", "base_url", "env_key", "env_key_instructions", "wire_api", "query_params",
    "http_headers", "env_http_headers", "request_max_retries", "stream_max_retries",
    "stream_idle_timeout_ms", "requires_openai_auth", "model_options", "text_tool_calls",
    "chat_template", "flavor", "default_model",
  ]
  static let sandboxWorkspaceWrite: Set<String> = [
    "writable_roots", "network_access", "exclude_tmpdir_env_var", "exclude_slash_tmp",
  ]
  static let shellEnvironmentPolicy: Set<String> = [
    "inherit", "ignore_default_excludes", "exclude", "set", "include_only",
    "experimental_use_profile",
  ]
  static let history: Set<String> = ["persistence", "max_bytes"]
  static let mcpServer: Set<String> = [
    "command", "args", "env", "env_vars", "cwd", "url", "bearer_token_env_var", "http_headers",
    "env_http_headers", "enabled", "startup_timeout_sec", "startup_timeout_ms",
    "tool_timeout_sec", "enabled_tools", "disabled_tools", "approve", "tools",
  ]

  enum Level {
    /// The key must be one of these.
    case keys(Set<String>)
    /// Any key (a provider id, a profile or model name); what is below it is checked.
    case any
    /// Free-form from here down (headers, options, tables we pass over).
    case opaque
  }

  /// What is allowed for the last key of `path`.
  static func level(of path: [String]) -> Level {
    var p = path
    if p.count >= 2, p[0] == "profiles" {
      if p.count == 2 { return .any }
      p = Array(p.dropFirst(2))
    }
    guard let first = p.first else { return .opaque }
    if p.count == 1 { return .keys(topLevel) }
    if opaque.contains(first) { return .opaque }
    switch (p.count, first) {
    case (2, "sandbox_workspace_write"): return .keys(sandboxWorkspaceWrite)
    case (2, "shell_environment_policy"): return .keys(shellEnvironmentPolicy)
    case (2, "history"): return .keys(history)
    case (2, "model_providers"), (2, "models"), (2, "mcp_servers"): return .any
    case (3, "model_providers"): return .keys(provider)
    case (3, "mcp_servers"): return .keys(mcpServer)
    case (4, "mcp_servers") where p[2] == "tools": return .any
    case (5, "mcp_servers") where p[2] == "tools": return .keys(["approve"])
    default: return .opaque
    }
  }

  /// Problems with unknown keys: (path, the nearest known key or nil).
  static func unknownKeys(in layers: ConfigLayers) -> [(path: [String], suggestion: String?)] {
    var out: [(path: [String], suggestion: String?)] = []
    var seen: Set<[String]> = []
    for path in layers.paths {
      walk: for depth in 1...path.count {
        let prefix = Array(path.prefix(depth))
        guard seen.insert(prefix).inserted else { continue }
        switch level(of: prefix) {
        case .opaque: break walk
        case .any: continue
        case .keys(let known):
          let key = prefix[depth - 1]
          if !known.contains(key) {
            out.append((prefix, suggestion(for: key, among: known)))
            break walk
          }
        }
      }
    }
    return out
  }

  static func suggestion(for key: String, among known: Set<String>) -> String? {
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
