import CSandbox

/// Turns a `ProcessSpec` into one that runs the same command under a `SandboxPolicy`, by
/// re-executing our own binary: `codex --sandbox-exec --rw ROOT... [--ro-hole PATH]... [--no-net]
/// -- COMMAND...` (see `SandboxExec`). Neither posix_spawn nor Foundation offers a hook between
/// fork and exec, and fork() in a multithreaded Swift process is unsafe, so the restriction has to
/// happen in a fresh process.
///
/// If the kernel cannot enforce what the policy asks, `wrap` throws; it never silently returns an
/// unsandboxed command.
public struct LinuxSandbox: Sendable {
  public var landlock: LandlockSupport
  /// Whether the seccomp filter that denies AF_INET/AF_INET6 sockets can be installed.
  public var seccompNetworkFilter: Bool

  /// Probes the running kernel.
  public init() {
    self.init(
      landlock: LandlockSupport.probe(),
      seccompNetworkFilter: csb_seccomp_network_filter_available() == 0)
  }

  public init(landlock: LandlockSupport, seccompNetworkFilter: Bool) {
    self.landlock = landlock
    self.seccompNetworkFilter = seccompNetworkFilter
  }

  /// - Parameter sandboxExecutable: the absolute path of the `codex` binary that implements
  ///   `--sandbox-exec` (normally `Platform.currentExecutablePath()`).
  public func wrap(_ spec: ProcessSpec, policy: SandboxPolicy, sandboxExecutable: String) throws
    -> ProcessSpec
  {
    let roots: [String]
    switch policy {
    case .dangerFullAccess: return spec
    case .readOnly: roots = []
    case .workspaceWrite(let writableRoots, _):
      roots = Self.canonicalRoots(writableRoots, relativeTo: spec.workingDirectory)
    }
    guard case .available(let abi) = landlock else {
      throw SandboxError.unavailable(landlock.description)
    }
    let blockNetwork = !policy.allowsNetwork
    if blockNetwork && abi < 4 && !seccompNetworkFilter {
      throw SandboxError.unavailable(
        "cannot disable network access: needs Landlock ABI 4 (Linux 6.7+) or seccomp filters; "
          + "this kernel has Landlock ABI \(abi) and no usable seccomp")
    }
    guard sandboxExecutable.hasPrefix("/") else {
      throw SandboxError.unavailable(
        "the sandbox helper must be an absolute path, got \(sandboxExecutable)")
    }

    // Resolve the command here, against the command's own PATH, so the child can exec a path.
    let program =
      (try? ExecutableLocator.resolve(
        spec.executable, workingDirectory: spec.workingDirectory,
        searchPath: spec.environment["PATH"])) ?? spec.executable
    let arguments = SandboxExecArguments(
      writableRoots: roots, readOnlyHoles: Self.readOnlyHoles(in: roots),
      blockNetwork: blockNetwork, command: [program] + spec.arguments)

    var wrapped = spec
    wrapped.executable = sandboxExecutable
    wrapped.arguments = ["--sandbox-exec"] + arguments.commandLine
    // As codex-rs: lets scripts and test suites skip what needs the network.
    if blockNetwork { wrapped.environment["CODEX_SANDBOX_NETWORK_DISABLED"] = "1" }
    return wrapped
  }

  /// Absolute, symlink-free roots (Landlock and the mount code both need the real path); roots
  /// that do not exist are dropped, duplicates removed.
  static func canonicalRoots(_ roots: [String], relativeTo directory: String) -> [String] {
    var seen = Set<String>()
    return roots.compactMap {
      Platform.realPath(ExecutableLocator.absolute($0, relativeTo: directory))
    }.filter { seen.insert($0).inserted }
  }

  /// The paths that must stay read-only inside writable roots: each root's `.git` (directory, or
  /// file pointing elsewhere, plus the git directory it names when that lies in a writable root).
  /// A target outside every writable root is read-only anyway and needs no hole.
  static func readOnlyHoles(in roots: [String]) -> [String] {
    func isWritable(_ path: String) -> Bool {
      roots.contains { path == $0 || path.hasPrefix($0 == "/" ? "/" : $0 + "/") }
    }
    var holes: [String] = []
    for root in roots {
      let dotGit = (root == "/" ? "" : root) + "/.git"
      guard let kind = Platform.fileKind(dotGit, followSymlinks: false) else { continue }
      var candidates = [dotGit]
      if kind == .regular, let target = gitDirectoryPointer(dotGit) {
        candidates.append(ExecutableLocator.absolute(target, relativeTo: root))
      }
      for candidate in candidates {
        guard let real = Platform.realPath(candidate), isWritable(real), !holes.contains(real)
        else { continue }
        holes.append(real)
      }
    }
    return holes
  }

  /// The `gitdir: PATH` line of a `.git` file (worktrees, submodules).
  private static func gitDirectoryPointer(_ path: String) -> String? {
    guard let bytes = Platform.readFilePrefix(path, limit: 4096) else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    guard let line = text.split(whereSeparator: \.isNewline).first, line.hasPrefix("gitdir:")
    else { return nil }
    let target = line.dropFirst("gitdir:".count).trimmingBlanks()
    return target.isEmpty ? nil : target
  }
}

extension Substring {
  fileprivate func trimmingBlanks() -> String {
    var slice = self[...]
    while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
    return String(slice)
  }
}
