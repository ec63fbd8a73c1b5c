/// Why a command cannot run inside the requested sandbox. Each case reads as one line.
public enum SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The kernel cannot enforce the policy; the command must not run (never run unsandboxed).
  case unavailable(String)
  /// A malformed `codex --sandbox-exec` command line.
  case invalidArguments(String)
  /// A step of entering the sandbox failed in the child.
  case setupFailed(String)

  public var description: String {
    switch self {
    case .unavailable(let reason): return "sandbox unavailable: \(reason)"
    case .invalidArguments(let reason): return "invalid sandbox arguments: \(reason)"
    case .setupFailed(let reason): return reason
    }
  }
}
