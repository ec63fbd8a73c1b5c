/// The older Codex CLI (and its forks) wrote `config.json` / `config.yaml` with camelCase keys:
/// `model`, `provider`, `providerType`, `providerUrl`, `providers: {id: {name, baseURL,
/// envKey}}`, `approvalMode`. We translate them into `config.toml`'s keys, keeping positions, so
/// one validator serves every format. Keys already in the new spelling pass through.
enum LegacyConfig {
  /// `approvalMode` maps onto both the policy and the sandbox, so it keeps a key of its own.
  static let approvalModeKey = "approvalMode"

  static let topLevel: [String: String] = [
    "provider": "model_provider",
    "providerType": "model_provider",
    "instructions": "instructions",
    "notify": "notify",
    "disableResponseStorage": "disable_response_storage",
    "reasoningEffort": "model_reasoning_effort",
    "hideAgentReasoning": "hide_agent_reasoning",
  ]

  static let providerKeys: [String: String] = [
    "name": "name", "baseURL": "base_url", "baseUrl": "base_url", "envKey": "env_key",
    "wireApi": "wire_api", "headers": "http_headers",
  ]

  static func translate(_ table: ConfigTable) -> ConfigTable {
    var out = ConfigTable()
    var providerURL: ConfigTable.Entry?
    for e in table.entries {
      switch e.key {
      case "providerType" where table["provider"] != nil:
        // `provider` names the entry; `providerType` only says which kind it is.
        continue
      case "providerUrl":
        providerURL = e
      case "providers":
        out.entries.append(
          ConfigTable.Entry(
            key: "model_providers", keyPosition: e.keyPosition, node: providers(e.node)))
      case "history":
        out.entries.append(e)
      default:
        let key = topLevel[e.key] ?? e.key
        out.entries.append(ConfigTable.Entry(key: key, keyPosition: e.keyPosition, node: e.node))
      }
    }
    // `providerUrl` sets the base URL of the chosen provider.
    if let url = providerURL {
      let id: String
      if case .string(let s)? = out["model_provider"]?.value { id = s } else { id = "openai" }
      var providers: ConfigTable
      if case .table(let t)? = out["model_providers"]?.value {
        providers = t
      } else {
        providers = ConfigTable()
      }
      var entry: ConfigTable
      if case .table(let t)? = providers[id]?.value { entry = t } else { entry = ConfigTable() }
      entry.entries.removeAll { $0.key == "base_url" }
      entry.entries.append(
        ConfigTable.Entry(key: "base_url", keyPosition: url.keyPosition, node: url.node))
      providers[id] = ConfigNode(.table(entry), at: url.keyPosition)
      out["model_providers"] = ConfigNode(.table(providers), at: url.keyPosition)
    }
    return out
  }

  static func providers(_ node: ConfigNode) -> ConfigNode {
    guard case .table(let t) = node.value else { return node }
    var out = ConfigTable()
    for e in t.entries {
      guard case .table(let p) = e.node.value else {
        out.entries.append(e)
        continue
      }
      var q = ConfigTable()
      for f in p.entries {
        q.entries.append(
          ConfigTable.Entry(
            key: providerKeys[f.key] ?? f.key, keyPosition: f.keyPosition, node: f.node))
      }
      out.entries.append(
        ConfigTable.Entry(
          key: e.key, keyPosition: e.keyPosition, node: ConfigNode(.table(q), at: e.node.position)))
    }
    return ConfigNode(.table(out), at: node.position)
  }
}
