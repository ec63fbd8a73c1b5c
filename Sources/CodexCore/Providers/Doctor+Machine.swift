import CCurl

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What this machine lets codex do: how much of the sandbox the kernel enforces, whether
/// libcurl loads, whether `$CODEX_HOME` is safe. A weaker sandbox is a warning that says what
/// is not enforced, never a failure: codex refuses a command rather than run it unsandboxed.
public enum MachineDoctor {
  /// `workingDirectory`: where the sandbox probe runs (the workspace).
  public static func run(
    codexHome: String, sandboxMode: SandboxMode, workingDirectory: String
  ) async -> [DoctorCheck] {
    let sandbox = LinuxSandbox()
    var checks = [landlockCheck(sandbox.landlock, mode: sandboxMode)]
    if sandbox.landlock.abi != nil {
      // The sandbox helper does the setup a command would get and reports what took effect.
      let gaps = await sandbox.unenforced(
        policy: .workspaceWrite(writableRoots: [workingDirectory], networkAccess: false),
        workingDirectory: workingDirectory)
      checks.append(enforcementCheck(gaps, seccomp: sandbox.seccompFilter))
    }
    checks += [libcurlCheck(), codexHomeCheck(codexHome)]
    return checks
  }

  static func landlockCheck(_ landlock: LandlockSupport, mode: SandboxMode) -> DoctorCheck {
    let off = mode == .dangerFullAccess ? " (sandbox_mode is danger-full-access: not used)" : ""
    switch landlock {
    case .available(let abi):
      return DoctorCheck(
        "Landlock", .ok, "ABI \(abi): read-only and workspace-write are enforced" + off)
    case .unavailable(let reason):
      return DoctorCheck(
        "Landlock", .warning,
        "\(reason): read-only and workspace-write cannot be enforced, so commands that need the "
          + "sandbox are refused" + off,
        fix: "use Linux 5.13+ with Landlock enabled (lsm=…,landlock)")
    }
  }

  /// The sandbox probe's findings: nothing missing, or each rule this kernel leaves
  /// unenforced (a warning naming it).
  static func enforcementCheck(_ gaps: [String], seccomp: Bool) -> DoctorCheck {
    guard !gaps.isEmpty else {
      return DoctorCheck(
        "sandbox", .ok,
        "every rule is enforced: Landlock, seccomp (network off: no sockets but local ones, no "
          + "connect), read-only mounts outside the writable folders")
    }
    let fix =
      seccomp
      ? "a newer kernel, or one that allows unprivileged user namespaces"
      : "a kernel with seccomp filters (needed to turn the network off)"
    return DoctorCheck(
      "sandbox", .warning, "not enforced here: " + gaps.joined(separator: "; "), fix: fix)
  }

  static func libcurlCheck() -> DoctorCheck {
    var reason = [CChar](repeating: 0, count: 512)
    guard ccurl_load(&reason, reason.count) == 0 else {
      let text = String(
        decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      return DoctorCheck(
        "libcurl", .failed, "cannot load libcurl (\(text)): no request can be made",
        fix: "apt-get install libcurl4 (Debian/Ubuntu)")
    }
    return DoctorCheck("libcurl", .ok, "loaded")
  }

  static func codexHomeCheck(_ path: String) -> DoctorCheck {
    let fm = FileManager.default
    guard let kind = Platform.fileKind(path) else {
      return DoctorCheck("CODEX_HOME", .ok, "\(path) does not exist yet; it is created when needed")
    }
    guard kind == .directory else {
      return DoctorCheck(
        "CODEX_HOME", .warning, "\(path) is not a folder", fix: "move it away, or set $CODEX_HOME")
    }
    let mode = ((try? fm.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? 0
    let octal = String(mode & 0o777, radix: 8)
    if mode & 0o022 != 0 {
      return DoctorCheck(
        "CODEX_HOME", .warning,
        "\(path) (mode \(octal)) is writable by others: they could change your config and "
          + "instructions",
        fix: "chmod go-w \(path)")
    }
    guard fm.isWritableFile(atPath: path) else {
      return DoctorCheck(
        "CODEX_HOME", .warning, "\(path) is not writable: sessions and history cannot be saved",
        fix: "chmod u+w \(path)")
    }
    return DoctorCheck("CODEX_HOME", .ok, "\(path) (mode \(octal))")
  }
}
