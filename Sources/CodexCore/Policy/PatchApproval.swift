/// Whether a patch may be applied without asking, codex-rs style, as a pure function.
///
/// - `danger-full-access`: no sandbox to keep it in; applied, except under `untrusted`, which
///   asks for every change.
/// - `workspace-write`: a patch whose files all lie inside the writable roots (and outside the
///   paths the sandbox keeps read-only there) is applied in the sandbox without asking under
///   `on-request`, `on-failure` and `never`; `untrusted` asks. A patch writing anywhere else is
///   never applied without approval: asked (and, if approved, applied outside the sandbox, which
///   would refuse it), refused under `never`.
/// - `read-only`: nothing is writable, so every patch asks (refused under `never`).
///
/// `approvedForSession`: the user answered "always" to an earlier patch inside the writable
/// roots; it only ever covers such patches.
public func assessPatch(
  policy: ApprovalPolicy, sandbox: SandboxMode, insideWritableRoots: Bool,
  approvedForSession: Bool
) -> ApprovalDecision {
  switch sandbox {
  case .dangerFullAccess:
    return policy == .untrusted && !approvedForSession
      ? .ask(reason: "the approval policy is untrusted") : .runUnsandboxed
  case .workspaceWrite where insideWritableRoots:
    return policy == .untrusted && !approvedForSession
      ? .ask(reason: "the approval policy is untrusted") : .runSandboxed
  case .workspaceWrite, .readOnly:
    let why =
      sandbox == .readOnly
      ? "the sandbox is read-only" : "it writes outside the folders the sandbox lets codex change"
    if policy == .never {
      return .reject(
        reason: "Not applied: \(why), and the approval policy is never, so nobody can approve "
          + "it. Change only files inside the workspace.")
    }
    return .ask(reason: why)
  }
}
