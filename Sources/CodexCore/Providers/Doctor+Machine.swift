import CCurl

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What this machine lets codex do: how much of the sandbox the kernel enforces, whether
/// libcurl loads, whether `$CODEX_HOME` is safe. A weaker sandbox is a warning that says what
/// is not enforced, never a failure: codex refuses a command rather than run it unsandboxed.
///
/// Uses `LandlockSupport` and `LinuxSandbox` as they are; a core function that reports what the
/// running kernel does not enforce is being added in parallel and should replace the
/// namespace guess below (sysctl files) when it lands.
public enum MachineDoctor {
  public static func run(codexHome: String, sandboxMode: SandboxMode) -> [DoctorCheck] {
    let sandbox = LinuxSandbox()
    return [
      landlockCheck(sandbox.landlock, mode: sandboxMode),
      networkCheck(sandbox),
      namespaceCheck(readSysctl),
      libcurlCheck(),
      codexHomeCheck(codexHome),
    ]
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

  static func networkCheck(_ sandbox: LinuxSandbox) -> DoctorCheck {
    let abi = sandbox.landlock.abi ?? 0
    if abi >= 4 {
      let also = sandbox.seccompNetworkFilter ? " and a seccomp filter" : ""
      return DoctorCheck(
        "network", .ok, "sandboxed commands get no network (Landlock ABI \(abi)\(also))")
    }
    if sandbox.seccompNetworkFilter, abi >= 1 {
      return DoctorCheck("network", .ok, "sandboxed commands get no network (seccomp filter)")
    }
    return DoctorCheck(
      "network", .warning,
      "network access cannot be blocked here (needs Landlock ABI 4 or seccomp): with "
        + "network_access = false, sandboxed commands are refused",
      fix: "a newer kernel (6.7+), or set network_access = true under [sandbox_workspace_write]")
  }

  /// Unprivileged user namespaces let the sandbox keep `.git` read-only with a bind mount;
  /// without them Landlock alone protects it, at the price of new top-level entries in
  /// writable roots (LandlockRulePlan).
  static func namespaceCheck(_ sysctl: (String) -> Int?) -> DoctorCheck {
    let switches: [(path: String, offWhen: Int)] = [
      ("/proc/sys/kernel/unprivileged_userns_clone", 0),
      ("/proc/sys/user/max_user_namespaces", 0),
      ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 1),
    ]
    for s in switches {
      if let value = sysctl(s.path), value == s.offWhen {
        let name = s.path.dropFirst("/proc/sys/".count).replacing("/", with: ".")
        return DoctorCheck(
          "namespaces", .warning,
          "unprivileged user namespaces are off (\(name) = \(value)): .git is kept read-only by "
            + "Landlock alone, so commands cannot create new top-level files in writable folders",
          fix: "sysctl -w \(name)=\(s.offWhen == 0 ? 1 : 0) (or run codex as root in a container)")
      }
    }
    return DoctorCheck(
      "namespaces", .ok, "user namespaces allowed: .git stays read-only through a bind mount")
  }

  static func readSysctl(_ path: String) -> Int? {
    guard let bytes = Platform.readFilePrefix(path, limit: 64) else { return nil }
    return Int(String(decoding: bytes, as: UTF8.self).trimmingWhitespace())
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
