/// `codex config show`: the effective configuration as TOML, each value followed by where it
/// came from. Secrets are redacted (`Redaction`): header values whose names suggest a credential,
/// `user:password@` and secret parameters in URLs, and secret-looking query parameters.
public enum ConfigReport {
  /// `environment` tells whether the provider's key variable is set (its value is never shown).
  public static func render(_ c: Config, environment: [String: String] = [:]) -> String {
    var lines: [String] = []
    func line(_ key: String, _ value: String, _ originKey: String? = nil) {
      let origin = c.origins[originKey ?? key]?.description ?? "default"
      lines.append("\(key) = \(value)  # \(origin)")
    }
    line("model", JSON.quoted(c.model.isEmpty ? "(asked from the server)" : c.model))
    line("model_provider", JSON.quoted(c.provider.id))
    line("approval_policy", JSON.quoted(c.approvalPolicy.rawValue))
    line("sandbox_mode", JSON.quoted(c.sandboxMode.rawValue))
    if !c.fallbacks.isEmpty {
      line(
        "fallback",
        "[" + c.fallbacks.map { JSON.quoted($0.description) }.joined(separator: ", ") + "]")
    }
    lines.append("# working directory: \(c.cwd)")
    lines.append("# config folder: \(c.codexHome)")
    lines.append("")
    let p = c.provider
    let prefix = "model_providers.\(p.id)"
    lines.append("[model_providers.\(tomlKey(p.id))]")
    func pline(_ key: String, _ value: String) {
      let origin = c.origins["\(prefix).\(key)"]?.description ?? "built-in"
      lines.append("\(key) = \(value)  # \(origin)")
    }
    pline("name", JSON.quoted(p.name))
    if c.origins["base_url"] != nil {
      lines.append(
        "base_url = \(JSON.quoted(Redaction.url(p.baseURL)))  # \(c.origins["base_url"]?.description ?? "")"
      )
    } else {
      pline("base_url", JSON.quoted(Redaction.url(p.baseURL)))
    }
    pline("wire_api", JSON.quoted(p.wire.rawValue))
    if let env = p.envKey {
      let state = p.requiresKey ? "required" : "optional"
      let present = (environment[env].map { !$0.isEmpty } ?? false) ? "set" : "not set"
      lines.append(
        "env_key = \(JSON.quoted(env))  # \(state); $\(env) is \(present) in the environment")
      for alt in p.alternateEnvKeys {
        let set = (environment[alt].map { !$0.isEmpty } ?? false) ? "set" : "not set"
        lines.append("# also accepted when $\(env) is not set: $\(alt) (\(set))")
      }
    }
    pline("request_max_retries", "\(p.requestMaxRetries)")
    pline("stream_max_retries", "\(p.streamMaxRetries)")
    let ms =
      p.streamIdleTimeout.components.seconds * 1000
      + p.streamIdleTimeout.components.attoseconds / 1_000_000_000_000_000
    pline("stream_idle_timeout_ms", "\(ms)")
    if !p.httpHeaders.isEmpty {
      let h = p.httpHeaders.map {
        "\(tomlKey($0.name)) = \(JSON.quoted(Redaction.header($0.name, $0.value)))"
      }
      pline("http_headers", "{ \(h.joined(separator: ", ")) }")
    }
    if !p.envHTTPHeaders.isEmpty {
      // The names of the variables, never their values.
      let h = p.envHTTPHeaders.map { "\(tomlKey($0.name)) = \(JSON.quoted($0.env))" }
      pline("env_http_headers", "{ \(h.joined(separator: ", ")) }")
    }
    if !p.queryParams.isEmpty {
      let q = p.queryParams.map {
        "\(tomlKey($0.name)) = \(JSON.quoted(Redaction.parameter($0.name, $0.value)))"
      }
      pline("query_params", "{ \(q.joined(separator: ", ")) }")
    }
    let o = p.modelOptions
    var opts: [String] = []
    if let t = o.temperature { opts.append("temperature = \(t)") }
    if let t = o.topP { opts.append("top_p = \(t)") }
    if let m = o.maxOutputTokens { opts.append("max_output_tokens = \(m)") }
    for e in o.extra.entries { opts.append("\(tomlKey(e.key)) = \(e.value.serialized())") }
    if !opts.isEmpty {
      lines.append("")
      lines.append("[model_providers.\(tomlKey(p.id)).model_options]")
      lines += opts
    }
    lines.append("")
    lines.append("[sandbox_workspace_write]")
    let roots = c.sandboxWorkspaceWrite.writableRoots.map(JSON.quoted).joined(separator: ", ")
    lines.append("writable_roots = [\(roots)]")
    lines.append("network_access = \(c.sandboxWorkspaceWrite.networkAccess)")
    lines.append("")
    lines.append("# providers: \(c.providers.ids.joined(separator: ", "))")
    if !c.mcpServers.isEmpty {
      // Their commands, URLs and headers can hold secrets: `codex mcp get NAME` shows one.
      let servers = c.mcpServers.map { server -> String in
        let kind: String
        switch server.transport {
        case .stdio: kind = "stdio"
        case .http: kind = "http"
        }
        return "\(server.name) (\(kind)\(server.enabled ? "" : ", disabled"))"
      }
      lines.append("# mcp servers: \(servers.joined(separator: ", "))")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func tomlKey(_ k: String) -> String {
    let bare =
      !k.isEmpty
      && k.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
          || $0 == "_"
          || $0 == "-"
      }
    return bare ? k : JSON.quoted(k)
  }
}

/// What `codex config` writes when the files do not exist yet.
public enum StarterFiles {
  public static let instructions = """
    <!-- Instructions for codex, sent with every request. Write them as you would brief a
    colleague: conventions, tools you prefer, things to avoid. This comment can go. -->

    """

  public static let config = """
    # codex configuration. Every key: config.example.toml in the codex repository, or
    # `codex config show` for what is in effect and where it comes from.

    # model = "llama3.2"
    # model_provider = "ollama"      # openai, ollama, vllm, huggingface, lmstudio, llamacpp, ...
    # approval_policy = "on-request" # untrusted | on-failure | on-request | never
    # sandbox_mode = "workspace-write" # read-only | workspace-write | danger-full-access

    # [model_providers.vllm]
    # name = "Local vLLM"
    # base_url = "http://127.0.0.1:8000/v1"
    # wire_api = "chat"

    """
}
