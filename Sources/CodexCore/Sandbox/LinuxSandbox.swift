import CSandbox

/// Turns a `ProcessSpec` into one that runs the same command under a `SandboxPolicy`, by
/// re-executing our own binary: `codex --sandbox-exec --rw ROOT... [--protect PATH]...
/// [--no-net] --env NAME=VALUE... -- COMMAND...` (see `SandboxExec`). Neither posix_spawn nor
/// Foundation offers a hook between fork and exec, and fork() in a multithreaded Swift process is
/// unsafe, so the restriction has to happen in a fresh process.
///
/// Every command goes through the helper, unsandboxed ones (`danger-full-access`) included: the
/// helper supervises it, so nothing the command starts outlives it (see `csb_fork_supervised`).
///
/// If the kernel cannot enforce what the policy asks, `wrap` throws; it never silently returns an
/// unsandboxed command.
public struct LinuxSandbox: Sendable {
  public var landlock: LandlockSupport
  /// Whether our seccomp filter can be installed.
  public var seccompFilter: Bool

  /// The helper to re-execute: this very process's executable, through `/proc/self/exe`, which
  /// names the file codex was started from even after something replaced or removed the path
  /// (a `codex` built inside the workspace can be rewritten by a sandboxed command, and running
  /// it again would run that command's code outside the sandbox). The kernel refuses writes to a
  /// running executable (ETXTBSY), so the file itself cannot change underneath.
  public static let selfExecutable = "/proc/self/exe"

  /// Probes the running kernel.
  public init() {
    self.init(
      landlock: LandlockSupport.probe(), seccompFilter: csb_seccomp_filter_available() == 0)
  }

  /// `landlock` may claim a lower ABI than the kernel's: the helper then acts as that older
  /// kernel would (for tests of the fallbacks).
  public init(landlock: LandlockSupport, seccompFilter: Bool) {
    self.landlock = landlock
    self.seccompFilter = seccompFilter
  }

  /// - Parameters:
  ///   - protectedPaths: paths that stay read-only where they fall inside a writable root, even
  ///     when they do not exist yet (`ProtectedPaths.userPaths`); git's are added by the helper.
  ///   - sandboxExecutable: the `codex` binary that implements `--sandbox-exec` (normally
  ///     `selfExecutable`).
  public func wrap(
    _ spec: ProcessSpec, policy: SandboxPolicy, protectedPaths: [String] = [],
    sandboxExecutable: String
  ) throws -> ProcessSpec {
    try wrap(
      spec, policy: policy, protectedPaths: protectedPaths, sandboxExecutable: sandboxExecutable,
      report: false)
  }

  /// What this kernel leaves unenforced under `policy`, one sentence each (for `/status`): the
  /// helper does the setup a command would get and reports what took effect.
  public func unenforced(
    policy: SandboxPolicy, workingDirectory: String, protectedPaths: [String] = [],
    sandboxExecutable: String = LinuxSandbox.selfExecutable
  ) async -> [String] {
    if policy == .dangerFullAccess { return [] }
    guard landlock.abi != nil else {
      return ["\(landlock.description): sandboxed commands are refused"]
    }
    let probe = ProcessSpec(
      executable: "/bin/true", workingDirectory: workingDirectory, environment: [:],
      timeout: .seconds(30))
    do {
      let spec = try wrap(
        probe, policy: policy, protectedPaths: protectedPaths,
        sandboxExecutable: sandboxExecutable, report: true)
      let result = try await ProcessRunner.run(spec)
      guard result.exitCode == 0, let report = SandboxReport(parsing: result.stdoutText) else {
        let why = result.stderrText.trimmingWhitespace()
        return ["the sandbox cannot be set up: \(why.isEmpty ? "unknown error" : why)"]
      }
      return report.unenforced(blockNetwork: !policy.allowsNetwork)
    } catch {
      return ["the sandbox cannot be set up: \(error)"]
    }
  }

  func wrap(
    _ spec: ProcessSpec, policy: SandboxPolicy, protectedPaths: [String],
    sandboxExecutable: String, report: Bool
  ) throws -> ProcessSpec {
    try Self.refuseNULBytes(spec, protectedPaths: protectedPaths)
    guard sandboxExecutable.hasPrefix("/") else {
      throw SandboxError.unavailable(
        "the sandbox helper must be an absolute path, got \(sandboxExecutable)")
    }
    let roots: [String]
    var arguments = SandboxExecArguments(report: report, command: [])
    switch policy {
    case .dangerFullAccess:
      arguments.unsandboxed = true
      roots = []
    case .readOnly: roots = []
    case .workspaceWrite(let writableRoots, _):
      roots = Self.canonicalRoots(writableRoots, relativeTo: spec.workingDirectory)
    }
    let blockNetwork = !policy.allowsNetwork
    if !arguments.unsandboxed {
      guard case .available(let abi) = landlock else {
        throw SandboxError.unavailable(landlock.description)
      }
      if blockNetwork && !seccompFilter {
        throw SandboxError.unavailable(
          "cannot disable network access: needs seccomp filters (to close UDP and Unix "
            + "sockets), and this kernel has none")
      }
      arguments.writableRoots = roots
      arguments.protectedPaths = protectedPaths
      arguments.blockNetwork = blockNetwork
      if abi < LandlockSupport.probe().abi ?? abi { arguments.assumedABI = abi }
    }

    // Resolve the command here, against the command's own PATH, so the child can exec a path.
    let program =
      (try? ExecutableLocator.resolve(
        spec.executable, workingDirectory: spec.workingDirectory,
        searchPath: spec.environment["PATH"])) ?? spec.executable
    var environment = spec.environment
    // As codex-rs: lets scripts and test suites skip what needs the network.
    if blockNetwork && !arguments.unsandboxed {
      environment["CODEX_SANDBOX_NETWORK_DISABLED"] = "1"
    }
    arguments.environment = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    arguments.command = [program] + spec.arguments

    var wrapped = spec
    wrapped.executable = sandboxExecutable
    wrapped.arguments = ["--sandbox-exec"] + arguments.commandLine
    // The helper runs with no environment of its own (see `SandboxExecArguments`).
    wrapped.environment = [:]
    return wrapped
  }

  /// A NUL byte would cut a C string short and silently change what runs (the policy helper
  /// rejects them first; this is the second line).
  static func refuseNULBytes(_ spec: ProcessSpec, protectedPaths: [String]) throws {
    let strings =
      [spec.executable, spec.workingDirectory] + spec.arguments + protectedPaths
      + spec.environment.flatMap { [$0.key, $0.value] }
    if let bad = strings.first(where: { $0.utf8.contains(0) }) {
      throw SandboxError.invalidArguments("contains a NUL byte: \(bad.debugDescription)")
    }
  }

  /// Absolute, symlink-free roots (Landlock and the mount code both need the real path); roots
  /// that do not exist are dropped, duplicates removed.
  static func canonicalRoots(_ roots: [String], relativeTo directory: String) -> [String] {
    var seen = Set<String>()
    return roots.compactMap {
      Platform.realPath(ExecutableLocator.absolute($0, relativeTo: directory))
    }.filter { seen.insert($0).inserted }
  }
}
