/// The user's answer to an approval prompt.
public enum ApprovalAnswer: String, Sendable, CaseIterable {
  /// Run it this once.
  case yes
  /// Run it, and do not ask again for this exact command in this session.
  case yesAlways
  /// Do not run it; the model is told and carries on.
  case no
  /// Do not run it and stop the whole turn.
  case abort

  /// The answers a prompt should offer. Dangerous commands get no "always": a session approval
  /// would not skip their prompt anyway (see `assessCommand`).
  public static func choices(forDangerousCommand dangerous: Bool) -> [ApprovalAnswer] {
    dangerous ? [.yes, .no, .abort] : [.yes, .yesAlways, .no, .abort]
  }

  /// The answers for a "rerun outside the sandbox?" prompt. No "always": a session approval
  /// feeds `assessCommand`, which runs approved commands in the sandbox again, so remembering an
  /// unsandboxed rerun would promise something it does not do.
  public static let retryChoices: [ApprovalAnswer] = [.yes, .no, .abort]
}

/// What the agent does once the user has answered.
public enum ApprovalOutcome: Equatable, Sendable {
  /// Run the command, in the sandbox or not; remember the approval for the session if asked to.
  case run(sandboxed: Bool, rememberForSession: Bool)
  /// Do not run it; tell the model this.
  case declined(messageForModel: String)
  /// Stop the turn.
  case abortTurn
}

/// The outcome of an answer to `ApprovalDecision.ask`. An approved command runs outside the
/// sandbox only if the model asked to leave it (and the user saw that in the prompt) or there
/// is no sandbox anyway; otherwise approval means "run it in the sandbox".
public func resolveAnswer(
  _ answer: ApprovalAnswer, sandbox: SandboxMode, escalationRequested: Bool
) -> ApprovalOutcome {
  let sandboxed = !(escalationRequested || sandbox == .dangerFullAccess)
  switch answer {
  case .yes: return .run(sandboxed: sandboxed, rememberForSession: false)
  case .yesAlways: return .run(sandboxed: sandboxed, rememberForSession: true)
  case .no:
    return .declined(
      messageForModel: "The user declined to run this command. Do not run it again; "
        + "try another way or ask the user.")
  case .abort: return .abortTurn
  }
}

/// The outcome of an answer to `FailureFollowUp.askToRetryUnsandboxed`: yes means outside the
/// sandbox, since that is what the user was asked. `yesAlways` (not offered, see
/// `ApprovalAnswer.retryChoices`) counts as a plain yes.
public func resolveRetryAnswer(_ answer: ApprovalAnswer) -> ApprovalOutcome {
  switch answer {
  case .yes, .yesAlways: return .run(sandboxed: false, rememberForSession: false)
  case .no:
    return .declined(
      messageForModel: "The sandbox blocked this command and the user declined to run it "
        + "outside the sandbox. Find a way that works within the sandbox, or ask the user.")
  case .abort: return .abortTurn
  }
}
