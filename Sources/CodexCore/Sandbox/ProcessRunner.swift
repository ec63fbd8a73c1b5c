import CSandbox

/// Runs one process to completion: `posix_spawn` into a new session (own process group, no
/// controlling terminal), then a single `poll()` loop over stdout, stderr and a pidfd on a
/// dedicated OS thread (never on the Swift cooperative pool, which blocking reads would starve),
/// bridged to `async`.
///
/// - The result comes back when the direct child exits; anything it left running in its process
///   group (`sleep 100 &`) is killed then, and the pipes are drained for at most 0.5 s.
/// - Timeout: SIGTERM to the group and every descendant, SIGKILL 2 s later.
/// - Task cancellation: SIGKILL to the group and every descendant at once, then
///   `CancellationError`.
/// - Limit: a process that leaves the group (`setsid`) *and* is orphaned before the end is out of
///   reach here. Commands that must not leave anything behind run under the sandbox helper
///   (`LinuxSandbox.wrap`, every policy), a subreaper that keeps them in its tree and kills
///   them all when the command exits.
public enum ProcessRunner {
  static let killGrace: Duration = .seconds(2)
  static let drainLimit: Duration = .milliseconds(500)

  /// - Parameter onOutput: called on the runner's thread with each chunk of stdout or stderr, in
  ///   arrival order, before the process ends (for live display).
  public static func run(
    _ spec: ProcessSpec, onOutput: (@Sendable ([UInt8]) -> Void)? = nil
  ) async throws -> ProcessResult {
    try Task.checkCancellation()
    let launch = try Launch(spec)
    let control = try ChildProcessControl()
    defer { control.close() }
    let outcome: Result<ProcessResult?, ProcessError> = await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        let rc = Platform.startThread {
          continuation.resume(returning: runBlocking(launch, control: control, onOutput: onOutput))
        }
        if rc != 0 {
          continuation.resume(
            returning: .failure(
              .systemCallFailed(call: "pthread_create", reason: Platform.errorDescription(rc))))
        }
      }
    } onCancel: {
      control.cancel()
    }
    switch outcome {
    case .success(let result?): return result
    case .success(nil): throw CancellationError()
    case .failure(let error): throw error
    }
  }

  /// Everything checked and converted before the child starts.
  struct Launch: Sendable {
    var executablePath: String
    var argv: [String]
    var environment: [String]
    var workingDirectory: String
    var timeout: Duration?
    var outputLimit: Int

    init(_ spec: ProcessSpec) throws(ProcessError) {
      // A NUL byte would silently cut the C string short: what ran would not be what was asked.
      let strings =
        [spec.executable, spec.workingDirectory] + spec.arguments
        + spec.environment.flatMap { [$0.key, $0.value] }
      if let bad = strings.first(where: { $0.utf8.contains(0) }) {
        throw .invalidArgument("contains a NUL byte: \(bad.debugDescription)")
      }
      // posix_spawn reports a bad directory and a missing executable both as ENOENT: check first.
      switch Platform.fileKind(spec.workingDirectory) {
      case .directory?: break
      case nil:
        throw .invalidWorkingDirectory(
          path: spec.workingDirectory,
          reason: Platform.fileKindError(spec.workingDirectory) ?? "does not exist")
      case _?:
        throw .invalidWorkingDirectory(path: spec.workingDirectory, reason: "not a directory")
      }
      executablePath = try ExecutableLocator.resolve(
        spec.executable, workingDirectory: spec.workingDirectory,
        searchPath: spec.environment["PATH"])
      argv = [spec.executable] + spec.arguments
      environment = spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      workingDirectory = spec.workingDirectory
      timeout = spec.timeout
      outputLimit = max(0, spec.outputLimit)
    }
  }

  /// nil result: cancelled.
  private static func runBlocking(
    _ launch: Launch, control: ChildProcessControl, onOutput: (@Sendable ([UInt8]) -> Void)?
  ) -> Result<ProcessResult?, ProcessError> {
    if control.isCancelled { return .success(nil) }
    let clock = ContinuousClock()
    let start = clock.now
    let child: PosixChildProcess
    do {
      child = try PosixChildProcess(
        executablePath: launch.executablePath, argv: launch.argv,
        environment: launch.environment, workingDirectory: launch.workingDirectory)
    } catch {
      return .failure(error)
    }
    var combined = CappedByteBuffer(limit: launch.outputLimit * 2)
    var stdout = CappedByteBuffer(limit: launch.outputLimit)
    var stderr = CappedByteBuffer(limit: launch.outputLimit)
    let outcome = child.supervise(
      timeout: launch.timeout, killGrace: killGrace, drainLimit: drainLimit, control: control
    ) { stream, bytes in
      combined.append(bytes)
      switch stream {
      case .stdout: stdout.append(bytes)
      case .stderr: stderr.append(bytes)
      }
      onOutput?(Array(bytes))
    }
    let duration = clock.now - start
    if outcome.cancelled { return .success(nil) }
    let output = combined.finish()
    let out = stdout.finish()
    let err = stderr.finish()
    let status = outcome.status
    return .success(
      ProcessResult(
        exitCode: csb_wifexited(status) != 0 ? csb_wexitstatus(status) : nil,
        signal: csb_wifsignaled(status) != 0 ? csb_wtermsig(status) : nil,
        timedOut: outcome.timedOut, output: output.bytes, stdout: out.bytes, stderr: err.bytes,
        outputTruncation: output.truncation, stdoutTruncation: out.truncation,
        stderrTruncation: err.truncation, duration: duration))
  }
}
