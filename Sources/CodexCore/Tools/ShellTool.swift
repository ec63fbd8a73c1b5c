import Synchronization

/// The `shell` tool, as codex-rs defines it: the model sends an argv (usually
/// `["bash","-lc","..."]`), a working directory and a timeout; we decide under the approval
/// policy whether it may run, run it in the sandbox, and send back what happened. Every
/// outcome, refusals and failures included, goes back to the model as text so it can recover.
public final class ShellTool: Tool {
  public static let name = "shell"
  public static let defaultTimeout: Duration = .seconds(10)

  /// Changeable mid-session (`/approvals`); every call reads the policy in force when it starts.
  let policyState: Mutex<ApprovalPolicy>
  let sandboxMode: SandboxMode
  let sandboxSettings: SandboxWorkspaceWrite
  let cwd: String
  let baseEnvironment: [String: String]
  let environmentPolicy: ShellEnvironmentPolicy
  let sandbox: LinuxSandbox
  let sandboxExecutable: String
  /// Read-only even inside writable roots: `$CODEX_HOME` and the shell and git start-up files.
  let protectedPaths: [String]
  let approvedForSession = Mutex<Set<[String]>>([])
  /// The user answered "always" to a patch inside the writable roots.
  let patchesApprovedForSession = Mutex(false)
  let loginEnvironment = LoginEnvironment()
  let formatter = ToolOutputFormatter()

  public init(config: Config, environment: [String: String], sandbox: LinuxSandbox = LinuxSandbox())
  {
    policyState = Mutex(config.approvalPolicy)
    sandboxMode = config.sandboxMode
    sandboxSettings = config.sandboxWorkspaceWrite
    cwd = config.cwd
    baseEnvironment = environment
    environmentPolicy = config.shellEnvironmentPolicy
    self.sandbox = sandbox
    sandboxExecutable = LinuxSandbox.selfExecutable
    protectedPaths = ProtectedPaths.userPaths(
      home: environment["HOME"],
      codexHome: Paths.absolute(config.codexHome, relativeTo: config.cwd),
      environment: environment)
  }

  /// The approval policy in force now.
  public var approvalPolicy: ApprovalPolicy { policyState.withLock { $0 } }

  /// Switches the approval policy for the calls that start from now on (a call already waiting
  /// for an answer keeps the policy it started with).
  public func setApprovalPolicy(_ policy: ApprovalPolicy) {
    policyState.withLock { $0 = policy }
  }

  public var spec: ToolSpec {
    var properties: JSONObject = [
      "command": [
        "type": "array", "items": ["type": "string"],
        "description":
          "The command to execute, as an argv array, e.g. [\"bash\", \"-lc\", \"ls -la\"].",
      ],
      "workdir": [
        "type": "string", "description": "The working directory to execute the command in.",
      ],
      "timeout_ms": [
        "type": "number",
        "description": "The timeout for the command in milliseconds (default 10000).",
      ],
    ]
    if approvalPolicy == .onRequest {
      properties["sandbox_permissions"] = [
        "type": "string", "enum": ["use_default", "require_escalated"],
        "description":
          "Use require_escalated to run outside the sandbox (the user is asked); explain why in justification.",
      ]
      properties["justification"] = [
        "type": "string", "description": "Why the command needs to run outside the sandbox.",
      ]
    }
    return ToolSpec(
      name: Self.name,
      description: "Runs a shell command and returns its output.",
      parameters: [
        "type": "object", "properties": .object(properties), "required": ["command"],
        "additionalProperties": false,
      ])
  }

  /// Small models often send the script as a plain string: run it with bash, as they meant.
  public func normalize(_ arguments: JSON) -> JSON {
    guard case .object(var object) = arguments, case .string(let script)? = object["command"]
    else { return arguments }
    object["command"] = ["bash", "-lc", .string(script)]
    return .object(object)
  }

  /// The parsed arguments of one call.
  struct Invocation {
    var command: [String]
    var workdir: String
    var timeout: Duration
    var escalate: Bool
    var justification: String?
  }

  /// The call's arguments, already checked against `spec` by the toolbox.
  func parse(_ call: ToolInvocation) -> Result<Invocation, ToolArgumentError> {
    let json = call.arguments
    let command = json["command"]?.arrayValue?.compactMap(\.stringValue) ?? []
    guard let first = command.first, !first.isEmpty else {
      return .failure(ToolArgumentError("'command' is empty: pass the program and its arguments"))
    }
    // A program sees each argument cut at its first NUL, so the command we would classify is
    // not the one that would run.
    if let index = command.firstIndex(where: { $0.utf8.contains(0) }) {
      return .failure(
        ToolArgumentError(
          "'command' element \(index) contains a NUL byte (\\u0000), which cannot be passed to "
            + "a program"))
    }
    var workdir = cwd
    if let w = json["workdir"]?.stringValue, !w.isEmpty {
      guard !w.utf8.contains(0) else {
        return .failure(ToolArgumentError("'workdir' contains a NUL byte (\\u0000)"))
      }
      workdir = Paths.absolute(w, relativeTo: cwd)
    }
    var timeout = Self.defaultTimeout
    if let ms = json["timeout_ms"]?.doubleValue, ms > 0 {
      timeout = .milliseconds(Int64(min(ms, 3_600_000)))
    }
    let escalate = json["sandbox_permissions"]?.stringValue == "require_escalated"
    return .success(
      Invocation(
        command: command, workdir: workdir, timeout: timeout, escalate: escalate,
        justification: json["justification"]?.stringValue))
  }

  public func run(_ call: ToolInvocation, context: ToolContext) async throws -> ToolOutput {
    let policy = approvalPolicy
    let inv: Invocation
    switch parse(call) {
    case .success(let i): inv = i
    case .failure(let e):
      return .error("The command was not run: \(e.message).")
    }
    guard FileOutput.isDirectory(inv.workdir) else {
      let why = "no such directory: \(inv.workdir)"
      return .error(notRun(call, inv, context, why, status: .failedToStart(why)))
    }
    // A patch sent through the shell (`apply_patch <<'EOF'`, as codex-rs's models do) is
    // applied by the patch engine, under the same rules as the apply_patch tool.
    switch ApplyPatchInvocation.recognize(inv.command) {
    case .patch(let text, let directory):
      return try await applyPatch(
        text, in: ApplyPatchInvocation.directory(for: directory, in: inv.workdir),
        callID: call.id, context: context)
    case .implicitPatch(let message), .malformed(let message):
      return .error("The command was not run: \(message).")
    case .notAPatch:
      break
    }

    let approved = approvedForSession.withLock { $0.contains(inv.command) }
    let safetyContext = commandContext(workdir: inv.workdir)
    let decision = assessCommand(
      inv.command, policy: policy, sandbox: sandboxMode, escalationRequested: inv.escalate,
      approvedForSession: approved, justification: inv.justification, context: safetyContext)
    var sandboxed: Bool
    switch decision {
    case .reject(let reason):
      return .error(notRun(call, inv, context, reason))
    case .runSandboxed:
      sandboxed = true
    case .runUnsandboxed:
      sandboxed = false
    case .ask(let reason):
      // "Always" is not offered for dangerous commands: they ask every time (assessCommand).
      let dangerous = CommandSafety.dangerReason(inv.command, context: safetyContext) != nil
      let answer = await context.ask(
        ApprovalRequest(
          callID: call.id, subject: .command(argv: inv.command, workdir: inv.workdir),
          reason: reason, unsandboxed: inv.escalate || sandboxMode == .dangerFullAccess,
          choices: ApprovalAnswer.choices(forDangerousCommand: dangerous)))
      switch resolveAnswer(answer, sandbox: sandboxMode, escalationRequested: inv.escalate) {
      case .run(let inSandbox, let remember):
        sandboxed = inSandbox
        if remember { approvedForSession.withLock { _ = $0.insert(inv.command) } }
      case .declined(let message):
        return .error(notRun(call, inv, context, message))
      case .abortTurn:
        _ = notRun(call, inv, context, "the user aborted the turn")
        throw TurnAborted("aborted at the approval prompt")
      }
    }

    let outcome = try await execute(call, inv, sandboxed: sandboxed, context: context)
    guard sandboxed, outcome.failed else { return outcome.output }
    switch assessFailure(
      policy: policy, sandbox: sandboxMode, sandboxDenied: outcome.looksLikeSandboxDenial)
    {
    case .reportToModel(let hint):
      return .error(hint.map { outcome.modelText + "\n" + $0 } ?? outcome.modelText)
    case .askToRetryUnsandboxed(let reason):
      let answer = await context.ask(
        ApprovalRequest(
          callID: call.id, subject: .command(argv: inv.command, workdir: inv.workdir),
          reason: reason, unsandboxed: true, choices: ApprovalAnswer.retryChoices))
      switch resolveRetryAnswer(answer) {
      case .run:
        return try await execute(call, inv, sandboxed: false, context: context).output
      case .declined(let message):
        return .error(outcome.modelText + "\n" + message)
      case .abortTurn:
        throw TurnAborted("aborted at the approval prompt")
      }
    }
  }

  struct Outcome {
    var modelText: String
    var exitCode: Int32?
    var failed: Bool
    var looksLikeSandboxDenial: Bool

    var output: ToolOutput { ToolOutput(modelText, isError: failed) }
  }

  func execute(_ call: ToolInvocation, _ inv: Invocation, sandboxed: Bool, context: ToolContext)
    async throws -> Outcome
  {
    // A known-safe command runs hardened (git told not to run the repository's programs, no
    // planted binaries on PATH), so that it stays read-only; see `CommandHardening`.
    let placement = commandContext(workdir: inv.workdir)
    let knownSafe = CommandSafety.knownSafeCommand(inv.command, context: placement)
    var command = knownSafe ?? inv.command
    var env = environmentPolicy.apply(to: baseEnvironment)
    // A login shell per command costs ~130 ms; the login environment is captured once per
    // session and each command runs with plain `-c`.
    if command.count == 3, command[0].hasSuffix("bash"), command[1] == "-lc",
      let login = await loginEnvironment.get(base: baseEnvironment, cwd: cwd)
    {
      env = environmentPolicy.apply(to: login)
      command = [command[0], "-c", command[2]]
    }
    if knownSafe != nil {
      env = CommandHardening.environment(env, context: placement)
    }
    var spec = ProcessSpec(
      executable: command[0], arguments: Array(command.dropFirst()), workingDirectory: inv.workdir,
      environment: env, timeout: inv.timeout)
    let configured = sandboxPolicy(environment: env)
    let inSandbox = sandboxed && configured != .dangerFullAccess
    do {
      // Unsandboxed commands go through the helper too: it makes sure nothing they start
      // outlives them.
      spec = try sandbox.wrap(
        spec, policy: inSandbox ? configured : .dangerFullAccess, protectedPaths: protectedPaths,
        sandboxExecutable: sandboxExecutable)
    } catch {
      let why = "\(error)"
      let hint = inSandbox ? " (choose danger-full-access to run without a sandbox)" : ""
      context.emit(.warning("\(why); the command was not run\(hint)"))
      let text = notRun(call, inv, context, why, status: .failedToStart(why))
      return Outcome(modelText: text, exitCode: nil, failed: true, looksLikeSandboxDenial: false)
    }
    context.emit(
      .commandBegin(
        CommandBegin(id: call.id, command: inv.command, workdir: inv.workdir, sandboxed: inSandbox))
    )
    let result: ProcessResult
    do {
      let id = call.id
      let emit = context.emit
      result = try await ProcessRunner.run(spec) { chunk in
        emit(.commandOutput(id: id, chunk: chunk))
      }
    } catch let e as ProcessError {
      let text = notRun(
        call, inv, context, e.description, status: .failedToStart(e.description), announce: false)
      return Outcome(modelText: text, exitCode: nil, failed: true, looksLikeSandboxDenial: false)
    }
    let termination: CommandTermination =
      result.timedOut
      ? .timedOut(limit: inv.timeout)
      : result.signal.map { .signaled(signal: $0) } ?? .exited(code: result.exitCode ?? -1)
    let execution = ToolOutputFormatter.Execution(
      output: result.output, termination: termination, duration: result.duration)
    let output = result.outputText
    context.emit(
      .commandEnd(
        CommandEnd(
          id: call.id, command: inv.command, duration: result.duration,
          output: formatter.truncate(output), status: .finished(termination))))
    let failed = result.exitCode != 0 || result.timedOut || result.signal != nil
    // What a sandbox refusal looks like from inside: EACCES/EPERM/EROFS, or our own 126.
    let denial =
      output.contains("Permission denied") || output.contains("Operation not permitted")
      || output.contains("Read-only file system") || result.exitCode == 126
    return Outcome(
      modelText: formatter.modelPayload(execution), exitCode: result.exitCode, failed: failed,
      looksLikeSandboxDenial: inSandbox && denial)
  }

  /// What the running kernel does not enforce of this session's sandbox (for `/status`).
  public func unenforcedSandboxRules() async -> [String] {
    await sandbox.unenforced(
      policy: sandboxPolicy(environment: baseEnvironment), workingDirectory: cwd,
      protectedPaths: protectedPaths, sandboxExecutable: sandboxExecutable)
  }

  /// A warning for the front end to show when the session starts, if the workspace (or a
  /// writable root the user added) is `$HOME` or one of its parents. `/tmp` and `$TMPDIR` are
  /// left out: they are writable by default, and a home below them is a test set-up, not a
  /// choice to warn about (its start-up files are protected all the same).
  public var homeExposureWarning: String? {
    guard sandboxMode == .workspaceWrite,
      let root = ProtectedPaths.rootContainingHome(
        writableRoots: [cwd] + sandboxSettings.writableRoots, home: baseEnvironment["HOME"])
    else { return nil }
    return "the writable folder \(root) contains your home directory: sandboxed commands can "
      + "change your files there; shell start-up files, ~/.ssh, git config and the codex "
      + "config stay read-only, and nothing new can be created directly in your home directory"
  }

  func sandboxPolicy(environment: [String: String]) -> SandboxPolicy {
    switch sandboxMode {
    case .readOnly: return .readOnly
    case .dangerFullAccess: return .dangerFullAccess
    case .workspaceWrite:
      return .workspaceWrite(
        writableRoots: workspaceWriteRoots, networkAccess: sandboxSettings.networkAccess)
    }
  }

  /// The folders `workspace-write` lets commands write to.
  var workspaceWriteRoots: [String] {
    SandboxPolicy.workspaceWriteRoots(
      workingDirectory: cwd, additionalRoots: sandboxSettings.writableRoots,
      environment: baseEnvironment, includeSlashTmp: !sandboxSettings.excludeSlashTmp,
      includeTmpdir: !sandboxSettings.excludeTmpdirEnvVar)
  }

  /// What the policy checks need to know about a call running in `workdir`. The writable roots
  /// are those of `workspace-write` whatever the mode: they say where the agent is meant to
  /// work, which is what makes a deletion outside them dangerous.
  func commandContext(workdir: String) -> CommandContext {
    CommandContext(
      workdir: workdir, workspace: cwd, home: baseEnvironment["HOME"],
      writableRoots: workspaceWriteRoots)
  }

  /// Reports a call that did not run (refused, declined, could not start) to the front end, and
  /// returns what the model is told.
  func notRun(
    _ call: ToolInvocation, _ inv: Invocation, _ context: ToolContext, _ reason: String,
    status: CommandEnd.Status? = nil, announce: Bool = true
  ) -> String {
    if announce {
      context.emit(
        .commandBegin(
          CommandBegin(id: call.id, command: inv.command, workdir: inv.workdir, sandboxed: false)))
    }
    context.emit(
      .commandEnd(
        CommandEnd(
          id: call.id, command: inv.command, duration: .zero, output: "",
          status: status ?? .rejected(reason))))
    return reason.hasPrefix("Not run") ? reason : "The command was not run: \(reason)"
  }
}

struct ToolArgumentError: Error {
  var message: String
  init(_ message: String) { self.message = message }
}

/// The environment of a login shell (`bash -lc`), captured once per session.
actor LoginEnvironment {
  var cached: [String: String]??

  func get(base: [String: String], cwd: String) async -> [String: String]? {
    if let cached { return cached }
    let spec = ProcessSpec(
      executable: "/bin/bash", arguments: ["-lc", "env -0"], workingDirectory: cwd,
      environment: base, timeout: .seconds(10))
    var env: [String: String]?
    if let r = try? await ProcessRunner.run(spec), r.exitCode == 0 {
      var e: [String: String] = [:]
      for entry in r.stdout.split(separator: 0) {
        let s = String(decoding: entry, as: UTF8.self)
        if let eq = s.firstIndex(of: "=") { e[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
      }
      // Variables bash sets for itself are not part of the user's environment.
      for k in ["_", "SHLVL", "PWD", "OLDPWD"] { e[k] = base[k] }
      env = e.isEmpty ? nil : e
    }
    cached = .some(env)
    return env
  }
}
