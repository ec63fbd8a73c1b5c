import CSandbox

/// Whether this kernel can enforce Landlock rules, and which ABI version it speaks.
public enum LandlockSupport: Sendable, Equatable, CustomStringConvertible {
  case available(abi: Int)
  case unavailable(reason: String)

  /// Asks the kernel: `landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)`.
  /// (`/sys/kernel/security/lsm` is often not mounted, so it is not consulted.)
  public static func probe() -> LandlockSupport {
    let abi = csb_landlock_abi_version()
    if abi >= 1 { return .available(abi: Int(abi)) }
    let code = Int32(truncatingIfNeeded: -abi)
    switch code {
    case Platform.Errno.notImplemented:
      return .unavailable(
        reason: "the kernel has no Landlock support (needs Linux 5.13+ built with "
          + "CONFIG_SECURITY_LANDLOCK)")
    case Platform.Errno.notSupported:
      return .unavailable(
        reason: "Landlock is disabled on this system (add landlock to the lsm= kernel boot "
          + "parameter)")
    default:
      return .unavailable(reason: "the Landlock probe failed: \(Platform.errorDescription(code))")
    }
  }

  public var abi: Int? {
    if case .available(let abi) = self { return abi }
    return nil
  }

  public var description: String {
    switch self {
    case .available(let abi): return "Landlock ABI \(abi)"
    case .unavailable(let reason): return "Landlock unavailable: \(reason)"
    }
  }
}
