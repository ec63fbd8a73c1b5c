/// The Landlock ruleset for one sandboxed command, computed without touching the kernel so it can
/// be tested as a table.
///
/// ## Keeping protected paths read-only inside a writable root
/// Landlock only ever *adds* rights, and a rule on a directory covers everything beneath it: once
/// a root is writable, no rule can take writes away from its `.git` (or `~/.bashrc` when the root
/// is `$HOME`). Two stacked rulesets do not help either (a right must be granted by both, and
/// "writable at the root" still implies "writable in `.git`"). So protection comes from two
/// other mechanisms (see `ProtectedPaths` for what is protected):
///
/// 1. **Read-only bind mount (existing paths, normal case).** The helper enters a private mount
///    namespace (with CAP_SYS_ADMIN) or a user + mount namespace (unprivileged; our uid/gid
///    mapped to themselves) and bind-mounts each such path onto itself read-only; then the
///    Landlock rules below apply with the root fully writable. Writes there fail with EROFS,
///    everything else in the root, including entries created later, is writable. Landlock
///    forbids mount/umount to the sandboxed command, and every capability is dropped before exec.
///    See `csb_setup_mounts`. Limits: inside a user namespace files of other users show as
///    `nobody`; other mounts of the same filesystem that lie inside a writable root are not
///    covered.
/// 2. **Landlock only** for paths that do not exist yet and for symlinks (a mount needs an
///    existing target, and a link must not be replaced), and for every protected path when no
///    namespace can be created (user namespaces disabled, AppArmor-restricted Ubuntu, some
///    containers): the directory holding the path gets no rights itself; each of its current
///    entries except the protected one gets all rights, recursing along the path to a deeper one.
///    The protected path stays read-only (and cannot be created), but *nothing new* can be
///    created in the directories on the way (and their entries cannot be deleted or renamed);
///    the entries' subtrees remain writable. Symlinked entries are skipped, since a rule would
///    follow the link out of the root.
struct LandlockRulePlan: Sendable, Equatable {
  struct Rule: Sendable, Equatable {
    var path: String
    var access: LandlockAccess
    /// A missing path is skipped rather than fatal (devices, roots that vanished).
    var optional: Bool
  }

  var handledFilesystem: LandlockAccess
  var handledNetwork: UInt64
  var scoped: UInt64
  var rules: [Rule]

  /// Device files a command may open for writing. Not `/dev/tty`: the command has no
  /// controlling terminal (it starts in a new session), and a terminal is a way to type into
  /// programs outside the sandbox.
  static let devices = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"]

  /// - Parameters:
  ///   - landlockOnlyHoles: protected paths kept read-only by Landlock alone (mechanism 2 above).
  ///   - listDirectory: a directory's entries (nil if unreadable), for the fallback.
  static func make(
    abi: Int, writableRoots: [String], landlockOnlyHoles: [String], blockNetwork: Bool,
    listDirectory: (String) -> [(name: String, kind: Platform.FileKind)]?
  ) -> LandlockRulePlan {
    let handled = LandlockAccess.handled(abi: abi)
    var handledNetwork: UInt64 = 0
    if blockNetwork && abi >= 4 {
      handledNetwork = LandlockNetworkAccess.bindTCP | LandlockNetworkAccess.connectTCP
    }
    var scoped: UInt64 = 0
    if abi >= 6 {
      // Signals only within the sandbox: a command cannot kill the user's other processes.
      scoped = LandlockScope.signal
      // Abstract unix sockets (X11, D-Bus, ...) are a way out of an offline sandbox.
      if blockNetwork { scoped |= LandlockScope.abstractUnixSocket }
    }

    var rules = [Rule(path: "/", access: .readAndExecute.intersection(handled), optional: false)]
    for device in devices {
      rules.append(
        Rule(path: device, access: LandlockAccess.deviceUse.intersection(handled), optional: true))
    }
    for root in writableRoots {
      for path in writablePaths(
        root: root, holes: landlockOnlyHoles, listDirectory: listDirectory)
      {
        rules.append(Rule(path: path, access: handled, optional: true))
      }
    }
    return LandlockRulePlan(
      handledFilesystem: handled, handledNetwork: handledNetwork, scoped: scoped, rules: rules)
  }

  /// The paths to grant all rights so that everything beneath `root` is writable except the
  /// holes (and, when a hole is inside, the directories on the way to it themselves).
  static func writablePaths(
    root: String, holes: [String],
    listDirectory: (String) -> [(name: String, kind: Platform.FileKind)]?
  ) -> [String] {
    let prefix = root == "/" ? "/" : root + "/"
    let inside = holes.filter { $0 == root || $0.hasPrefix(prefix) }
    if inside.isEmpty { return [root] }
    if inside.contains(root) { return [] }
    var paths: [String] = []
    for entry in (listDirectory(root) ?? []).sorted(by: { $0.name < $1.name }) {
      let child = prefix + entry.name
      if entry.kind == .symbolicLink || inside.contains(child) { continue }
      if inside.contains(where: { $0.hasPrefix(child + "/") }) {
        paths += writablePaths(root: child, holes: inside, listDirectory: listDirectory)
      } else {
        paths.append(child)
      }
    }
    return paths
  }
}
