/// What a sandboxed command may do (codex-rs `sandbox_mode`).
public enum SandboxPolicy: Sendable, Equatable {
  /// Read anything, write nothing (except /dev/null and friends), no network.
  case readOnly
  /// Read anything, write beneath `writableRoots` (the `.git` directly inside each stays
  /// read-only), network only when `networkAccess`.
  case workspaceWrite(writableRoots: [String], networkAccess: Bool)
  /// No sandbox at all.
  case dangerFullAccess

  public var allowsNetwork: Bool {
    switch self {
    case .readOnly: return false
    case .workspaceWrite(_, let networkAccess): return networkAccess
    case .dangerFullAccess: return true
    }
  }

  /// The usual writable roots for workspace-write (codex-rs): the working directory, extra roots,
  /// `/tmp` and `$TMPDIR` unless excluded. Duplicates removed, order kept.
  public static func workspaceWriteRoots(
    workingDirectory: String, additionalRoots: [String] = [], environment: [String: String],
    includeSlashTmp: Bool = true, includeTmpdir: Bool = true
  ) -> [String] {
    var roots = [workingDirectory] + additionalRoots
    if includeSlashTmp { roots.append("/tmp") }
    if includeTmpdir, let tmpdir = environment["TMPDIR"], !tmpdir.isEmpty { roots.append(tmpdir) }
    var seen = Set<String>()
    return roots.filter { seen.insert($0).inserted }
  }
}
