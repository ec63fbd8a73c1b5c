import Synchronization

/// Waiting on a condition in async tests without flaking on a busy machine.
///
/// Swift Testing runs tests in parallel on the cooperative pool, which has one thread per core
/// (two here). A CPU-heavy synchronous test (a fuzzer, a conformance suite) holds a pool thread
/// for its whole run, and with other builds on the machine that can be a minute or more. While
/// the pool is held, neither the waiter nor the task it waits for runs, so a plain wall-clock
/// deadline expires although nothing is wrong. Here the budget counts only the time the waiter
/// itself was scheduled on time: a wake-up that comes late (the pool was busy) adds at most
/// `lateWakeUpCharge` to it. A hard `ceiling` still ends a real hang.
public enum Waiting {
  /// What one poll costs the budget at most: a longer gap between two polls means this test
  /// could not run, so the thing it waits for (on the same pool) likely could not either.
  public static let lateWakeUpCharge: Duration = .milliseconds(50)
  static let pollInterval: Duration = .milliseconds(5)

  /// Polls `condition` until it holds (true) or the budget or the ceiling runs out (false). A
  /// hang guard, never a speed assertion.
  public static func until(
    budget: Duration = .seconds(30), ceiling: Duration = .seconds(600),
    _ condition: () -> Bool
  ) async -> Bool {
    let clock = ContinuousClock()
    let hardDeadline = clock.now + ceiling
    var charged: Duration = .zero
    var last = clock.now
    while !condition() {
      if charged >= budget || clock.now >= hardDeadline || Task.isCancelled { return condition() }
      try? await Task.sleep(for: pollInterval)
      let now = clock.now
      charged += min(now - last, lateWakeUpCharge)
      last = now
    }
    return true
  }

  /// The outcome of `task`, or nil if it has not finished within the budget (counted as in
  /// `until`).
  public static func result<T: Sendable>(
    of task: Task<T, any Error>, budget: Duration = .seconds(30)
  ) async -> Result<T, any Error>? {
    let outcome = OutcomeBox<T>()
    let collector = Task { outcome.set(await task.result) }
    _ = await until(budget: budget) { outcome.get() != nil }
    collector.cancel()
    return outcome.get()
  }
}

private final class OutcomeBox<T: Sendable>: Sendable {
  private let value = Mutex<Result<T, any Error>?>(nil)
  func set(_ r: Result<T, any Error>) { value.withLock { $0 = r } }
  func get() -> Result<T, any Error>? { value.withLock { $0 } }
}
