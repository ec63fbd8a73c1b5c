/// Patches, through the same approval policy and sandbox as commands: the shell tool owns how
/// things run, and `apply_patch` (and a `shell` call carrying a patch) are another way in.
extension ShellTool {
  /// The largest patch accepted: it travels to the sandboxed helper as one argument.
  static let maxPatchBytes = 120 * 1024

  /// Plans the patch in `directory`, decides under the policy whether it may be applied (asking
  /// with the diff when needed), applies it in the sandbox (or, when the user approved writing
  /// outside it, directly), and says what happened: to the front end as a `fileChange` event,
  /// to the model as the tool output. Nothing is written unless every hunk of every file fits.
  func applyPatch(_ text: String, in directory: String, callID: String, context: ToolContext)
    async throws -> ToolOutput
  {
    guard text.utf8.count <= Self.maxPatchBytes else {
      return .error(
        "The patch was not applied: it is \(text.utf8.count) bytes, more than the "
          + "\(Self.maxPatchBytes) accepted at once. Send it as several smaller patches.")
    }
    guard !text.utf8.contains(0) else {
      return .error("The patch was not applied: it contains a NUL byte.")
    }
    let plan: PatchPlan
    do throws(ApplyPatchError) {
      plan = try PatchPlanner.plan(text: text, in: directory)
    } catch {
      context.emit(
        .fileChange(FileChangeEvent(callID: callID, changes: [], failure: error.description)))
      return .error(error.description)
    }
    let changes = plan.changes.map(Self.fileChange)
    func failed(_ why: String) -> ToolOutput {
      context.emit(.fileChange(FileChangeEvent(callID: callID, changes: changes, failure: why)))
      return .error(why)
    }

    let inside = patchStaysInside(plan)
    let decision = assessPatch(
      policy: approvalPolicy, sandbox: sandboxMode, insideWritableRoots: inside,
      approvedForSession: inside && patchesApprovedForSession.withLock { $0 })
    var sandboxed: Bool
    switch decision {
    case .reject(let reason):
      return failed(reason)
    case .runSandboxed:
      sandboxed = true
    case .runUnsandboxed:
      sandboxed = false
    case .ask(let reason):
      let request = ApprovalRequest(
        callID: callID,
        subject: .patch(PatchApproval(changes: changes, diff: Self.diff(plan), workdir: directory)),
        reason: reason, unsandboxed: !inside || sandboxMode == .dangerFullAccess,
        choices: inside ? [.yes, .yesAlways, .no, .abort] : [.yes, .no, .abort])
      switch await context.ask(request) {
      case .yes: sandboxed = inside && sandboxMode != .dangerFullAccess
      case .yesAlways:
        patchesApprovedForSession.withLock { $0 = true }
        sandboxed = inside && sandboxMode != .dangerFullAccess
      case .no:
        return failed(
          "The user declined this patch; it was not applied. Do not send it again; try another "
            + "way or ask the user.")
      case .abort:
        _ = failed("the user aborted the turn")
        throw TurnAborted("aborted at the approval prompt")
      }
    }

    var result = await apply(plan, text: text, sandboxed: sandboxed)
    if case .failed(let why) = result, sandboxed, Self.looksLikeSandboxDenial(why) {
      switch assessFailure(policy: approvalPolicy, sandbox: sandboxMode, sandboxDenied: true) {
      case .reportToModel(let hint):
        result = .failed(hint.map { why + "\n" + $0 } ?? why)
      case .askToRetryUnsandboxed(let reason):
        let request = ApprovalRequest(
          callID: callID,
          subject: .patch(
            PatchApproval(changes: changes, diff: Self.diff(plan), workdir: directory)),
          reason: reason, unsandboxed: true, choices: ApprovalAnswer.retryChoices)
        switch resolveRetryAnswer(await context.ask(request)) {
        case .run: result = await apply(plan, text: text, sandboxed: false)
        case .declined(let message): result = .failed(why + "\n" + message)
        case .abortTurn: throw TurnAborted("aborted at the approval prompt")
        }
      }
    }
    switch result {
    case .applied(let report):
      context.emit(.fileChange(FileChangeEvent(callID: callID, changes: changes)))
      return ToolOutput(report)
    case .failed(let why):
      return failed(why)
    }
  }

  /// Whether every file the patch writes (at its real location, links resolved) lies inside the
  /// writable roots and outside what the sandbox keeps read-only there (`.git`, `$CODEX_HOME`,
  /// start-up files). A judgement for the approval decision only: the sandbox enforces.
  func patchStaysInside(_ plan: PatchPlan) -> Bool {
    guard sandboxMode == .workspaceWrite else { return false }
    let roots = workspaceWriteRoots.map { Platform.realPath($0) ?? $0 }
    func within(_ path: String, _ root: String) -> Bool {
      path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }
    return plan.writtenPaths.allSatisfy { path in
      roots.contains { within(path, $0) }
        && !protectedPaths.contains { within(path, $0) }
        && !path.split(separator: "/").contains(".git")
    }
  }

  /// Applies the plan: in the sandbox through the helper (`codex --apply-patch`), or directly.
  func apply(_ plan: PatchPlan, text: String, sandboxed: Bool) async -> PatchOutcome {
    guard sandboxed else {
      do throws(ApplyPatchError) {
        return .applied(try plan.apply())
      } catch {
        return .failed(error.description)
      }
    }
    let spec = ProcessSpec(
      executable: LinuxSandbox.selfExecutable,
      arguments: [PatchHelper.flag, plan.directory, plan.digest, text],
      workingDirectory: plan.directory, environment: ["PATH": "/usr/bin:/bin"],
      timeout: .seconds(60))
    do {
      let wrapped = try sandbox.wrap(
        spec, policy: sandboxPolicy(environment: baseEnvironment), protectedPaths: protectedPaths,
        sandboxExecutable: sandboxExecutable)
      let result = try await ProcessRunner.run(wrapped)
      if let outcome = PatchHelper.outcome(result.stdoutText) { return outcome }
      let why = result.stderrText.trimmingWhitespace()
      return .failed(
        "The patch was not applied: the sandboxed helper failed"
          + (why.isEmpty ? "" : " (\(why))"))
    } catch {
      return .failed("The patch was not applied: \(error)")
    }
  }

  /// What a write the sandbox refused looks like in the engine's error.
  static func looksLikeSandboxDenial(_ message: String) -> Bool {
    message.contains("Permission denied") || message.contains("Operation not permitted")
      || message.contains("Read-only file system")
  }

  static func fileChange(_ change: PatchFileChange) -> FileChange {
    let kind: FileChange.Kind
    switch change.kind {
    case .add: kind = .add
    case .update: kind = .update
    case .delete: kind = .delete
    }
    return FileChange(
      path: change.path, kind: kind, movePath: change.movePath, added: change.additions,
      removed: change.deletions)
  }

  /// Every file's diff with `---`/`+++` headers, for the approval prompt.
  static func diff(_ plan: PatchPlan) -> String {
    plan.changes.map { change in
      let from = change.kind == .add ? "/dev/null" : change.path
      let to = change.kind == .delete ? "/dev/null" : (change.movePath ?? change.path)
      return "--- \(from)\n+++ \(to)\n" + change.unifiedDiff
    }.joined(separator: "\n")
  }
}
