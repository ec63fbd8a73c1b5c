/// When the agent must ask the user before running a command. Raw values are the codex-rs
/// `approval_policy` spellings, so `config.toml` files carry over unchanged.
public enum ApprovalPolicy: String, Sendable, CaseIterable {
  /// Only known read-only commands run without asking.
  case untrusted
  /// Everything runs in the sandbox; when the sandbox blocks a command, ask to rerun it outside.
  case onFailure = "on-failure"
  /// Everything runs in the sandbox; ask only when the model requests to leave it.
  case onRequest = "on-request"
  /// Never ask: the model gets failures and refusals back instead.
  case never

  /// A config or flag value, also in the older TypeScript CLI's `approvalMode` names
  /// (`suggest`, `auto-edit`, `full-auto`). See `ApprovalModeSelection` for the mapping.
  public init?(userValue: String) {
    guard let selection = ApprovalModeSelection(userValue: userValue) else { return nil }
    self = selection.policy
  }

  /// One line for `--help`, `/status` and error messages.
  public var summary: String {
    switch self {
    case .untrusted: return "ask before any command that is not a known read-only one"
    case .onFailure: return "run in the sandbox; ask to rerun outside it when the sandbox blocks"
    case .onRequest: return "run in the sandbox; ask when the model wants to leave it"
    case .never: return "never ask; failures and refusals go back to the model"
    }
  }
}

/// An approval value as the user wrote it: the policy, plus the sandbox mode that value implies
/// when it is a preset (`full-auto`). A caller applies `sandbox` only if the user set no sandbox
/// mode explicitly, because an explicit setting is the stronger statement of intent.
///
/// Mapping of the older CLI's names:
/// - `suggest` (asked for every edit and command) → `untrusted`.
/// - `auto-edit` (applied edits without asking, asked for every command) → `untrusted`. No
///   codex-rs policy splits edits from commands: `on-failure` would match the edits but run
///   commands unasked, `untrusted` matches the commands but also asks for edits. We keep the
///   promise that mattered, "no command runs without me", and accept extra edit prompts.
/// - `full-auto` (ran commands unasked, confined to the workspace, no network) → `on-request`
///   with `workspace-write`, as codex-rs's `--full-auto` does.
public struct ApprovalModeSelection: Equatable, Sendable {
  public var policy: ApprovalPolicy
  public var sandbox: SandboxMode?

  public init(policy: ApprovalPolicy, sandbox: SandboxMode? = nil) {
    self.policy = policy
    self.sandbox = sandbox
  }

  public init?(userValue: String) {
    let normalized = normalizedUserValue(userValue)
    if let policy = ApprovalPolicy(rawValue: normalized) {
      self.init(policy: policy)
      return
    }
    switch normalized {
    // codex-rs's Rust variant is `UnlessTrusted`; people copy that name from its docs and code.
    case "unless-trusted": self.init(policy: .untrusted)
    case "suggest": self.init(policy: .untrusted)
    case "auto-edit": self.init(policy: .untrusted)
    case "full-auto": self.init(policy: .onRequest, sandbox: .workspaceWrite)
    default: return nil
    }
  }

  /// Every spelling `init?(userValue:)` accepts, for "did you mean" suggestions and help text.
  public static let acceptedValues: [String] =
    ApprovalPolicy.allCases.map(\.rawValue) + ["suggest", "auto-edit", "full-auto"]
}
