/// How much of the machine a command run by the agent may touch. Names and meaning follow
/// codex-rs `sandbox_mode`; enforcement lives in `Sandbox/`, this is only the user's choice.
public enum SandboxMode: String, Sendable, CaseIterable {
  /// Reads anywhere, writes nowhere, no network.
  case readOnly = "read-only"
  /// Reads anywhere, writes only in the workspace (and temp dirs), network as configured.
  case workspaceWrite = "workspace-write"
  /// No sandbox at all: commands run with the user's full rights.
  case dangerFullAccess = "danger-full-access"

  /// Accepts the config/flag spelling, case-insensitively and with `_` for `-`, because
  /// hand-written configs and `-c sandbox_mode=workspace_write` overrides use both.
  public init?(userValue: String) {
    let normalized = normalizedUserValue(userValue)
    guard let mode = SandboxMode(rawValue: normalized) else { return nil }
    self = mode
  }

  /// One line for `--help`, `/status` and error messages.
  public var summary: String {
    switch self {
    case .readOnly: return "commands can read files but not write them or use the network"
    case .workspaceWrite: return "commands can write inside the workspace only"
    case .dangerFullAccess: return "no sandbox: commands run with your full rights"
    }
  }
}

/// Trimmed, lower-cased, `_` turned into `-`: the forms users actually type for enum values.
func normalizedUserValue(_ value: String) -> String {
  var out = ""
  for scalar in value.unicodeScalars {
    switch scalar {
    case " ", "\t", "\n", "\r": continue
    case "_": out.unicodeScalars.append("-")
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out.lowercased()
}
