import Testing

@testable import CodexCore

@Suite struct ApprovalDecisionTests {
  /// A kind of tool call: the argv and the flags the model and the session add.
  struct CommandClass: Sendable, CustomStringConvertible {
    var description: String
    var argv: [String]
    var escalation = false
    var approved = false
  }

  static let safe = ["bash", "-lc", "ls -la && git status"]
  static let unsafe = ["bash", "-lc", "cargo build"]
  static let dangerous = ["bash", "-lc", "rm -rf build"]

  /// Expected decision per policy, for the sandboxes read-only, workspace-write and
  /// danger-full-access in that order: S runSandboxed, U runUnsandboxed, A ask, R reject.
  static let table: [(CommandClass, [ApprovalPolicy: String])] = [
    (
      CommandClass(description: "safe", argv: safe),
      [.untrusted: "SSU", .onFailure: "SSU", .onRequest: "SSU", .never: "SSU"]
    ),
    (
      CommandClass(description: "unsafe", argv: unsafe),
      [.untrusted: "AAA", .onFailure: "SSU", .onRequest: "SSU", .never: "SSU"]
    ),
    (
      CommandClass(description: "dangerous", argv: dangerous),
      [.untrusted: "AAA", .onFailure: "AAA", .onRequest: "AAA", .never: "RRU"]
    ),
    (
      CommandClass(description: "unsafe+escalation", argv: unsafe, escalation: true),
      [.untrusted: "RRA", .onFailure: "RRU", .onRequest: "AAU", .never: "RRU"]
    ),
    (
      CommandClass(description: "safe+escalation", argv: safe, escalation: true),
      [.untrusted: "RRU", .onFailure: "RRU", .onRequest: "AAU", .never: "RRU"]
    ),
    (
      CommandClass(description: "dangerous+escalation", argv: dangerous, escalation: true),
      [.untrusted: "RRA", .onFailure: "RRA", .onRequest: "AAA", .never: "RRU"]
    ),
    (
      CommandClass(description: "unsafe+approved", argv: unsafe, approved: true),
      [.untrusted: "SSU", .onFailure: "SSU", .onRequest: "SSU", .never: "SSU"]
    ),
    (
      CommandClass(description: "dangerous+approved", argv: dangerous, approved: true),
      [.untrusted: "AAA", .onFailure: "AAA", .onRequest: "AAA", .never: "RRU"]
    ),
    (
      CommandClass(
        description: "unsafe+escalation+approved", argv: unsafe, escalation: true, approved: true),
      [.untrusted: "RRU", .onFailure: "RRU", .onRequest: "UUU", .never: "RRU"]
    ),
  ]

  static let sandboxes: [SandboxMode] = [.readOnly, .workspaceWrite, .dangerFullAccess]

  static func kind(_ decision: ApprovalDecision) -> Character {
    switch decision {
    case .runSandboxed: return "S"
    case .runUnsandboxed: return "U"
    case .ask: return "A"
    case .reject: return "R"
    }
  }

  @Test(arguments: table.map(\.0.description))
  func everyPolicyAndSandbox(className: String) throws {
    let row = try #require(Self.table.first { $0.0.description == className })
    let command = row.0
    #expect(Set(row.1.keys) == Set(ApprovalPolicy.allCases))
    for policy in ApprovalPolicy.allCases {
      let expected = Array(try #require(row.1[policy]))
      for (sandbox, want) in zip(Self.sandboxes, expected) {
        let decision = assessCommand(
          command.argv, policy: policy, sandbox: sandbox, escalationRequested: command.escalation,
          approvedForSession: command.approved, justification: "needs the network", context: .test)
        #expect(
          Self.kind(decision) == want,
          "\(className) under \(policy.rawValue)/\(sandbox.rawValue): \(decision)")
      }
    }
  }

  @Test func escalationPromptShowsTheJustification() {
    let decision = assessCommand(
      ["npm", "install"], policy: .onRequest, sandbox: .workspaceWrite, escalationRequested: true,
      approvedForSession: false, justification: "  needs network to fetch packages \n",
      context: .test)
    #expect(
      decision
        == .ask(
          reason: "The model asks to run this outside the sandbox: needs network to fetch packages")
    )
    let bare = assessCommand(
      ["npm", "install"], policy: .onRequest, sandbox: .workspaceWrite, escalationRequested: true,
      approvedForSession: false, context: .test)
    #expect(bare == .ask(reason: "The model asks to run this outside the sandbox"))
  }

  @Test func dangerPromptGivesTheReasonAndTheEscalation() {
    let decision = assessCommand(
      ["sudo", "apt", "install", "x"], policy: .onRequest, sandbox: .workspaceWrite,
      escalationRequested: true, approvedForSession: false, justification: "install a package",
      context: .test)
    #expect(
      decision
        == .ask(
          reason:
            "sudo runs a command as root; the model also asks to run it outside the sandbox: install a package"
        ))
  }

  @Test func untrustedSaysWhyItAsks() {
    let decision = assessCommand(
      ["make"], policy: .untrusted, sandbox: .workspaceWrite, escalationRequested: false,
      approvedForSession: false, context: .test)
    #expect(decision == .ask(reason: "It is not a known read-only command"))
  }

  @Test func rejectionsTellTheModelWhatToDo() throws {
    let never = assessCommand(
      ["curl", "x"], policy: .never, sandbox: .workspaceWrite, escalationRequested: true,
      approvedForSession: false, context: .test)
    guard case .reject(let reason) = never else {
      Issue.record("expected a rejection, got \(never)")
      return
    }
    #expect(
      reason.contains("never")
        && reason.contains("without sandbox_permissions \"require_escalated\""))

    let onFailure = assessCommand(
      ["curl", "x"], policy: .onFailure, sandbox: .readOnly, escalationRequested: true,
      approvedForSession: false, context: .test)
    guard case .reject(let reason2) = onFailure else {
      Issue.record("expected a rejection, got \(onFailure)")
      return
    }
    #expect(reason2.contains("on-failure") && reason2.contains("require_escalated"))

    let dangerous = assessCommand(
      ["git", "push", "--force"], policy: .never, sandbox: .workspaceWrite,
      escalationRequested: false, approvedForSession: false, context: .test)
    guard case .reject(let reason3) = dangerous else {
      Issue.record("expected a rejection, got \(dangerous)")
      return
    }
    #expect(reason3.contains("git push --force overwrites history") && reason3.contains("never"))
  }

  @Test(arguments: [[String](), [""]])
  func emptyCommandIsRejected(argv: [String]) {
    for policy in ApprovalPolicy.allCases {
      let decision = assessCommand(
        argv, policy: policy, sandbox: .dangerFullAccess, escalationRequested: false,
        approvedForSession: true, context: .test)
      #expect(
        decision == .reject(reason: "The command is empty: pass the program and its arguments."))
    }
  }

  // MARK: failures

  @Test func failureFollowUps() {
    for policy in ApprovalPolicy.allCases {
      for sandbox in SandboxMode.allCases {
        // A plain failure (tests failed, file not found) is always the model's to read.
        #expect(
          assessFailure(policy: policy, sandbox: sandbox, sandboxDenied: false)
            == .reportToModel(hint: nil))
      }
      // Nothing was sandboxed, so nothing to offer.
      #expect(
        assessFailure(policy: policy, sandbox: .dangerFullAccess, sandboxDenied: true)
          == .reportToModel(hint: nil))
    }
    for sandbox in [SandboxMode.readOnly, .workspaceWrite] {
      for policy in [ApprovalPolicy.untrusted, .onFailure] {
        let followUp = assessFailure(policy: policy, sandbox: sandbox, sandboxDenied: true)
        #expect(
          followUp
            == .askToRetryUnsandboxed(
              reason:
                "The \(sandbox.rawValue) sandbox blocked this command. Run it again without the sandbox?"
            ))
      }
      guard
        case .reportToModel(let onRequestHint?) = assessFailure(
          policy: .onRequest, sandbox: sandbox, sandboxDenied: true)
      else {
        Issue.record("on-request should report to the model with a hint")
        continue
      }
      #expect(onRequestHint.contains("require_escalated"))
      guard
        case .reportToModel(let neverHint?) = assessFailure(
          policy: .never, sandbox: sandbox, sandboxDenied: true)
      else {
        Issue.record("never should report to the model with a hint")
        continue
      }
      #expect(neverHint.contains("cannot run outside the sandbox"))
    }
  }

  // MARK: answers

  @Test(arguments: [
    (
      ApprovalAnswer.yes, SandboxMode.workspaceWrite, false,
      ApprovalOutcome.run(sandboxed: true, rememberForSession: false)
    ),
    (.yesAlways, .workspaceWrite, false, .run(sandboxed: true, rememberForSession: true)),
    (.yes, .readOnly, true, .run(sandboxed: false, rememberForSession: false)),
    (.yesAlways, .workspaceWrite, true, .run(sandboxed: false, rememberForSession: true)),
    (.yes, .dangerFullAccess, false, .run(sandboxed: false, rememberForSession: false)),
    (.abort, .workspaceWrite, false, .abortTurn),
  ])
  func answersToAsk(
    answer: ApprovalAnswer, sandbox: SandboxMode, escalation: Bool, expected: ApprovalOutcome
  ) {
    #expect(resolveAnswer(answer, sandbox: sandbox, escalationRequested: escalation) == expected)
  }

  @Test func declineTellsTheModel() {
    guard
      case .declined(let message) = resolveAnswer(
        .no, sandbox: .readOnly, escalationRequested: false)
    else {
      Issue.record("no should decline")
      return
    }
    #expect(message.contains("declined"))
  }

  @Test func answersToRetry() {
    #expect(resolveRetryAnswer(.yes) == .run(sandboxed: false, rememberForSession: false))
    #expect(resolveRetryAnswer(.yesAlways) == .run(sandboxed: false, rememberForSession: false))
    #expect(resolveRetryAnswer(.abort) == .abortTurn)
    guard case .declined(let message) = resolveRetryAnswer(.no) else {
      Issue.record("no should decline")
      return
    }
    #expect(message.contains("outside the sandbox"))
    #expect(ApprovalAnswer.retryChoices == [.yes, .no, .abort])
  }

  @Test func dangerousPromptsOfferNoAlways() {
    #expect(ApprovalAnswer.choices(forDangerousCommand: true) == [.yes, .no, .abort])
    #expect(ApprovalAnswer.choices(forDangerousCommand: false) == [.yes, .yesAlways, .no, .abort])
  }
}
