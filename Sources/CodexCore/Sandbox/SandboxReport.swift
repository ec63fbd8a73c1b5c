/// What `codex --sandbox-exec --report` found it could enforce on this kernel, after doing the
/// same setup a command gets. One `key=value` line per field, so the parent (and tests) can read
/// it back.
public struct SandboxReport: Sendable, Equatable {
  public enum Namespace: String, Sendable {
    /// No namespace could be created: protected paths rely on Landlock alone, and nothing
    /// outside the roots is mounted read-only.
    case none
    /// A private mount namespace (root).
    case mount
    /// A user namespace plus mount namespace (unprivileged).
    case user
  }

  public var landlockABI = 0
  public var namespace = Namespace.none
  /// Everything outside the writable roots is mounted read-only (chmod, chown, timestamps,
  /// extended attributes and truncate fail there too).
  public var readOnlyOutsideRoots = false
  public var seccomp = false
  /// The search for nested `.git` stopped before reading every directory of a root.
  public var gitSearchTruncated = false
  public var protectedByMount: [String] = []
  public var protectedByLandlock: [String] = []

  public init() {}

  var rendered: String {
    var lines = [
      "landlock-abi=\(landlockABI)", "namespace=\(namespace.rawValue)",
      "read-only-outside-roots=\(readOnlyOutsideRoots)", "seccomp=\(seccomp)",
      "git-search-truncated=\(gitSearchTruncated)",
    ]
    lines += protectedByMount.map { "protected-by-mount=\($0)" }
    lines += protectedByLandlock.map { "protected-by-landlock=\($0)" }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Reads `rendered` back; nil when the text is not a report.
  public init?(parsing text: String) {
    var sawABI = false
    for line in text.split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { return nil }
      let key = line[..<equals]
      let value = String(line[line.index(after: equals)...])
      switch key {
      case "landlock-abi":
        guard let abi = Int(value) else { return nil }
        landlockABI = abi
        sawABI = true
      case "namespace":
        guard let namespace = Namespace(rawValue: value) else { return nil }
        self.namespace = namespace
      case "read-only-outside-roots": readOnlyOutsideRoots = value == "true"
      case "seccomp": seccomp = value == "true"
      case "git-search-truncated": gitSearchTruncated = value == "true"
      case "protected-by-mount": protectedByMount.append(value)
      case "protected-by-landlock": protectedByLandlock.append(value)
      default: return nil
      }
    }
    guard sawABI else { return nil }
  }

  /// What this kernel leaves unenforced, one sentence each (empty: everything the sandbox
  /// promises holds). `blockNetwork`: the policy turns the network off (without seccomp such a
  /// command is refused, so nothing is left to report for it).
  public func unenforced(blockNetwork: Bool) -> [String] {
    var gaps: [String] = []
    if namespace == .none {
      gaps.append(
        "no user namespaces: chmod, chown, timestamps and extended attributes outside the "
          + "writable roots are not prevented, and protected paths (.git, start-up files) use "
          + "Landlock rules that also stop new entries next to them")
    } else if !readOnlyOutsideRoots {
      gaps.append(
        "no mount_setattr (Linux < 5.12): chmod, chown, timestamps and extended attributes "
          + "outside the writable roots are not prevented")
    }
    if landlockABI < 3 && !seccomp {
      gaps.append("Landlock ABI \(landlockABI) < 3 and no seccomp: truncate(2) is not governed")
    }
    if landlockABI < 5 {
      gaps.append(
        "Landlock ABI \(landlockABI) < 5: ioctl on device files is not restricted "
          + (seccomp ? "(only TIOCSTI and TIOCLINUX are refused)" : "at all"))
    }
    if landlockABI < 6 {
      gaps.append(
        "Landlock ABI \(landlockABI) < 6: a command can signal your other processes "
          + (seccomp ? "(codex and its supervisor are protected by seccomp)" : ""))
    }
    if !seccomp {
      gaps.append("no seccomp: io_uring and terminal input injection (TIOCSTI) are not filtered")
    }
    if gitSearchTruncated {
      gaps.append(
        "a writable root has more than \(ProtectedPaths.gitSearchBudget) directories: nested "
          + ".git folders beyond them are not protected")
    }
    return gaps.map { $0.hasSuffix(" ") ? String($0.dropLast()) : $0 }
  }
}
