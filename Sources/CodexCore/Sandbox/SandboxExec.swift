import CSandbox

/// The child side of the sandbox: `codex --sandbox-exec ARGS -- COMMAND...` restricts itself and
/// then becomes COMMAND. `main` calls this before anything else, while the process is still
/// single-threaded (namespaces require that) and nothing has been opened yet.
///
/// Order matters: read-only bind mounts first (they need mount(2), which Landlock then forbids),
/// then no_new_privs, the Landlock ruleset, the seccomp network filter, and finally exec.
/// Landlock applies to the calling thread and everything it executes.
/// Every failure prints one line `codex sandbox: ...` and exits 126; the command is never
/// executed without the sandbox.
public enum SandboxExec {
  public static let failureExitCode: Int32 = 126

  /// Only returns on failure (otherwise the process image is replaced), with the exit code.
  public static func run(arguments: [String]) -> Int32 {
    do {
      let parsed = try SandboxExecArguments(parsing: arguments)
      try enterSandbox(parsed)
      let code = Platform.execute(parsed.command)
      return fail("cannot execute \(parsed.command[0]): \(Platform.errorDescription(code))")
    } catch {
      return fail(error.description)
    }
  }

  private static func fail(_ message: String) -> Int32 {
    Platform.writeStandardError("codex sandbox: \(message)\n")
    return failureExitCode
  }

  static func enterSandbox(_ arguments: SandboxExecArguments) throws(SandboxError) {
    guard case .available(let abi) = LandlockSupport.probe() else {
      throw .setupFailed(LandlockSupport.probe().description)
    }
    let holes = arguments.readOnlyHoles.filter {
      Platform.fileKind($0, followSymlinks: false) != nil
    }
    let landlockOnlyHoles = try protectWithMounts(
      holes, allowNamespaces: !arguments.avoidNamespaces)

    let plan = LandlockRulePlan.make(
      abi: abi, writableRoots: arguments.writableRoots, landlockOnlyHoles: landlockOnlyHoles,
      blockNetwork: arguments.blockNetwork, listDirectory: Platform.directoryEntries)
    let rulesetFD = csb_landlock_create_ruleset(
      plan.handledFilesystem.rawValue, plan.handledNetwork, plan.scoped, Int32(abi))
    guard rulesetFD >= 0 else {
      throw .setupFailed("cannot create the Landlock ruleset: \(describe(rulesetFD))")
    }
    for rule in plan.rules {
      let rc = csb_landlock_allow_path(rulesetFD, rule.path, rule.access.rawValue)
      if rc == -Platform.Errno.noEntry && rule.optional { continue }
      guard rc == 0 else {
        throw .setupFailed("cannot add the Landlock rule for \(rule.path): \(describe(rc))")
      }
    }
    var rc = csb_set_no_new_privs()
    guard rc == 0 else { throw .setupFailed("cannot set no_new_privs: \(describe(rc))") }
    rc = csb_landlock_restrict_self(rulesetFD)
    guard rc == 0 else { throw .setupFailed("cannot enforce the Landlock rules: \(describe(rc))") }

    if arguments.blockNetwork {
      if csb_seccomp_network_filter_available() == 0 {
        rc = csb_install_network_filter()
        guard rc == 0 else {
          throw .setupFailed("cannot install the seccomp network filter: \(describe(rc))")
        }
      } else if abi < 4 {
        throw .setupFailed(
          "cannot disable network access: needs Landlock ABI 4 or seccomp filters, this kernel "
            + "has Landlock ABI \(abi) and no usable seccomp")
      }
    }
  }

  /// Bind-mounts `holes` read-only in a new mount namespace. Returns the holes Landlock must
  /// protect instead (all of them when no namespace is available, else none).
  private static func protectWithMounts(_ holes: [String], allowNamespaces: Bool)
    throws(SandboxError) -> [String]
  {
    guard !holes.isEmpty else { return [] }
    var step: UnsafePointer<CChar>?
    let rc = Platform.withCStringArray(holes) { array in
      UnsafeRawPointer(array).withMemoryRebound(
        to: UnsafePointer<CChar>?.self, capacity: holes.count + 1
      ) { paths in
        csb_protect_read_only(paths, holes.count, allowNamespaces ? 1 : 0, &step)
      }
    }
    if rc < 0 {
      let what = step.map { String(cString: $0) } ?? "setup"
      throw .setupFailed(
        "cannot make \(holes.joined(separator: ", ")) read-only: \(what): \(describe(rc))")
    }
    return rc == Int32(CSB_PROTECT_UNAVAILABLE) ? holes : []
  }

  private static func describe(_ negativeErrno: Int32) -> String {
    Platform.errorDescription(negativeErrno)
  }
}
