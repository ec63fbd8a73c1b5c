// Platform file: a long-running `codex` child (`codex serve`) for end-to-end tests, with its
// stderr in a file the test reads as the server writes it.
import CodexCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#endif

public struct ServeProcessError: Error, CustomStringConvertible {
  public var description: String
  public init(description: String) { self.description = description }
}

/// `codex serve ...` started in a `Scratch`, its stderr going to `stderrPath`.
public final class ServeProcess: @unchecked Sendable {
  public let pid: pid_t
  public let stderrPath: String
  /// The port from the "listening on" line.
  public private(set) var port = 0
  private var exitStatus: Int32?

  /// Starts `codex` with `arguments` (say `["serve", "--port", "0"]`) and waits until it says
  /// where it listens, or exits.
  public init(
    scratch: Scratch, arguments: [String], environment: [String: String] = [:],
    timeout: Duration = .seconds(60)
  ) async throws {
    let binary = try requireCodexBinary()
    stderrPath = scratch.root + "/serve-\(UUID().uuidString.prefix(6)).err"
    var env: [String: String] = [
      "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": scratch.home, "CODEX_HOME": scratch.codexHome,
      "TERM": "dumb",
    ]
    for (k, v) in environment { env[k] = v }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = ([binary] + arguments).map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for p in argv { free(p) }
      for p in envp { free(p) }
    }
    var child: pid_t = 0
    let rc = posix_spawn(&child, binary, &actions, nil, argv, envp)
    guard rc == 0 else {
      throw ServeProcessError(description: "cannot start \(binary): error \(rc)")
    }
    pid = child
    let deadline = ContinuousClock.now + timeout
    while true {
      if let line = stderr.split(separator: "\n").first(where: { $0.contains("listening on") }),
        let end = line.firstRange(of: "/v1 "),
        let colon = line[..<end.lowerBound].lastIndex(of: ":"),
        let p = Int(line[line.index(after: colon)..<end.lowerBound])
      {
        port = p
        return
      }
      if let status = pollExit() {
        throw ServeProcessError(description: "codex serve exited with \(status): \(stderr)")
      }
      if ContinuousClock.now > deadline {
        kill(pid, SIGKILL)
        throw ServeProcessError(description: "codex serve did not start: \(stderr)")
      }
      try await Task.sleep(for: .milliseconds(10))
    }
  }

  deinit {
    if exitStatus == nil {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
  }

  /// `http://127.0.0.1:PORT`.
  public var baseURL: String { "http://127.0.0.1:\(port)" }

  /// Everything the server wrote to stderr so far.
  public var stderr: String {
    FileManager.default.contents(atPath: stderrPath).map { String(decoding: $0, as: UTF8.self) }
      ?? ""
  }

  public func signal(_ sig: Int32) { kill(pid, sig) }

  public static let interrupt = SIGINT
  public static let terminate = SIGTERM

  /// The exit code once the process has exited (a signal shows as 128 + its number), polling
  /// without blocking.
  public func pollExit() -> Int32? {
    if let exitStatus { return exitStatus }
    var status: Int32 = 0
    guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    exitStatus = code
    return code
  }

  /// Waits for the exit; nil if it did not come within `timeout`.
  public func waitForExit(timeout: Duration = .seconds(60)) async -> Int32? {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if let code = pollExit() { return code }
      try? await Task.sleep(for: .milliseconds(10))
    }
    return nil
  }

  /// Waits until stderr has a line containing `text`.
  public func waitForLog(_ text: String, timeout: Duration = .seconds(30)) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if stderr.contains(text) { return true }
      try? await Task.sleep(for: .milliseconds(10))
    }
    return false
  }
}
