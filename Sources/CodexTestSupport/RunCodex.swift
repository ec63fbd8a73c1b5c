import CodexCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What a run of the built `codex` binary produced.
public struct CodexRun: Sendable {
  public var exitCode: Int32?
  public var stdout: String
  public var stderr: String
}

/// A scratch folder for one end-to-end test: `home/` (HOME and CODEX_HOME live below it) and
/// `work/` (the working directory). Removed by `cleanUp()`.
public struct Scratch: Sendable {
  public let root: String
  public var home: String { root + "/home" }
  public var codexHome: String { root + "/home/.codex" }
  public var work: String { root + "/work" }

  /// `base`: where the scratch folder goes. Sandbox tests put it outside /tmp (which the
  /// workspace-write sandbox keeps writable) to have somewhere the sandbox must refuse.
  public init(base: String = FileManager.default.temporaryDirectory.path) throws {
    root = base + "/codex-e2e-" + UUID().uuidString.prefix(8).lowercased()
    for d in [codexHome, work] {
      try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    }
  }

  public func write(_ relativePath: String, _ text: String) throws {
    let path = root + "/" + relativePath
    let dir = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  public func read(_ relativePath: String) -> String? {
    FileManager.default.contents(atPath: root + "/" + relativePath).map {
      String(decoding: $0, as: UTF8.self)
    }
  }

  public func cleanUp() { try? FileManager.default.removeItem(atPath: root) }

  /// Runs `codex` with `arguments` in `work/`, with a clean environment: only PATH, HOME,
  /// CODEX_HOME, TERM=dumb and `environment`. `stdin` is piped in when given (else /dev/null).
  public func run(
    _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
    timeout: Duration = .seconds(60)
  ) async throws -> CodexRun {
    let binary = try requireCodexBinary()
    var env: [String: String] = [
      "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "CODEX_HOME": codexHome, "TERM": "dumb",
    ]
    for (k, v) in environment { env[k] = v }
    var spec = ProcessSpec(
      executable: binary, arguments: arguments, workingDirectory: work, environment: env,
      timeout: timeout)
    if let stdin {
      // ProcessSpec gives children /dev/null for stdin; a shell redirect feeds a file instead.
      let file = root + "/stdin-\(UUID().uuidString.prefix(6))"
      try Data(stdin.utf8).write(to: URL(fileURLWithPath: file))
      spec = ProcessSpec(
        executable: "/bin/bash",
        arguments: ["-c", "exec \"$0\" \"$@\" < \"$CODEX_TEST_STDIN\"", binary] + arguments,
        workingDirectory: work, environment: env.merging(["CODEX_TEST_STDIN": file]) { a, _ in a },
        timeout: timeout)
    }
    let r = try await ProcessRunner.run(spec)
    return CodexRun(
      exitCode: r.timedOut ? nil : r.exitCode, stdout: r.stdoutText, stderr: r.stderrText)
  }
}
