/// Why a process could not be started. Each case reads as one line.
public enum ProcessError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A bare command name not found in PATH, or a path that does not exist.
  case executableNotFound(executable: String, searchPath: String?)
  case invalidWorkingDirectory(path: String, reason: String)
  /// posix_spawn itself failed (permission denied, exec format error, ...).
  case spawnFailed(executable: String, reason: String)
  case systemCallFailed(call: String, reason: String)
  /// An argument, environment entry or path that cannot be passed to a process.
  case invalidArgument(String)

  public var description: String {
    switch self {
    case .executableNotFound(let executable, let searchPath?):
      return "command not found: \(executable) (searched PATH=\(searchPath))"
    case .executableNotFound(let executable, nil):
      return "no such executable: \(executable)"
    case .invalidWorkingDirectory(let path, let reason):
      return "cannot use working directory \(path): \(reason)"
    case .spawnFailed(let executable, let reason):
      return "cannot start \(executable): \(reason)"
    case .systemCallFailed(let call, let reason):
      return "cannot start a process: \(call) failed: \(reason)"
    case .invalidArgument(let reason):
      return "cannot start a process: an argument \(reason)"
    }
  }
}
