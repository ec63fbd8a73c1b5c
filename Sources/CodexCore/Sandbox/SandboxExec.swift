import CSandbox

/// The child side of the sandbox: `codex --sandbox-exec ARGS -- COMMAND...`. `main` calls this
/// before anything else, while the process is still single-threaded (fork and namespaces need
/// that) and nothing has been opened yet.
///
/// The process splits in two (`csb_fork_supervised`): the parent stays behind as the command's
/// supervisor, a child subreaper outside the sandbox that kills every descendant when the command
/// ends; the child restricts itself and becomes COMMAND. In the child, order matters:
/// 1. the mount namespace (it needs mount(2), which Landlock then forbids): everything outside
///    the writable roots read-only, protected paths inside them bind-mounted read-only;
/// 2. the Landlock ruleset is built (opening the paths may need capabilities);
/// 3. every capability is dropped, no_new_privs set, the ruleset enforced;
/// 4. the seccomp filter;
/// 5. exec with exactly the command's environment.
/// Every failure prints one line `codex sandbox: ...` and exits 126; the command is never
/// executed without the sandbox.
public enum SandboxExec {
  public static let failureExitCode: Int32 = 126

  /// Only returns on failure (otherwise the process image is replaced, or the supervisor exits
  /// with the command's status), with the exit code.
  public static func run(arguments: [String]) -> Int32 {
    do throws(SandboxError) {
      let parsed = try SandboxExecArguments(parsing: arguments)
      // Read before the split: after it, the parent of the command is the supervisor.
      let codexPID = Platform.parentProcessID()
      var step: UnsafePointer<CChar>?
      let split = csb_fork_supervised(&step)
      if split < 0 {
        let what = step.map { String(cString: $0) } ?? "fork"
        throw SandboxError.setupFailed("cannot supervise the command: \(what): \(describe(split))")
      }
      var report: SandboxReport?
      if !parsed.unsandboxed {
        report = try enterSandbox(parsed, codexPID: codexPID)
      }
      if parsed.report {
        Platform.writeStandardOutput((report ?? SandboxReport()).rendered)
        return 0
      }
      let code = Platform.execute(parsed.command, environment: parsed.environment)
      return fail("cannot execute \(parsed.command[0]): \(Platform.errorDescription(code))")
    } catch {
      return fail(error.description)
    }
  }

  private static func fail(_ message: String) -> Int32 {
    Platform.writeStandardError("codex sandbox: \(message)\n")
    return failureExitCode
  }

  static func enterSandbox(_ arguments: SandboxExecArguments, codexPID: Int32)
    throws(SandboxError) -> SandboxReport
  {
    guard case .available(let kernelABI) = LandlockSupport.probe() else {
      throw .setupFailed(LandlockSupport.probe().description)
    }
    let abi = min(kernelABI, arguments.assumedABI ?? kernelABI)
    var report = SandboxReport()
    report.landlockABI = abi

    var environment: [String: String] = [:]
    for entry in arguments.environment {
      guard let equals = entry.firstIndex(of: "=") else { continue }
      let name = String(entry[..<equals])
      if environment[name] == nil {
        environment[name] = String(entry[entry.index(after: equals)...])
      }
    }
    let git = ProtectedPaths.gitPaths(
      writableRoots: arguments.writableRoots, environment: environment)
    report.gitSearchTruncated = git.truncated
    let placement = ProtectedPaths.place(
      arguments.protectedPaths + git.paths, writableRoots: arguments.writableRoots)

    var readOnlyOutside = false
    let mounts = try setUpMounts(
      roots: arguments.writableRoots, readOnly: placement.existing,
      allowNamespaces: !arguments.avoidNamespaces, readOnlyOutside: &readOnlyOutside)
    report.namespace = mounts
    report.readOnlyOutsideRoots = readOnlyOutside
    let landlockOnly =
      mounts == .none ? placement.existing + placement.absentOrLinks : placement.absentOrLinks
    report.protectedByMount = mounts == .none ? [] : placement.existing
    report.protectedByLandlock = landlockOnly

    let plan = LandlockRulePlan.make(
      abi: abi, writableRoots: arguments.writableRoots, landlockOnlyHoles: landlockOnly,
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

    var step: UnsafePointer<CChar>?
    var rc = csb_drop_all_capabilities(&step)
    guard rc == 0 else {
      let what = step.map { String(cString: $0) } ?? "capabilities"
      throw .setupFailed("cannot drop capabilities: \(what): \(describe(rc))")
    }
    rc = csb_set_no_new_privs()
    guard rc == 0 else { throw .setupFailed("cannot set no_new_privs: \(describe(rc))") }
    rc = csb_landlock_restrict_self(rulesetFD)
    guard rc == 0 else { throw .setupFailed("cannot enforce the Landlock rules: \(describe(rc))") }

    if csb_seccomp_filter_available() == 0 {
      // Without Landlock signal scoping, at least codex and the supervisor are out of reach.
      let protected: (Int32, Int32) = abi < 6 ? (Platform.parentProcessID(), codexPID) : (0, 0)
      rc = csb_install_seccomp_filter(
        arguments.blockNetwork ? 1 : 0, abi < 3 ? 1 : 0, protected.0, protected.1)
      guard rc == 0 else {
        throw .setupFailed("cannot install the seccomp filter: \(describe(rc))")
      }
      report.seccomp = true
    } else if arguments.blockNetwork {
      throw .setupFailed(
        "cannot disable network access: needs seccomp filters to close UDP and Unix sockets, "
          + "and this kernel has none")
    }
    return report
  }

  private static func setUpMounts(
    roots: [String], readOnly: [String], allowNamespaces: Bool, readOnlyOutside: inout Bool
  ) throws(SandboxError) -> SandboxReport.Namespace {
    var step: UnsafePointer<CChar>?
    var outside: Int32 = 0
    let rc = Platform.withCStringArray(roots) { rootArray in
      Platform.withCStringArray(readOnly) { pathArray in
        UnsafeRawPointer(rootArray).withMemoryRebound(
          to: UnsafePointer<CChar>?.self, capacity: roots.count + 1
        ) { rootPointers in
          UnsafeRawPointer(pathArray).withMemoryRebound(
            to: UnsafePointer<CChar>?.self, capacity: readOnly.count + 1
          ) { pathPointers in
            csb_setup_mounts(
              rootPointers, roots.count, pathPointers, readOnly.count, allowNamespaces ? 1 : 0,
              &outside, &step)
          }
        }
      }
    }
    if rc < 0 {
      let what = step.map { String(cString: $0) } ?? "setup"
      throw .setupFailed("cannot set up the sandbox's mounts: \(what): \(describe(rc))")
    }
    readOnlyOutside = outside != 0
    switch rc {
    case Int32(CSB_MOUNTS_MOUNT_NAMESPACE): return .mount
    case Int32(CSB_MOUNTS_USER_NAMESPACE): return .user
    default: return .none
    }
  }

  private static func describe(_ negativeErrno: Int32) -> String {
    Platform.errorDescription(negativeErrno)
  }
}
