import Testing

@testable import CodexCore

@Suite struct ApprovalPolicyTests {
  @Test(arguments: [
    ("untrusted", ApprovalPolicy.untrusted, nil as SandboxMode?),
    ("on-failure", .onFailure, nil),
    ("on-request", .onRequest, nil),
    ("never", .never, nil),
    (" On_Request ", .onRequest, nil),
    ("unless-trusted", .untrusted, nil),
    ("suggest", .untrusted, nil),
    ("auto-edit", .untrusted, nil),
    ("auto_edit", .untrusted, nil),
    ("full-auto", .onRequest, .workspaceWrite),
  ])
  func acceptsCurrentAndLegacyNames(value: String, policy: ApprovalPolicy, sandbox: SandboxMode?) {
    #expect(ApprovalPolicy(userValue: value) == policy)
    #expect(
      ApprovalModeSelection(userValue: value)
        == ApprovalModeSelection(policy: policy, sandbox: sandbox))
  }

  @Test(arguments: ["", "always", "on-failures", "auto", "yolo", "full auto edit"])
  func rejectsUnknownNames(value: String) {
    #expect(ApprovalPolicy(userValue: value) == nil)
    #expect(ApprovalModeSelection(userValue: value) == nil)
  }

  @Test func rawValuesAreTheConfigSpellings() {
    #expect(
      ApprovalPolicy.allCases.map(\.rawValue) == ["untrusted", "on-failure", "on-request", "never"])
    #expect(
      SandboxMode.allCases.map(\.rawValue) == [
        "read-only", "workspace-write", "danger-full-access",
      ])
  }

  @Test func everyAcceptedValueParses() {
    for value in ApprovalModeSelection.acceptedValues {
      #expect(ApprovalModeSelection(userValue: value) != nil, "\(value)")
    }
  }

  @Test(arguments: [
    ("read-only", SandboxMode.readOnly), ("workspace_write", .workspaceWrite),
    ("DANGER-FULL-ACCESS", .dangerFullAccess),
  ])
  func sandboxModeAcceptsUserSpellings(value: String, mode: SandboxMode) {
    #expect(SandboxMode(userValue: value) == mode)
  }

  @Test func sandboxModeRejectsUnknown() {
    #expect(SandboxMode(userValue: "full-access") == nil)
    #expect(SandboxMode(userValue: "") == nil)
  }
}
