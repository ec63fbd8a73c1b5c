import Synchronization

/// A one-way gate: `open()` once, and everyone waiting passes; `wait(until:)` also gives up at
/// a deadline or when the waiting task is cancelled. Each waiter is resumed exactly once.
final class StartupGate: Sendable {
  struct State {
    var open = false
    var nextWaiter = 0
    var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
  }
  let state = Mutex(State())

  var isOpen: Bool { state.withLock { $0.open } }

  func open() {
    let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
      s.open = true
      defer { s.waiters = [:] }
      return Array(s.waiters.values)
    }
    for w in waiters { w.resume() }
  }

  /// Returns when the gate opens, at `deadline`, or on cancellation, whichever is first.
  func wait(until deadline: ContinuousClock.Instant) async {
    let id = state.withLock { s -> Int in
      s.nextWaiter += 1
      return s.nextWaiter
    }
    await withTaskCancellationHandler {
      await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
        let passNow = state.withLock { s -> Bool in
          if s.open || Task.isCancelled { return true }
          s.waiters[id] = c
          return false
        }
        if passNow {
          c.resume()
          return
        }
        Task { [weak self] in
          try? await Task.sleep(until: deadline, clock: .continuous)
          self?.release(id)
        }
      }
    } onCancel: {
      release(id)
    }
  }

  private func release(_ id: Int) {
    state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
  }
}
