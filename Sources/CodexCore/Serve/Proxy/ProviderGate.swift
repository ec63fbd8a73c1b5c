import Synchronization

/// One provider's `requests_per_minute` and `max_concurrent`. A request over a limit waits in
/// a first-come queue of at most `maxQueue`; past that it is refused (429 with `Retry-After`).
/// A waiter whose client leaves is taken out of the queue at once.
final class ProviderGate: Sendable {
  /// Where a request stood when it got through, for the access log.
  struct Admission: Sendable {
    /// 0: went straight through; n: was n-th in the queue.
    var position: Int
    var waited: Duration
  }

  /// The queue is full.
  struct Full: Error, Equatable {
    /// When a slot is expected to be free.
    var retryAfterSeconds: Int
    var queued: Int
  }

  private struct Waiter {
    var id: UInt64
    var continuation: CheckedContinuation<Void, any Error>
  }

  private struct State {
    var inFlight = 0
    /// Start times within the last minute, oldest first.
    var starts: [ContinuousClock.Instant] = []
    var queue: [Waiter] = []
    var nextWaiterID: UInt64 = 0
    var timerArmed = false
  }

  static let window: Duration = .seconds(60)

  let limits: ProviderLimits
  let maxQueue: Int
  private let state = Mutex(State())

  init(limits: ProviderLimits, maxQueue: Int) {
    self.limits = limits
    self.maxQueue = maxQueue
  }

  /// Requests waiting now.
  var queued: Int { state.withLock { $0.queue.count } }

  /// Waits for a slot. Call `release()` once when the request is over (however it ended).
  func acquire() async throws -> Admission {
    let arrived = ContinuousClock.now
    enum Outcome {
      case admitted
      case full(Full)
      case wait(id: UInt64, position: Int)
    }
    let outcome: Outcome = state.withLock { s in
      let now = ContinuousClock.now
      if s.queue.isEmpty, canStart(&s, now: now) {
        start(&s, now: now)
        return .admitted
      }
      guard s.queue.count < maxQueue else {
        return .full(Full(retryAfterSeconds: retryAfter(s, now: now), queued: s.queue.count))
      }
      s.nextWaiterID += 1
      return .wait(id: s.nextWaiterID, position: s.queue.count + 1)
    }
    switch outcome {
    case .admitted:
      return Admission(position: 0, waited: .zero)
    case .full(let full):
      throw full
    case .wait(let id, let position):
      try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
          let cancelled = state.withLock { s -> Bool in
            if Task.isCancelled { return true }
            s.queue.append(Waiter(id: id, continuation: c))
            return false
          }
          if cancelled {
            c.resume(throwing: CancellationError())
          } else {
            pump()
          }
        }
      } onCancel: {
        let waiter = state.withLock { s -> Waiter? in
          guard let i = s.queue.firstIndex(where: { $0.id == id }) else { return nil }
          return s.queue.remove(at: i)
        }
        waiter?.continuation.resume(throwing: CancellationError())
        // The next one may go now.
        pump()
      }
      return Admission(position: position, waited: ContinuousClock.now - arrived)
    }
  }

  func release() {
    state.withLock { $0.inFlight -= 1 }
    pump()
  }

  /// Lets queued requests through while the limits allow; when only the per-minute limit
  /// holds them, wakes itself when the oldest start leaves the window.
  private func pump() {
    var admitted: [Waiter] = []
    var wakeAt: ContinuousClock.Instant?
    state.withLock { s in
      let now = ContinuousClock.now
      while !s.queue.isEmpty, canStart(&s, now: now) {
        start(&s, now: now)
        admitted.append(s.queue.removeFirst())
      }
      if !s.queue.isEmpty, !s.timerArmed, let rpm = limits.requestsPerMinute,
        s.starts.count >= rpm, let oldest = s.starts.first
      {
        s.timerArmed = true
        wakeAt = oldest + Self.window
      }
    }
    for w in admitted { w.continuation.resume() }
    if let wakeAt {
      Task { [self] in
        try? await Task.sleep(until: wakeAt, clock: .continuous)
        state.withLock { $0.timerArmed = false }
        pump()
      }
    }
  }

  private func canStart(_ s: inout State, now: ContinuousClock.Instant) -> Bool {
    if let max = limits.maxConcurrent, s.inFlight >= max { return false }
    if let rpm = limits.requestsPerMinute {
      while let first = s.starts.first, now - first >= Self.window { s.starts.removeFirst() }
      if s.starts.count >= rpm { return false }
    }
    return true
  }

  private func start(_ s: inout State, now: ContinuousClock.Instant) {
    s.inFlight += 1
    if limits.requestsPerMinute != nil { s.starts.append(now) }
  }

  /// Seconds until a slot is likely free: the oldest start leaving the window when the
  /// per-minute limit holds, else a second (a stream in flight may end any moment).
  private func retryAfter(_ s: State, now: ContinuousClock.Instant) -> Int {
    if let rpm = limits.requestsPerMinute, s.starts.count >= rpm, let oldest = s.starts.first {
      let left = (oldest + Self.window) - now
      return max(1, Int(left.components.seconds) + 1)
    }
    return 1
  }
}
