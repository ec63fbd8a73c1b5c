import CodexCore
import Foundation
import Synchronization
import Testing

/// The bytes of a recorded transcript in `Tests/CodexCoreTests/Fixtures`.
func fixtureBytes(_ name: String, filePath: String = #filePath) throws -> [UInt8] {
  let testsDirectory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
  let url = testsDirectory.appendingPathComponent("Fixtures").appendingPathComponent(name)
  return [UInt8](try Data(contentsOf: url))
}

/// Reads a whole body.
func collect(_ body: HTTPBody) async throws -> [UInt8] {
  var bytes: [UInt8] = []
  for try await chunk in body { bytes += chunk }
  return bytes
}

/// The outcome of `task`, or nil if it has not finished within `limit`. The limit only keeps a
/// broken cancel from hanging the suite; it is deliberately generous and asserts no speed.
func result<T: Sendable>(
  of task: Task<T, any Error>, within limit: Duration = .seconds(30)
) async -> Result<T, any Error>? {
  let box = OneShot<Result<T, any Error>?>()
  return await withCheckedContinuation { continuation in
    box.arm(continuation)
    Task { box.resume(await task.result) }
    Task {
      try? await Task.sleep(for: limit)
      box.resume(nil)
    }
  }
}

/// Resumes a continuation once, whoever comes first.
private final class OneShot<Value: Sendable>: Sendable {
  private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

  func arm(_ c: CheckedContinuation<Value, Never>) {
    continuation.withLock { $0 = c }
  }

  func resume(_ value: Value) {
    continuation.withLock {
      $0?.resume(returning: value)
      $0 = nil
    }
  }
}

/// Polls `condition` until it holds or `limit` passes (a hang guard, not a speed assertion).
func eventually(
  within limit: Duration = .seconds(30), _ condition: @Sendable () -> Bool
) async -> Bool {
  let deadline = ContinuousClock.now + limit
  while !condition() {
    if ContinuousClock.now >= deadline { return false }
    try? await Task.sleep(for: .milliseconds(5))
  }
  return true
}
