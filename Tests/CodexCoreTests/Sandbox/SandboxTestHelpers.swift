import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

/// A fresh directory under the system temp dir (symlinks resolved), removed by `remove()`.
struct TemporaryDirectory {
  let path: String

  init(_ label: String = "codex-test") throws {
    let base = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
    path = base + "/\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }

  func file(_ name: String) -> String { path + "/" + name }
}

let testSearchPath = "/usr/local/bin:/usr/bin:/bin"

func bashSpec(
  _ script: String, in directory: String = "/", timeout: Duration? = .seconds(60),
  environment: [String: String] = ["PATH": testSearchPath], outputLimit: Int = 1 << 20
) -> ProcessSpec {
  ProcessSpec(
    executable: "bash", arguments: ["-c", script], workingDirectory: directory,
    environment: environment, timeout: timeout, outputLimit: outputLimit)
}

/// Alive means running: a zombie (dead, but not reaped by a container's PID 1) counts as dead.
func isAlive(_ pid: Int32) -> Bool {
  guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
    return false
  }
  // The state follows the parenthesised command name, which may itself contain spaces.
  guard let close = stat.lastIndex(of: ")") else { return false }
  let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
  return state != "Z" && state != "X"
}

/// Waits (bounded by a generous limit, not a timing assertion) for SIGKILLed processes to finish
/// dying, then reports the ones still running.
func survivors(_ pids: [Int32]) async -> [Int32] {
  for _ in 0..<100 {
    if !pids.contains(where: isAlive) { return [] }
    try? await Task.sleep(for: .milliseconds(50))
  }
  return pids.filter(isAlive)
}

func pids(in text: String) -> [Int32] {
  text.split(whereSeparator: \.isNewline).compactMap { Int32($0) }
}

/// Runs `script` with bash under `policy`, through the real `codex --sandbox-exec`.
func runSandboxed(
  _ script: String, policy: SandboxPolicy, in directory: String,
  environment: [String: String] = ["PATH": testSearchPath], protectedPaths: [String] = [],
  sandbox: LinuxSandbox = LinuxSandbox(), timeout: Duration? = .seconds(60)
) async throws -> ProcessResult {
  let spec = bashSpec(script, in: directory, timeout: timeout, environment: environment)
  let wrapped = try sandbox.wrap(
    spec, policy: policy, protectedPaths: protectedPaths,
    sandboxExecutable: try requireCodexBinary())
  return try await ProcessRunner.run(wrapped)
}

/// Runs `codex --sandbox-exec ARGUMENTS` directly (for options `wrap` does not produce, such as
/// `--no-namespaces`).
func runHelper(
  _ arguments: SandboxExecArguments, in directory: String, timeout: Duration? = .seconds(60)
) async throws -> ProcessResult {
  try await ProcessRunner.run(
    ProcessSpec(
      executable: try requireCodexBinary(),
      arguments: ["--sandbox-exec"] + arguments.commandLine, workingDirectory: directory,
      environment: [:], timeout: timeout))
}

let python3Available = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

/// A one-line-per-step python program run by the sandboxed bash: `python3 -c '...'` quoting is
/// error-prone, so the program goes through a here-document.
func pythonScript(_ program: String) -> String {
  "python3 - <<'PYTHON'\n" + program + "\nPYTHON\n"
}

/// Runs blocking work (a pseudo-terminal conversation) on a thread of its own, so it never holds
/// one of the few threads of Swift's cooperative pool that the other tests need.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    let rc = Platform.startThread { continuation.resume(with: Result { try body() }) }
    if rc != 0 { continuation.resume(throwing: POSIXError(.EAGAIN)) }
  }
}
