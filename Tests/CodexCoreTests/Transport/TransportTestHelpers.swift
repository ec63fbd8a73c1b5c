import CodexCore
import CodexTestSupport
import Foundation
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
/// broken cancel from hanging the suite; it asserts no speed, and time the test could not run
/// (other tests holding the cooperative pool) does not count against it (`Waiting`).
func result<T: Sendable>(
  of task: Task<T, any Error>, within limit: Duration = .seconds(30)
) async -> Result<T, any Error>? {
  await Waiting.result(of: task, budget: limit)
}

/// Polls `condition` until it holds or `limit` passes (a hang guard, not a speed assertion;
/// counted as in `Waiting.until`).
func eventually(
  within limit: Duration = .seconds(30), _ condition: @Sendable () -> Bool
) async -> Bool {
  await Waiting.until(budget: limit, condition)
}
