import CSandbox
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A long-lived child that we talk to over its stdin and stdout (an MCP stdio server): started
/// with `posix_spawn` as the leader of its own process group, stderr appended to a log file, and
/// driven by one dedicated thread whose `poll()` loop reads stdout line by line, writes queued
/// input, and notices the exit through a pidfd. Nothing runs on the Swift cooperative pool.
///
/// - Lines (without their `\n`, a trailing `\r` removed) go to `onLine` on the loop's thread;
///   a line longer than `maxLineBytes` stops the child (a server that never ends its line would
///   otherwise grow our memory without bound).
/// - When the direct child exits, the rest of its process group is killed, stdout is drained
///   for at most half a second, and `onExit` is called once. Nothing is called after it.
/// - `terminate` closes stdin, waits, then SIGTERM and SIGKILL to the whole group (the MCP
///   lifecycle's shutdown); the process exit hooks kill every group still alive, so servers do
///   not outlive `codex` when it ends early.
public final class PipedChildProcess: Sendable {
  public struct Exit: Sendable, Equatable, CustomStringConvertible {
    public var exitCode: Int32?
    public var signal: Int32?
    /// Why we stopped it, when we did (a line too long, a shutdown).
    public var note: String?

    public var description: String {
      var text: String
      if let signal {
        text = "was killed by signal \(signal)"
      } else {
        text = "exited with status \(exitCode ?? -1)"
      }
      if let note { text += " (\(note))" }
      return text
    }
  }

  public static let defaultMaxLineBytes = 64 << 20

  public let pid: Int32
  private let control: Control

  /// Starts `executable` (a path, or a name searched in the `PATH` of `environment`).
  /// `stderrPath`: the file stderr is appended to (created 0600), nil for /dev/null.
  public init(
    executable: String, arguments: [String], workingDirectory: String,
    environment: [String: String], stderrPath: String?,
    maxLineBytes: Int = PipedChildProcess.defaultMaxLineBytes,
    onLine: @escaping @Sendable ([UInt8]) -> Void,
    onExit: @escaping @Sendable (Exit) -> Void
  ) throws(ProcessError) {
    let launch = try ProcessRunner.Launch(
      ProcessSpec(
        executable: executable, arguments: arguments, workingDirectory: workingDirectory,
        environment: environment, timeout: nil))
    let (stdinPipe, stdoutPipe) = try ChildSpawn.pipes()
    let pipeFDs = [stdinPipe.read, stdinPipe.write, stdoutPipe.read, stdoutPipe.write]
    // The log is a private file in $CODEX_HOME: never through a symbolic link, 0600.
    let errFD: Int32
    do {
      errFD =
        try stderrPath.map { try PrivateFiles.openForWriting($0, flags: O_APPEND) }
        ?? open("/dev/null", O_WRONLY | O_CLOEXEC)
    } catch {
      for fd in pipeFDs { close(fd) }
      throw .systemCallFailed(call: "open \(stderrPath ?? "/dev/null")", reason: "\(error)")
    }
    guard errFD >= 0 else {
      let reason = Platform.errorDescription(errno)
      for fd in pipeFDs { close(fd) }
      throw .systemCallFailed(call: "open /dev/null", reason: reason)
    }

    let (childPID, spawnError) = ChildSpawn.spawn(
      launch.executablePath, argv: launch.argv, environment: launch.environment,
      workingDirectory: launch.workingDirectory, stdin: stdinPipe.read, stdout: stdoutPipe.write,
      stderr: errFD, newSession: false)
    close(stdinPipe.read)
    close(stdoutPipe.write)
    close(errFD)
    guard spawnError == 0 else {
      close(stdinPipe.write)
      close(stdoutPipe.read)
      throw .spawnFailed(
        executable: launch.executablePath, reason: Platform.errorDescription(spawnError))
    }
    // Our end of stdin never blocks the loop: a server that stops reading gets its input queued.
    let flags = fcntl(stdinPipe.write, F_GETFL)
    _ = fcntl(stdinPipe.write, F_SETFL, flags | O_NONBLOCK)

    let wake: ChildProcessControl
    do {
      wake = try ChildProcessControl()
    } catch {
      _ = Glibc.kill(-childPID, SIGKILL)
      var status: Int32 = 0
      waitpid(childPID, &status, 0)
      close(stdinPipe.write)
      close(stdoutPipe.read)
      throw error
    }
    pid = childPID
    control = Control(pid: childPID, wake: wake)
    LiveProcessGroups.shared.add(childPID)
    let loop = Loop(
      pid: childPID, stdinFD: stdinPipe.write, stdoutFD: stdoutPipe.read, control: control,
      maxLineBytes: maxLineBytes, onLine: onLine, onExit: onExit)
    let started = Platform.startThread { loop.run() }
    if started != 0 {
      _ = Glibc.kill(-childPID, SIGKILL)
      loop.run()  // reaps at once: the group was just killed
    }
  }

  /// Queues `bytes` for the child's stdin. False when stdin is already closed or the child gone.
  @discardableResult
  public func write(_ bytes: [UInt8]) -> Bool {
    control.enqueue(bytes)
  }

  /// Asks the child to end: stdin is closed, then after `grace` the group gets SIGTERM, and
  /// after another `grace` SIGKILL. Returns at once; `onExit` reports the end.
  public func terminate(grace: Duration = .seconds(2)) {
    control.requestTermination(grace: grace)
  }

  /// SIGKILL to the whole group now.
  public func kill() {
    control.requestKill()
  }

  deinit {
    control.requestKill()
  }

  /// What other threads tell the loop; every change wakes it.
  final class Control: Sendable {
    struct State {
      var pending: [UInt8] = []
      var stdinOpen = true
      var exited = false
      var terminateGrace: Duration?
      var kill = false
    }
    let pid: Int32
    let wake: ChildProcessControl
    let state = Mutex(State())

    init(pid: Int32, wake: ChildProcessControl) {
      self.pid = pid
      self.wake = wake
    }

    func enqueue(_ bytes: [UInt8]) -> Bool {
      let accepted = state.withLock { s -> Bool in
        guard s.stdinOpen, !s.exited, s.terminateGrace == nil, !s.kill else { return false }
        s.pending += bytes
        return true
      }
      if accepted { wake.cancel() }
      return accepted
    }

    func requestTermination(grace: Duration) {
      state.withLock { s in
        if s.terminateGrace == nil { s.terminateGrace = grace }
      }
      wake.cancel()
    }

    func requestKill() {
      state.withLock { $0.kill = true }
      wake.cancel()
    }
  }

  /// The loop thread's own state; touched only on that thread.
  final class Loop: @unchecked Sendable {
    let pid: Int32
    var stdinFD: Int32
    var stdoutFD: Int32
    let pidFD: Int32?
    let control: Control
    let maxLineBytes: Int
    let onLine: @Sendable ([UInt8]) -> Void
    let onExit: @Sendable (Exit) -> Void
    var partial: [UInt8] = []
    var outgoing: [UInt8] = []
    var note: String?
    var lineTooLong = false

    init(
      pid: Int32, stdinFD: Int32, stdoutFD: Int32, control: Control, maxLineBytes: Int,
      onLine: @escaping @Sendable ([UInt8]) -> Void, onExit: @escaping @Sendable (Exit) -> Void
    ) {
      self.pid = pid
      self.stdinFD = stdinFD
      self.stdoutFD = stdoutFD
      let fd = csb_pidfd_open(pid)
      pidFD = fd >= 0 ? fd : nil
      self.control = control
      self.maxLineBytes = max(1, maxLineBytes)
      self.onLine = onLine
      self.onExit = onExit
    }

    func closeStdin() {
      if stdinFD >= 0 {
        close(stdinFD)
        stdinFD = -1
      }
      outgoing = []
      control.state.withLock {
        $0.stdinOpen = false
        $0.pending = []
      }
    }

    func run() {
      // A write to a server that has gone raises SIGPIPE in the writing thread: block it here
      // so the write fails with EPIPE instead of ending codex.
      var pipeSignal = sigset_t()
      sigemptyset(&pipeSignal)
      sigaddset(&pipeSignal, SIGPIPE)
      pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)

      let clock = ContinuousClock()
      var status: Int32?
      var stdoutOpen = true
      var drainDeadline: ContinuousClock.Instant?
      var termStage = 0  // 0 none, 1 stdin closed, 2 SIGTERM sent, 3 SIGKILL sent
      var nextStageAt: ContinuousClock.Instant?
      var killed = false
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
      defer { buffer.deallocate() }

      func signalGroup(_ signal: Int32) {
        // Only while the child is unreaped: its pid still names the group.
        if status == nil { _ = Glibc.kill(-pid, signal) }
      }

      while true {
        if status != nil && (!stdoutOpen || drainDeadline.map { clock.now >= $0 } ?? true) { break }
        let requests = control.state.withLock { s -> (Duration?, Bool) in
          outgoing += s.pending
          s.pending = []
          return (s.terminateGrace, s.kill)
        }
        let now = clock.now
        if requests.1 && !killed {
          note = note ?? "stopped by codex"
          signalGroup(SIGKILL)
          killed = true
          closeStdin()
        }
        if let grace = requests.0, termStage == 0, !killed {
          note = note ?? "shut down by codex"
          termStage = 1
          closeStdin()
          nextStageAt = now.advanced(by: grace)
        }
        if let at = nextStageAt, now >= at, status == nil, !killed {
          if termStage == 1 {
            signalGroup(SIGTERM)
            termStage = 2
            nextStageAt = now.advanced(by: requests.0 ?? .seconds(2))
          } else {
            signalGroup(SIGKILL)
            killed = true
            nextStageAt = nil
          }
        }
        if stdinFD >= 0 && !outgoing.isEmpty { writePending() }

        var timeout: Int32 = -1
        var wakeAt = drainDeadline
        if status == nil, !killed, let at = nextStageAt {
          wakeAt = wakeAt.map { min($0, at) } ?? at
        }
        if let wakeAt {
          let (seconds, attoseconds) = (wakeAt - now).components
          let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
          timeout = Int32(clamping: max(0, ms))
        }
        if status == nil && pidFD == nil { timeout = timeout < 0 ? 50 : min(timeout, 50) }
        var fds = [
          pollfd(fd: stdoutOpen ? stdoutFD : -1, events: Int16(POLLIN), revents: 0),
          pollfd(
            fd: stdinFD >= 0 && !outgoing.isEmpty ? stdinFD : -1, events: Int16(POLLOUT),
            revents: 0),
          pollfd(fd: status == nil ? (pidFD ?? -1) : -1, events: Int16(POLLIN), revents: 0),
          pollfd(fd: control.wake.wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        if ready < 0 {
          if errno == EINTR { continue }
          signalGroup(SIGKILL)
          killed = true
          break
        }
        if fds[3].revents != 0 { control.wake.consumeWake() }
        let readable = Int16(POLLIN | POLLHUP | POLLERR)
        if stdoutOpen && fds[0].revents & readable != 0 {
          stdoutOpen = readChunk(buffer)
          if !stdoutOpen, status == nil, !killed, termStage == 0 {
            // A server that closes stdout cannot answer any more: stop it.
            note = note ?? "closed its stdout"
            closeStdin()
            termStage = 1
            nextStageAt = clock.now.advanced(by: .milliseconds(500))
          }
          if lineTooLong, !killed {
            signalGroup(SIGKILL)
            killed = true
            closeStdin()
          }
        }
        if fds[1].revents & Int16(POLLERR | POLLHUP) != 0 { closeStdin() }
        if status == nil && (fds[2].revents != 0 || (pidFD == nil && childHasExited())) {
          signalGroup(SIGKILL)  // background jobs of the server end with it
          status = reap()
          drainDeadline = clock.now.advanced(by: .milliseconds(500))
          closeStdin()
        }
      }
      if status == nil {
        signalGroup(SIGKILL)
        status = reap()
      }
      if !partial.isEmpty, !lineTooLong {
        let last = partial
        partial = []
        deliver(last)
      }
      closeStdin()
      if stdoutFD >= 0 { close(stdoutFD) }
      if let pidFD { close(pidFD) }
      control.state.withLock { $0.exited = true }
      control.wake.close()
      LiveProcessGroups.shared.remove(pid)
      let s = status ?? 0
      onExit(
        Exit(
          exitCode: csb_wifexited(s) != 0 ? csb_wexitstatus(s) : nil,
          signal: csb_wifsignaled(s) != 0 ? csb_wtermsig(s) : nil, note: note))
    }

    /// Reads what is there; false at EOF or on a read error.
    func readChunk(_ buffer: UnsafeMutableRawBufferPointer) -> Bool {
      while true {
        let count = read(stdoutFD, buffer.baseAddress, buffer.count)
        if count > 0 {
          split(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
          return !lineTooLong
        }
        if count < 0 && errno == EINTR { continue }
        if count < 0 && errno == EAGAIN { return true }
        return false
      }
    }

    func split(_ bytes: UnsafeRawBufferPointer) {
      var start = 0
      for i in 0..<bytes.count where bytes[i] == 0x0A {
        partial.append(contentsOf: bytes[start..<i])
        let line = partial
        partial = []
        deliver(line)
        start = i + 1
      }
      partial.append(contentsOf: bytes[start..<bytes.count])
      if partial.count > maxLineBytes {
        partial = []
        lineTooLong = true
        note = note ?? "sent a line longer than \(maxLineBytes) bytes"
      }
    }

    func deliver(_ line: [UInt8]) {
      var line = line
      if line.last == 0x0D { line.removeLast() }
      onLine(line)
    }

    func writePending() {
      while !outgoing.isEmpty {
        let written = outgoing.withUnsafeBytes { Glibc.write(stdinFD, $0.baseAddress, $0.count) }
        if written > 0 {
          outgoing.removeFirst(written)
          continue
        }
        if written < 0 && errno == EINTR { continue }
        if written < 0 && errno == EAGAIN { return }
        // EPIPE: the server closed its stdin. Consume the SIGPIPE this thread has pending.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var zero = timespec(tv_sec: 0, tv_nsec: 0)
        _ = sigtimedwait(&pipeSignal, nil, &zero)
        closeStdin()
        return
      }
    }

    func childHasExited() -> Bool {
      var info = siginfo_t()
      while waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 {
        if errno != EINTR { return true }
      }
      return info._sifields._sigchld.si_pid != 0
    }

    func reap() -> Int32 {
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 {
        if errno != EINTR { return status }
      }
      return status
    }
  }
}

/// Process groups of long-lived children still running, killed when `codex` exits (through
/// `Platform.exit`), so a server never outlives the session that started it.
final class LiveProcessGroups: Sendable {
  static let shared = LiveProcessGroups()
  private let groups = Mutex<Set<Int32>>([])
  private let hookInstalled = Atomic<Bool>(false)

  func add(_ pid: Int32) {
    groups.withLock { _ = $0.insert(pid) }
    if !hookInstalled.exchange(true, ordering: .acquiringAndReleasing) {
      Platform.atExit { LiveProcessGroups.shared.killAll() }
    }
  }

  func remove(_ pid: Int32) {
    groups.withLock { _ = $0.remove(pid) }
  }

  func killAll() {
    for pid in groups.withLock({ $0 }) { _ = kill(-pid, SIGKILL) }
  }
}
