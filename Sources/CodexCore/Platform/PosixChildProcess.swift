import CSandbox
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A child started with `posix_spawn` as the leader of a new session (so without a controlling
/// terminal: it cannot open `/dev/tty` or type into the user's terminal), with stdout and stderr
/// on pipes and a pidfd that becomes readable when it exits. `supervise` drives all of it from
/// one `poll()` loop, on the calling (dedicated) thread: no extra threads, no SIGCHLD handler, and
/// exit is noticed when the command exits even if a background job still holds the pipes.
///
/// Signals go to the child's process group *and* to every process descended from the child
/// (found through /proc), so a grandchild that left the group (`setsid`) is reached too as long
/// as it has not been orphaned. The sandbox helper is a child subreaper, so under it nothing is
/// ever orphaned away from the tree.
struct PosixChildProcess: ~Copyable {
  let pid: pid_t
  private let stdoutFD: Int32
  private let stderrFD: Int32
  /// nil on kernels without pidfd_open (< 5.3): the loop then polls waitid every 50 ms.
  private let pidFD: Int32?

  enum Stream {
    case stdout
    case stderr
  }

  struct Outcome {
    /// The raw wait status of the direct child.
    var status: Int32
    var timedOut: Bool
    var cancelled: Bool
  }

  /// Starts `executablePath` (already resolved; no PATH search) in a new session, with stdin from
  /// /dev/null, all other inherited descriptors closed, default signal dispositions and an empty
  /// signal mask.
  /// Throws `ProcessError` with the failing step.
  init(executablePath: String, argv: [String], environment: [String], workingDirectory: String)
    throws(ProcessError)
  {
    let (stdoutPipe, stderrPipe) = try ChildSpawn.pipes()
    let (childPID, spawnError) = ChildSpawn.spawn(
      executablePath, argv: argv, environment: environment, workingDirectory: workingDirectory,
      stdin: nil, stdout: stdoutPipe.write, stderr: stderrPipe.write, newSession: true)
    close(stdoutPipe.write)
    close(stderrPipe.write)
    guard spawnError == 0 else {
      close(stdoutPipe.read)
      close(stderrPipe.read)
      throw .spawnFailed(
        executable: executablePath, reason: Platform.errorDescription(spawnError))
    }
    pid = childPID
    stdoutFD = stdoutPipe.read
    stderrFD = stderrPipe.read
    let pidfd = csb_pidfd_open(childPID)
    pidFD = pidfd >= 0 ? pidfd : nil
  }

  deinit {
    close(stdoutFD)
    close(stderrFD)
    if let pidFD { close(pidFD) }
  }

  /// Runs until the child has exited and the pipes are drained, then reaps it.
  /// - Timeout: SIGTERM to the whole tree, SIGKILL after `killGrace`.
  /// - Cancellation (`control.cancel()`): SIGKILL to the tree at once.
  /// - When the direct child exits, the rest of its group (background jobs) is killed and the pipes
  ///   are drained for at most `drainLimit`: an orphaned process may hold them open.
  func supervise(
    timeout: Duration?, killGrace: Duration, drainLimit: Duration, control: ChildProcessControl,
    onData: (Stream, UnsafeRawBufferPointer) -> Void
  ) -> Outcome {
    let clock = ContinuousClock()
    let deadline = timeout.map { clock.now.advanced(by: $0) }
    var killDeadline: ContinuousClock.Instant?
    var drainDeadline: ContinuousClock.Instant?
    var stdoutOpen = true
    var stderrOpen = true
    var status: Int32?
    var timedOut = false
    var cancelled = false
    var killed = false
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    defer { buffer.deallocate() }

    // Only ever called while the child is unreaped: its pid still names the group (and the root
    // of the tree), so the signal cannot reach a recycled process group.
    func signalGroup(_ signal: Int32) {
      kill(-pid, signal)
    }

    /// The child is frozen while its descendants are signalled: otherwise it could see them die
    /// (a shell in `wait`) and exit 0 before its own signal arrives, and a timed-out command
    /// would look like one that finished. Continued, it meets the pending signal first.
    func signalTree(_ signal: Int32) {
      kill(pid, SIGSTOP)
      _ = csb_signal_descendants(pid, signal)
      kill(-pid, signal)
      kill(pid, SIGCONT)
    }

    /// The child is frozen first (so it cannot exit on its own and be reported as such), then
    /// its descendants are killed while it still lives: orphans of the tree are re-parented to it
    /// (when it is a subreaper, as the sandbox helper is), so every round finds what the last one
    /// left. A killed process cannot fork, so the rounds end; the bound is for a tree that forks
    /// faster than /proc can be read.
    func killTree() {
      kill(pid, SIGSTOP)
      var rounds = 0
      while rounds < 50 && csb_signal_descendants(pid, SIGKILL) > 0 { rounds += 1 }
      kill(-pid, SIGKILL)
    }

    func readChunk(_ fd: Int32, _ stream: Stream) -> Bool {
      while true {
        let count = read(fd, buffer.baseAddress, buffer.count)
        if count > 0 {
          onData(stream, UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
          return true
        }
        if count < 0 && (errno == EINTR) { continue }
        if count < 0 && errno == EAGAIN { return true }
        return false  // EOF or a read error: this stream is finished
      }
    }

    while true {
      if status != nil && !stdoutOpen && !stderrOpen { break }
      let now = clock.now
      if let drainDeadline, now >= drainDeadline { break }
      if status == nil {
        if !cancelled && control.isCancelled {
          cancelled = true
          killTree()
          killed = true
        }
        if let deadline, !timedOut, !killed, now >= deadline {
          timedOut = true
          signalTree(SIGTERM)
          killDeadline = now.advanced(by: killGrace)
        }
        if let killDeadline, !killed, now >= killDeadline {
          killTree()
          killed = true
        }
      }

      var wakeAt = drainDeadline
      if status == nil && !killed {
        let pending = [timedOut ? nil : deadline, killDeadline].compactMap { $0 }
        if let earliest = pending.min() { wakeAt = wakeAt.map { min($0, earliest) } ?? earliest }
      }
      var timeoutMilliseconds: Int32 = -1
      if let wakeAt {
        let (seconds, attoseconds) = (wakeAt - now).components
        let milliseconds =
          seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        timeoutMilliseconds = Int32(clamping: max(0, milliseconds))
      }
      if status == nil && pidFD == nil {
        timeoutMilliseconds = timeoutMilliseconds < 0 ? 50 : min(timeoutMilliseconds, 50)
      }

      var fds = [
        pollfd(fd: stdoutOpen ? stdoutFD : -1, events: Int16(POLLIN), revents: 0),
        pollfd(fd: stderrOpen ? stderrFD : -1, events: Int16(POLLIN), revents: 0),
        pollfd(fd: status == nil ? (pidFD ?? -1) : -1, events: Int16(POLLIN), revents: 0),
        pollfd(fd: control.wakeFD, events: Int16(POLLIN), revents: 0),
      ]
      let ready = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
      if ready < 0 {
        if errno == EINTR { continue }
        // poll itself failed (should not happen): stop the command rather than spin.
        if status == nil && !killed {
          killTree()
          killed = true
        }
        break
      }
      let readable = Int16(POLLIN | POLLHUP | POLLERR)
      if fds[3].revents != 0 { control.consumeWake() }
      // Pipes before the exit check, so output written just before exit is kept in order.
      if stdoutOpen && fds[0].revents & readable != 0 { stdoutOpen = readChunk(stdoutFD, .stdout) }
      if stderrOpen && fds[1].revents & readable != 0 { stderrOpen = readChunk(stderrFD, .stderr) }
      if status == nil && (fds[2].revents != 0 || (pidFD == nil && childHasExited())) {
        // The direct child is a zombie now: end its background jobs, then reap it.
        signalGroup(SIGKILL)
        status = reap()
        drainDeadline = clock.now.advanced(by: drainLimit)
      }
    }
    if status == nil {
      if !killed { killTree() }
      status = reap()
    }
    return Outcome(status: status ?? 0, timedOut: timedOut, cancelled: cancelled)
  }

  /// True once the child has exited, without reaping it (so its pid keeps naming the group).
  private func childHasExited() -> Bool {
    var info = siginfo_t()
    while waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 {
      if errno != EINTR { return true }  // ECHILD: nothing left to wait for
    }
    return info._sifields._sigchld.si_pid != 0  // WNOHANG leaves it 0 while still running
  }

  private func reap() -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      if errno != EINTR { return status }
    }
    return status
  }
}

/// Lets another thread (a task cancellation handler) interrupt `supervise`: sets a flag and wakes
/// the poll loop through an eventfd. The fd is closed under the same lock, so a late `cancel()`
/// can never write into a recycled descriptor.
final class ChildProcessControl: Sendable {
  private struct State {
    var wakeFD: Int32
    var cancelled = false
  }
  private let state: Mutex<State>
  /// Read only by the supervising thread while the control is open.
  let wakeFD: Int32

  init() throws(ProcessError) {
    let fd = csb_wake_fd_create()
    guard fd >= 0 else {
      throw .systemCallFailed(call: "eventfd", reason: Platform.errorDescription(fd))
    }
    wakeFD = fd
    state = Mutex(State(wakeFD: fd))
  }

  var isCancelled: Bool { state.withLock { $0.cancelled } }

  func cancel() {
    state.withLock { state in
      state.cancelled = true
      if state.wakeFD >= 0 { _ = csb_wake_fd_signal(state.wakeFD) }
    }
  }

  func consumeWake() {
    var counter: UInt64 = 0
    _ = read(wakeFD, &counter, MemoryLayout<UInt64>.size)
  }

  func close() {
    state.withLock { state in
      if state.wakeFD >= 0 {
        closeDescriptor(state.wakeFD)
        state.wakeFD = -1
      }
    }
  }
}

private func closeDescriptor(_ fd: Int32) {
  _ = close(fd)
}
