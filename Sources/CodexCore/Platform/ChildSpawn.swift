import CSandbox

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The `posix_spawn` setup every child process of codex shares (`PosixChildProcess` for
/// commands, `PipedChildProcess` for MCP servers), so the two cannot drift apart.
enum ChildSpawn {
  /// A pipe whose ends are both close-on-exec, so a sibling spawned at the same time never
  /// inherits (and holds open) them.
  static func pipe() throws(ProcessError) -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    let rc = csb_pipe_cloexec(&fds)
    guard rc == 0 else {
      throw .systemCallFailed(call: "pipe2", reason: Platform.errorDescription(rc))
    }
    return (fds[0], fds[1])
  }

  /// Two pipes, or none (the first is closed again when the second fails).
  static func pipes() throws(ProcessError) -> (
    first: (read: Int32, write: Int32), second: (read: Int32, write: Int32)
  ) {
    let first = try pipe()
    do {
      return (first, try pipe())
    } catch {
      close(first.read)
      close(first.write)
      throw error
    }
  }

  /// Starts `executablePath` (already resolved) with `stdin` (nil: /dev/null), `stdout` and
  /// `stderr` as its standard descriptors, every other inherited descriptor closed (also those
  /// *we* inherited without close-on-exec, a parent shell's), in `workingDirectory`, with
  /// default signal dispositions and an empty signal mask, in a process group of its own —
  /// with `newSession`, a session of its own too, so no controlling terminal.
  /// - Returns: the child's pid, and `posix_spawn`'s error code (0 when it started).
  static func spawn(
    _ executablePath: String, argv: [String], environment: [String], workingDirectory: String,
    stdin: Int32?, stdout: Int32, stderr: Int32, newSession: Bool
  ) -> (pid: pid_t, error: Int32) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let stdin {
      posix_spawn_file_actions_adddup2(&actions, stdin, 0)
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    posix_spawn_file_actions_adddup2(&actions, stdout, 1)
    posix_spawn_file_actions_adddup2(&actions, stderr, 2)
    _ = csb_spawn_addclosefrom(&actions, 3)
    _ = csb_spawn_addchdir(&actions, workingDirectory)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    let signalFlags = Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
    if newSession {
      // A new session is a new process group too.
      posix_spawnattr_setflags(&attributes, csb_spawn_setsid_flag() | signalFlags)
    } else {
      posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP) | signalFlags)
      posix_spawnattr_setpgroup(&attributes, 0)
    }
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)

    var childPID: pid_t = 0
    let error = Platform.withCStringArray(argv) { cArgv in
      Platform.withCStringArray(environment) { cEnvironment in
        posix_spawn(&childPID, executablePath, &actions, &attributes, cArgv, cEnvironment)
      }
    }
    return (childPID, error)
  }
}
