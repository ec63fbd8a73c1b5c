/// What to do with a shell command the model asked to run, before running it.
public enum ApprovalDecision: Equatable, Sendable {
  /// Run it in the configured sandbox without asking.
  case runSandboxed
  /// Run it without a sandbox: only when the sandbox mode is `danger-full-access`, or when a
  /// human already approved leaving the sandbox for this exact command.
  case runUnsandboxed
  /// Ask the user first; `reason` says why, in one line for the prompt. What the answer means is
  /// decided by `resolveAnswer(_:sandbox:escalationRequested:)`.
  case ask(reason: String)
  /// Do not run it; `reason` goes back to the model so it can change course.
  case reject(reason: String)
}

/// What to do after a command failed.
public enum FailureFollowUp: Equatable, Sendable {
  /// Offer the user to run it again outside the sandbox (answer via `resolveRetryAnswer`).
  case askToRetryUnsandboxed(reason: String)
  /// Give the failure to the model, with a note on what it may do about the sandbox, if any.
  case reportToModel(hint: String?)
}

/// Decides, codex-rs style, whether a shell tool call runs, runs after asking, or is refused.
///
/// In order (the first rule that applies wins):
/// 1. An empty argv, or one with a NUL byte in an argument, is rejected: the program would see
///    each argument cut at its first NUL, so what we classify is not what would run.
/// 2. Under `danger-full-access` there is no sandbox to leave, so an escalation request is moot
///    and ignored. Otherwise escalation is only for `on-request`, as in codex-rs: under the other
///    policies it is rejected with a reason telling the model to call again without it.
/// 3. Dangerous commands ask, under every policy but `never`. A session approval does not skip
///    this: "always" for one `rm -rf build` should not turn into silent deletes for the rest of
///    the session, so front ends should offer only yes/no for these (`ApprovalAnswer.choices`).
///    Under `never` nobody can be asked, so they are rejected — except with
///    `danger-full-access`, the explicit "bypass approvals and sandbox" mode, where they run.
/// 4. A command the user approved with "always" runs without asking.
/// 5. An escalation request under `on-request` asks, showing the justification. Unlike codex-rs
///    this also covers known-safe commands: that list is a read-only heuristic, and a repository's
///    own config can make even `git status` run programs (`core.fsmonitor`), so leaving the
///    sandbox is always a human's call.
/// 6. Known-safe commands run.
/// 7. Otherwise `untrusted` asks; `on-failure`, `on-request` and `never` run in the sandbox
///    (which, in `read-only`, makes writes fail; `assessFailure` handles that afterwards).
///
/// Sandboxed runs become unsandboxed under `danger-full-access`. Unlike older codex-rs, known-safe
/// and approved commands still run in the sandbox: they rarely need more, and when they do the
/// failure path asks.
///
/// `approvedForSession` means the user answered `yesAlways` for this exact argv; callers should
/// remember escalated and sandboxed approvals apart, as they grant different things. `context`
/// says where the command runs (the danger check judges `rm -r` targets and `cd` by it).
public func assessCommand(
  _ argv: [String], policy: ApprovalPolicy, sandbox: SandboxMode, escalationRequested: Bool,
  approvedForSession: Bool, justification: String? = nil, context: CommandContext
) -> ApprovalDecision {
  guard !argv.isEmpty, !(argv.count == 1 && argv[0].isEmpty) else {
    return .reject(reason: "The command is empty: pass the program and its arguments.")
  }
  if let index = argv.firstIndex(where: { $0.utf8.contains(0) }) {
    return .reject(reason: nulArgumentRefusal(index: index))
  }
  let unsandboxed = sandbox == .dangerFullAccess
  let escalate = escalationRequested && !unsandboxed
  let run: ApprovalDecision = unsandboxed ? .runUnsandboxed : .runSandboxed

  if escalate && policy != .onRequest {
    return .reject(reason: escalationRefusal(policy: policy))
  }
  if let danger = CommandSafety.dangerReason(argv, context: context) {
    if policy == .never {
      return unsandboxed
        ? .runUnsandboxed
        : .reject(
          reason: "Not run: \(danger), and the approval policy is never, so nobody can approve "
            + "it. Find a safer way.")
    }
    return .ask(reason: danger + escalationNote(escalate, justification))
  }
  if approvedForSession {
    return escalate ? .runUnsandboxed : run
  }
  if escalate {
    return .ask(
      reason: "The model asks to run this outside the sandbox"
        + justificationSuffix(justification))
  }
  if CommandSafety.isKnownSafe(argv, context: context) {
    return run
  }
  switch policy {
  case .untrusted:
    return .ask(reason: "It is not a known read-only command")
  case .onFailure, .onRequest, .never:
    return run
  }
}

/// Decides what happens after a command failed. `sandboxDenied` is the runner's judgement that
/// the sandbox blocked it (a denied write, a refused connection), not just a non-zero exit.
/// Only a sandbox denial can lead to a question: a failing test is for the model to read.
///
/// `untrusted` and `on-failure` offer the user a rerun outside the sandbox (codex-rs asks under
/// both). `on-request` tells the model it may ask for escalation; `never` tells it that it
/// cannot. Under `danger-full-access` nothing was sandboxed, so there is nothing to offer.
public func assessFailure(
  policy: ApprovalPolicy, sandbox: SandboxMode, sandboxDenied: Bool
) -> FailureFollowUp {
  guard sandboxDenied, sandbox != .dangerFullAccess else { return .reportToModel(hint: nil) }
  switch policy {
  case .untrusted, .onFailure:
    return .askToRetryUnsandboxed(
      reason: "The \(sandbox.rawValue) sandbox blocked this command. Run it again without the "
        + "sandbox?")
  case .onRequest:
    return .reportToModel(
      hint: "The \(sandbox.rawValue) sandbox may have blocked this command. If it really needs "
        + "more access, call the tool again with sandbox_permissions \"require_escalated\" and a "
        + "justification, and the user will be asked.")
  case .never:
    return .reportToModel(
      hint: "The \(sandbox.rawValue) sandbox may have blocked this command. The approval policy "
        + "is never, so it cannot run outside the sandbox: find a way that works within it.")
  }
}

/// What the model is told about a NUL byte in argument `index` of its command.
public func nulArgumentRefusal(index: Int) -> String {
  "Not run: argument \(index) of the command contains a NUL byte (\\u0000), which cannot be "
    + "passed to a program. Remove it and call the tool again."
}

private func escalationRefusal(policy: ApprovalPolicy) -> String {
  switch policy {
  case .never:
    return "Not run: the approval policy is never, so nobody can approve running outside the "
      + "sandbox. Call the tool again without sandbox_permissions \"require_escalated\"."
  case .untrusted, .onFailure:
    return "Not run: do not request escalated permissions when the approval policy is "
      + "\(policy.rawValue). Call the tool again without sandbox_permissions "
      + "\"require_escalated\"; the user is asked if the command needs more."
  case .onRequest:
    return ""  // escalation is allowed under on-request; callers never get here
  }
}

private func escalationNote(_ escalate: Bool, _ justification: String?) -> String {
  escalate
    ? "; the model also asks to run it outside the sandbox" + justificationSuffix(justification)
    : ""
}

private func justificationSuffix(_ justification: String?) -> String {
  guard let text = justification?.trimmingWhitespace(), !text.isEmpty else { return "" }
  return ": " + text
}
