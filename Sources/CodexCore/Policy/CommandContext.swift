/// Where a command runs and where the agent is meant to work: what the safety and danger checks
/// need to judge paths (`rm -r ~`, `cd sub && git diff`). Built by the shell tool for each call;
/// the checks stay pure functions of the command and this value.
public struct CommandContext: Equatable, Sendable {
  /// The absolute directory the command starts in (the call's `workdir`).
  public var workdir: String
  /// The session's workspace (the `-C` folder): the one place where git may run unasked, since
  /// the sandbox keeps its `.git` read-only.
  public var workspace: String
  /// `$HOME`, when known; a deletion of it or above it is always dangerous.
  public var home: String?
  /// Where the agent is meant to write: the workspace, extra writable roots, `/tmp`, `$TMPDIR`
  /// (the `workspace-write` roots, whatever the sandbox mode). Recursive deletions outside them
  /// are dangerous, and programs found in them are not trusted by known-safe commands.
  public var writableRoots: [String]

  public init(workdir: String, workspace: String, home: String?, writableRoots: [String]) {
    self.workdir = Paths.normalize(workdir)
    self.workspace = Paths.normalize(workspace)
    self.home = home.flatMap { $0.hasPrefix("/") ? Paths.normalize($0) : nil }
    self.writableRoots = writableRoots.filter { $0.hasPrefix("/") }.map(Paths.normalize)
  }

  /// `path` as an absolute, lexically normalised path, from `directory` (nil: unknown, which
  /// makes every relative path unknown). `~` and `~/x` use `home`; `~user` and anything with an
  /// expansion in it is unknown. Symlinks are not followed: this is a judgement on the text.
  func resolve(_ path: String, from directory: String?) -> String? {
    if path.contains("$") || path.contains("`") { return nil }
    if path == "~" || path.hasPrefix("~/") {
      guard let home else { return nil }
      return Paths.normalize(home + "/" + path.dropFirst())
    }
    if path.hasPrefix("~") { return nil }
    if path.hasPrefix("/") { return Paths.normalize(path) }
    guard let directory else { return nil }
    return Paths.normalize(directory + "/" + path)
  }

  /// True when `path` is one of the writable roots or below one.
  func isInsideWritableRoot(_ path: String) -> Bool {
    writableRoots.contains { isSameOrBelow(path, $0) }
  }
}

/// `path` equals `base` or lies below it (both normalised absolute paths).
func isSameOrBelow(_ path: String, _ base: String) -> Bool {
  if base == "/" { return true }
  return path == base || path.hasPrefix(base + "/")
}
