/// What to do with a command the model wants to run.
public enum ApprovalDecision: Sendable, Equatable {
  case runSandboxed
  /// Only when the sandbox is off (`danger-full-access`) or the user approved an escalation.
  case runUnsandboxed
  case ask(reason: String)
  case reject(reason: String)
}

/// What to do after a command failed inside the sandbox.
public enum FailureFollowUp: Sendable, Equatable {
  case askToRetryUnsandboxed
  case reportToModel
}

/// The approval decision, codex-rs style, as a pure function (tested as a table):
/// - dangerous commands (`rm -rf`, `sudo …`, `git push --force`, …) always ask, even when
///   approved before; under `never` nobody can be asked, so they are refused — unless the
///   sandbox is off, which the user chose knowingly;
/// - an escalation request (run outside the sandbox) asks, except under `never` (refused) and
///   when the sandbox is off anyway;
/// - `untrusted`: known-safe read-only commands run, everything else asks;
/// - `on-failure`, `on-request`, `never`: everything else runs in the sandbox.
/// `approvedForSession` ("yes, always") skips asking for that exact command.
public func assessCommand(
  _ argv: [String], policy: ApprovalPolicy, sandbox: SandboxMode, escalationRequested: Bool,
  approvedForSession: Bool
) -> ApprovalDecision {
  let run: ApprovalDecision = sandbox == .dangerFullAccess ? .runUnsandboxed : .runSandboxed
  if let danger = CommandSafety.dangerReason(argv) {
    if policy == .never {
      return sandbox == .dangerFullAccess
        ? .runUnsandboxed
        : .reject(reason: "\(danger); refused because the approval policy is never")
    }
    return .ask(reason: danger)
  }
  if escalationRequested, sandbox != .dangerFullAccess {
    if policy == .never {
      return .reject(
        reason:
          "running outside the sandbox needs the user's approval, and the approval policy is never")
    }
    return approvedForSession
      ? .runUnsandboxed : .ask(reason: "the model asks to run this outside the sandbox")
  }
  if approvedForSession { return run }
  switch policy {
  case .untrusted:
    return CommandSafety.isKnownSafe(argv)
      ? run : .ask(reason: "it is not a known-safe read-only command")
  case .onFailure, .onRequest, .never:
    return run
  }
}

/// After a sandboxed command failed: under `on-failure`, a failure that looks like the
/// sandbox's doing (permission denied, read-only file system) is offered for a retry outside
/// it; ordinary failures (a failing test) go back to the model without bothering the user.
public func assessFailure(policy: ApprovalPolicy, sandbox: SandboxMode, sandboxDenied: Bool)
  -> FailureFollowUp
{
  guard policy == .onFailure, sandbox != .dangerFullAccess, sandboxDenied else {
    return .reportToModel
  }
  return .askToRetryUnsandboxed
}
