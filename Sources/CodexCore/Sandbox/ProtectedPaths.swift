import CSandbox

/// What a sandboxed command must not change even inside its writable roots, because something
/// outside the sandbox later reads and runs it:
/// - `$CODEX_HOME` (`config.toml`'s `notify` runs after every turn, unsandboxed);
/// - the start-up files of shells and git, and `~/.ssh` (the login environment is captured by an
///   unsandboxed `bash -lc`, and the user's own terminal runs them);
/// - every repository's `.git` (hooks, `core.fsmonitor`), the git directory and common directory
///   a `.git` file points at, a `core.hooksPath` and config files pulled in with `include.path`.
///
/// The parent names the first two (`userPaths`); the sandbox helper finds the git ones itself at
/// the moment the command starts (`gitPaths`), so what it protects is what is there then.
public enum ProtectedPaths {
  /// Relative to `$HOME`. The shells' start-up files (bash, sh, zsh), git's and ssh's
  /// configuration, systemd user units and session environment (they run at the next login), and
  /// the two directories Debian's `~/.profile` puts first on PATH.
  static let homeEntries = [
    ".profile", ".bash_profile", ".bash_login", ".bashrc", ".bash_logout", ".zshenv",
    ".zprofile", ".zshrc", ".zlogin", ".zlogout", ".pam_environment", ".gitconfig", ".ssh",
    ".config/git", ".config/systemd", ".config/environment.d", ".config/autostart",
    ".config/fish", ".local/bin", "bin",
  ]

  /// The same for `$XDG_CONFIG_HOME` when it is set elsewhere.
  static let configEntries = ["git", "systemd", "environment.d", "autostart", "fish"]

  /// zsh reads these from `$ZDOTDIR` when it is set.
  static let zshEntries = [".zshenv", ".zprofile", ".zshrc", ".zlogin", ".zlogout"]

  /// How many directories the search for nested `.git` reads per writable root (breadth first,
  /// so shallow repositories are found first). Each costs about three syscalls, some 10 µs of
  /// system time on a loaded machine: at most ~0.1 s on a huge tree, a few ms on a usual one.
  static let gitSearchBudget = 10_000

  /// Writable roots searched only for a repository they lie in, not for nested ones: they hold
  /// other programs' scratch trees, and searching them on every command would cost more than
  /// most commands.
  static func isTemporaryRoot(_ root: String, environment: [String: String]) -> Bool {
    var temporary = ["/tmp", "/var/tmp", "/dev/shm"]
    if let tmpdir = environment["TMPDIR"], !tmpdir.isEmpty {
      temporary.append(Platform.realPath(tmpdir) ?? tmpdir)
    }
    return temporary.contains(root)
  }

  /// `$CODEX_HOME` and the start-up files below `$HOME` (existing or not: creating `~/.bashrc`
  /// must fail too). Absolute, not resolved; the sandbox keeps those that lie inside a writable
  /// root.
  public static func userPaths(home: String?, codexHome: String?, environment: [String: String])
    -> [String]
  {
    var paths: [String] = []
    if let codexHome, codexHome.hasPrefix("/") { paths.append(codexHome) }
    if let home, home.hasPrefix("/") {
      let base = home == "/" ? "" : home
      paths += homeEntries.map { base + "/" + $0 }
    }
    if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
      paths += configEntries.map { config + "/" + $0 }
    }
    if let zdotdir = environment["ZDOTDIR"], zdotdir.hasPrefix("/") {
      paths += zshEntries.map { zdotdir + "/" + $0 }
    }
    var seen = Set<String>()
    return paths.map(Paths.normalize).filter { seen.insert($0).inserted }
  }

  /// Tells whether the writable roots contain the user's home directory (the workspace is
  /// `$HOME` or one of its parents). The sandbox still protects start-up files and `$CODEX_HOME`
  /// there, but it has to refuse creating anything new directly in the home directory; the front
  /// end says so when the session starts. Returns the root that contains it.
  public static func rootContainingHome(writableRoots: [String], home: String?) -> String? {
    guard let home, home.hasPrefix("/") else { return nil }
    let realHome = Platform.realPath(home) ?? Paths.normalize(home)
    for root in writableRoots {
      let realRoot = Platform.realPath(root) ?? Paths.normalize(root)
      if contains(realRoot, realHome) { return root }
    }
    return nil
  }

  /// The protected paths, as the sandbox helper applies them: each of `candidates`, resolved,
  /// that lies inside a writable root (a symlink counts twice: the link itself, which must not
  /// be replaced, and its target).
  struct Placement: Equatable {
    /// Existing files and directories: bind-mounted read-only (or, without namespaces, kept
    /// read-only by Landlock rules around them).
    var existing: [String] = []
    /// Missing paths and symlinks: their directory refuses new and removed entries (Landlock).
    var absentOrLinks: [String] = []
  }

  static func place(_ candidates: [String], writableRoots roots: [String]) -> Placement {
    var placement = Placement()
    var seen = Set<String>()
    func add(_ path: String) {
      guard roots.contains(where: { contains($0, path) }), seen.insert(path).inserted else {
        return
      }
      switch Platform.fileKind(path, followSymlinks: false) {
      case .directory?, .regular?, .other?: placement.existing.append(path)
      case .symbolicLink?, nil: placement.absentOrLinks.append(path)
      }
    }
    for candidate in candidates {
      let lexical = resolvingParent(candidate)
      add(lexical)
      if let target = Platform.realPath(candidate), target != lexical { add(target) }
    }
    return placement
  }

  /// `path` with its existing ancestors' symlinks resolved and the missing rest appended, so a
  /// path that does not exist yet still compares with the canonical writable roots.
  static func resolvingParent(_ path: String) -> String {
    let normalized = Paths.normalize(path)
    var existing = normalized
    var missing: [Substring] = []
    while existing != "/" {
      if Platform.fileKind(existing, followSymlinks: false) != nil {
        break
      }
      let slash = existing.lastIndex(of: "/") ?? existing.startIndex
      missing.insert(existing[existing.index(after: slash)...], at: 0)
      existing = slash == existing.startIndex ? "/" : String(existing[..<slash])
    }
    // The last component itself is not followed: a symlink is protected as a link.
    var base = existing
    if missing.isEmpty {
      let slash = existing.lastIndex(of: "/") ?? existing.startIndex
      let parent = slash == existing.startIndex ? "/" : String(existing[..<slash])
      let name = existing[existing.index(after: slash)...]
      guard existing != "/" else { return "/" }
      base = Platform.realPath(parent) ?? parent
      return (base == "/" ? "" : base) + "/" + name
    }
    base = Platform.realPath(existing) ?? existing
    return (base == "/" ? "" : base) + "/" + missing.joined(separator: "/")
  }

  /// True when `path` is `root` or lies below it.
  static func contains(_ root: String, _ path: String) -> Bool {
    path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
  }

  // MARK: - Git

  /// Everything of git's inside or around the writable roots that must stay read-only: each
  /// repository's `.git` (the repositories containing a root and every one found beneath it),
  /// the git and common directories a `.git` file points at, `core.hooksPath` directories and
  /// included config files (from the repositories' and the user's config). `truncated` is set
  /// when a root had more directories than the search reads. Temporary roots are not searched
  /// beneath (`isTemporaryRoot`).
  static func gitPaths(writableRoots roots: [String], environment: [String: String])
    -> (paths: [String], truncated: Bool)
  {
    var dotGits: [String] = []
    var truncated = false
    for root in roots {
      if let enclosing = enclosingDotGit(of: root), !dotGits.contains(enclosing) {
        dotGits.append(enclosing)
      }
      if isTemporaryRoot(root, environment: environment) {
        let own = (root == "/" ? "" : root) + "/.git"
        if Platform.fileKind(own, followSymlinks: false) != nil, !dotGits.contains(own) {
          dotGits.append(own)
        }
        continue
      }
      let found = findEntries(named: ".git", under: root, budget: gitSearchBudget)
      truncated = truncated || found.truncated
      for path in found.paths where !dotGits.contains(path) { dotGits.append(path) }
    }

    var paths: [String] = []
    let home = environment["HOME"]
    var globalConfigs: [String] = []
    if let global = environment["GIT_CONFIG_GLOBAL"], !global.isEmpty {
      globalConfigs.append(global)
    } else if let home {
      globalConfigs.append(home + "/.gitconfig")
      let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      globalConfigs.append((config ?? home + "/.config") + "/git/config")
    }
    globalConfigs.append(environment["GIT_CONFIG_SYSTEM"] ?? "/etc/gitconfig")
    var globalHooks: [String] = []
    for config in globalConfigs {
      let findings = configFindings(config, home: home)
      paths += findings.includes
      globalHooks += findings.hooks
    }
    // A relative hooks path in the user's config means that folder in every repository.
    for hooks in globalHooks where hooks.hasPrefix("/") { paths.append(hooks) }
    let relativeGlobalHooks = globalHooks.filter { !$0.hasPrefix("/") }

    for dotGit in dotGits {
      paths.append(dotGit)
      let worktree = parent(of: dotGit)
      var configs: [String] = []
      if Platform.fileKind(dotGit, followSymlinks: true) == .regular,
        let target = gitDirectoryPointer(dotGit)
      {
        let gitDirectory = Paths.absolute(target, relativeTo: worktree)
        paths.append(gitDirectory)
        var common = gitDirectory
        if let pointer = firstLine(gitDirectory + "/commondir") {
          common = Paths.absolute(pointer, relativeTo: gitDirectory)
          paths.append(common)
        }
        configs = [common + "/config", gitDirectory + "/config.worktree"]
      } else {
        configs = [dotGit + "/config", dotGit + "/config.worktree"]
      }
      for config in configs {
        let findings = configFindings(config, home: home)
        paths += findings.includes
        paths += findings.hooks.map { Paths.absolute($0, relativeTo: worktree) }
      }
      paths += relativeGlobalHooks.map { Paths.absolute($0, relativeTo: worktree) }
    }
    var seen = Set<String>()
    return (paths.map(Paths.normalize).filter { seen.insert($0).inserted }, truncated)
  }

  /// The `.git` of the repository a root lies in (searching upwards from its parent, as git
  /// does), if any.
  static func enclosingDotGit(of root: String) -> String? {
    var directory = parent(of: root)
    while true {
      let candidate = (directory == "/" ? "" : directory) + "/.git"
      if Platform.fileKind(candidate, followSymlinks: false) != nil { return candidate }
      if directory == "/" { return nil }
      directory = parent(of: directory)
    }
  }

  /// The include files and hooks paths named by a config file and, recursively, by the files it
  /// includes. Include paths are resolved (relative to the including file, `~/` to `home`);
  /// hooks paths keep a relative form, which git resolves against each working tree.
  static func configFindings(_ path: String, home: String?, depth: Int = 0)
    -> (includes: [String], hooks: [String])
  {
    guard depth < 10, let bytes = Platform.readFilePrefix(path, limit: 1 << 20) else {
      return ([], [])
    }
    let findings = GitConfigScanner.scan(String(decoding: bytes, as: UTF8.self))
    var includes: [String] = []
    var hooks = findings.hooksPaths.map { expandHome($0, home: home) }
    for include in findings.includePaths {
      let resolved = Paths.absolute(expandHome(include, home: home), relativeTo: parent(of: path))
      includes.append(resolved)
      let nested = configFindings(resolved, home: home, depth: depth + 1)
      includes += nested.includes
      hooks += nested.hooks
    }
    return (includes, hooks)
  }

  private static func expandHome(_ path: String, home: String?) -> String {
    guard path.hasPrefix("~/"), let home else { return path }
    return home + path.dropFirst()
  }

  /// The `gitdir: PATH` line of a `.git` file (worktrees, submodules).
  static func gitDirectoryPointer(_ path: String) -> String? {
    guard let line = firstLine(path), line.hasPrefix("gitdir:") else { return nil }
    let target = String(line.dropFirst("gitdir:".count)).trimmingWhitespace()
    return target.isEmpty ? nil : target
  }

  private static func firstLine(_ path: String) -> String? {
    guard let bytes = Platform.readFilePrefix(path, limit: 4096) else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    guard let line = text.split(whereSeparator: \.isNewline).first else { return nil }
    let trimmed = String(line).trimmingWhitespace()
    return trimmed.isEmpty ? nil : trimmed
  }

  private static func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }

  /// Entries called `name` beneath `root` (see `csb_find_entries_named`).
  static func findEntries(named name: String, under root: String, budget: Int)
    -> (paths: [String], truncated: Bool)
  {
    var length = 0
    var truncated: Int32 = 0
    guard let buffer = csb_find_entries_named(root, name, max(0, budget), &length, &truncated)
    else { return ([], truncated != 0) }
    defer { csb_free(buffer) }
    let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
    let paths = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    return (paths, truncated != 0)
  }
}
