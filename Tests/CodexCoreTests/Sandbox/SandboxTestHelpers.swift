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
