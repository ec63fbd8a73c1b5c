/// Whether an MCP tool call may run. MCP servers run outside our sandbox, so the rules are
/// about trust, not containment:
///
/// | policy | `approve = "always"` | `approve = "ask"` | read-only hint | otherwise |
/// |---|---|---|---|---|
/// | untrusted | run | ask | ask | ask |
/// | on-request, on-failure | run | ask | run | ask |
/// | never | run | refuse (nobody may be asked) | run | run |
///
/// A tool's own `approve` wins over its server's. "Yes, always" at a prompt approves that tool
/// for the rest of the session (not under `approve = "ask"`, which asks every time).
public enum MCPApprovalDecision: Sendable, Equatable {
  case run
  case ask(reason: String)
  case reject(reason: String)
}

public func assessMCPToolCall(
  policy: ApprovalPolicy, readOnlyHint: Bool, setting: MCPApprovalSetting?,
  approvedForSession: Bool
) -> MCPApprovalDecision {
  switch setting {
  case .always?:
    return .run
  case .ask?:
    if policy == .never {
      return .reject(
        reason: "this tool is set to approve = \"ask\" and the approval policy is never, "
          + "so nobody can approve it")
    }
    return .ask(reason: "the config asks for approval of this tool (approve = \"ask\")")
  case nil:
    break
  }
  if approvedForSession { return .run }
  switch policy {
  case .never:
    return .run
  case .untrusted:
    return .ask(reason: "MCP tools run outside the sandbox; every call is asked under untrusted")
  case .onRequest, .onFailure:
    if readOnlyHint { return .run }
    return .ask(
      reason:
        "the tool does not say it only reads (no readOnlyHint), and it runs outside the sandbox")
  }
}
