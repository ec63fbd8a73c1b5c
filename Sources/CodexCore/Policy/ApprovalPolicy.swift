/// When `codex` asks before running a command (codex-rs `approval_policy`).
public enum ApprovalPolicy: String, Sendable, CaseIterable {
  /// Only known-safe read-only commands run without asking.
  case untrusted
  /// Everything runs in the sandbox; a failure there may be retried outside it if the user agrees.
  case onFailure = "on-failure"
  /// Everything runs in the sandbox; the model may ask to run a command outside it.
  case onRequest = "on-request"
  /// Never ask: refusals and failures go back to the model.
  case never

  /// The older CLI's `approvalMode` names, with the sandbox each implied.
  /// - `suggest` asked before every change: `untrusted`.
  /// - `auto-edit` applied file edits itself but asked before running commands. We have no
  ///   separate edit tool (edits are commands), so the closest is to run sandboxed and ask
  ///   when that fails: `on-failure` with `workspace-write`.
  /// - `full-auto` ran everything in a sandbox without asking: `on-request` with
  ///   `workspace-write` (as `--full-auto`).
  public static func legacy(_ name: String) -> (ApprovalPolicy, SandboxMode?)? {
    switch name {
    case "suggest": return (.untrusted, nil)
    case "auto-edit": return (.onFailure, .workspaceWrite)
    case "full-auto": return (.onRequest, .workspaceWrite)
    default: return nil
    }
  }
}

/// What commands may touch (codex-rs `sandbox_mode`).
public enum SandboxMode: String, Sendable, CaseIterable {
  case readOnly = "read-only"
  case workspaceWrite = "workspace-write"
  case dangerFullAccess = "danger-full-access"
}

/// The user's answer at an approval prompt.
public enum ApprovalAnswer: String, Sendable, Equatable {
  case yes
  /// Yes, and don't ask again for this exact command in this session.
  case yesAlways
  case no
  /// No, and stop the turn.
  case abort
}
