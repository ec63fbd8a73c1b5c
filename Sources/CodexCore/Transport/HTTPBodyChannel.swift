import Synchronization

/// A bounded hand-off of body chunks from a producer thread (curl's I/O thread) to one async
/// consumer, so a reader slower than the network holds a few hundred KiB, not the whole body.
///
/// The producer offers each chunk; above `highWatermark` buffered bytes the offer is refused and
/// the producer must stop (curl: return `CURL_WRITEFUNC_PAUSE`, which keeps the bytes and
/// delivers them again later). Once the consumer has drained below `lowWatermark`, `onResume`
/// runs (once per refusal) so the producer can start again. The gap between the watermarks keeps
/// a steady stream from pausing and resuming on every chunk.
///
/// The consumer side ends either when the consumer is cancelled while waiting or when its last
/// owner goes away (`consumerGone()`); `onCancel` then runs so the producer aborts at once.
final class HTTPBodyChannel: Sendable {
  enum Offer: Equatable {
    /// The chunk is queued (or handed straight to the waiting consumer).
    case taken
    /// Too much is buffered: the chunk was NOT taken; pause and offer it again after `onResume`.
    case full
    /// Nobody will read: abort the transfer.
    case consumerGone
  }

  private enum End {
    case finished
    case failed(any Error)
  }

  private struct State {
    var chunks: [[UInt8]] = []
    /// Index of the oldest unread chunk in `chunks` (popping from the front of an array is O(n)).
    var head = 0
    var bufferedBytes = 0
    var maxBufferedBytes = 0
    var pauseCount = 0
    var end: End?
    var consumerGone = false
    var producerPaused = false
    var waiter: CheckedContinuation<[UInt8]?, any Error>?
    var onResume: (@Sendable () -> Void)?
    var onCancel: (@Sendable () -> Void)?
  }

  /// What the consumer gets next, decided under the lock.
  private enum Take {
    case chunk([UInt8], resume: (@Sendable () -> Void)?)
    case end
    case error(any Error)
    case empty
  }

  let highWatermark: Int
  let lowWatermark: Int
  private let state = Mutex(State())

  init(highWatermark: Int = 256 * 1024, lowWatermark: Int = 64 * 1024) {
    self.highWatermark = highWatermark
    self.lowWatermark = min(lowWatermark, highWatermark)
  }

  /// Installs the producer's hooks. Both run outside the lock, on the consumer's thread.
  func setHandlers(
    onResume: @escaping @Sendable () -> Void, onCancel: @escaping @Sendable () -> Void
  ) {
    state.withLock {
      $0.onResume = onResume
      $0.onCancel = onCancel
    }
  }

  /// The most bytes ever buffered at once (for tests: proves the bound holds).
  var maxBufferedBytes: Int { state.withLock { $0.maxBufferedBytes } }

  var bufferedBytes: Int { state.withLock { $0.bufferedBytes } }

  /// How many times the producer was told to pause (for tests: proves the bound was reached).
  var pauseCount: Int { state.withLock { $0.pauseCount } }

  /// Whether the consumer is parked in `next()` (for tests).
  var isWaiting: Bool { state.withLock { $0.waiter != nil } }

  // MARK: Producer

  /// Offers `chunk` (taken as is, not copied). With `evenIfFull` the watermark is ignored: for
  /// the last bytes of a body that has ended, which cannot be paused any more.
  func offer(_ chunk: [UInt8], evenIfFull: Bool = false) -> Offer {
    let (outcome, waiter): (Offer, CheckedContinuation<[UInt8]?, any Error>?) = state.withLock {
      state in
      if state.consumerGone || state.end != nil { return (.consumerGone, nil) }
      if let waiter = state.waiter {
        // The consumer is waiting, so the buffer is empty: straight to it.
        state.waiter = nil
        return (.taken, waiter)
      }
      if state.bufferedBytes >= highWatermark && !evenIfFull {
        if !state.producerPaused { state.pauseCount += 1 }
        state.producerPaused = true
        return (.full, nil)
      }
      state.chunks.append(chunk)
      state.bufferedBytes += chunk.count
      state.maxBufferedBytes = max(state.maxBufferedBytes, state.bufferedBytes)
      return (.taken, nil)
    }
    waiter?.resume(returning: chunk)
    return outcome
  }

  /// The body is complete: the consumer gets the buffered chunks, then the end.
  func finish() { end(.finished) }

  /// The consumer gets the buffered chunks, then `error`.
  func fail(_ error: any Error) { end(.failed(error)) }

  private func end(_ end: End) {
    let waiter: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { state in
      guard state.end == nil, !state.consumerGone else { return nil }
      state.end = end
      state.onResume = nil
      state.onCancel = nil
      defer { state.waiter = nil }
      return state.waiter
    }
    switch end {
    case .finished: waiter?.resume(returning: nil)
    case .failed(let error): waiter?.resume(throwing: error)
    }
  }

  // MARK: Consumer

  func next() async throws -> [UInt8]? {
    switch take() {
    case .chunk(let chunk, let resume):
      resume?()
      return chunk
    case .end: return nil
    case .error(let error): throw error
    case .empty: break
    }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        wait(continuation)
      }
    } onCancel: {
      cancel(CancellationError())
    }
  }

  private func take() -> Take {
    state.withLock { state in
      if state.head < state.chunks.count {
        let chunk = state.chunks[state.head]
        state.chunks[state.head] = []
        state.head += 1
        state.bufferedBytes -= chunk.count
        if state.head == state.chunks.count {
          state.chunks.removeAll(keepingCapacity: true)
          state.head = 0
        } else if state.head >= 64 && state.head * 2 >= state.chunks.count {
          state.chunks.removeFirst(state.head)
          state.head = 0
        }
        var resume: (@Sendable () -> Void)?
        if state.producerPaused && state.bufferedBytes < lowWatermark {
          state.producerPaused = false
          resume = state.onResume
        }
        return .chunk(chunk, resume: resume)
      }
      switch state.end {
      case .finished?: return .end
      case .failed(let error)?: return .error(error)
      case nil: return .empty
      }
    }
  }

  /// Parks the consumer, unless something arrived (or the end came) since `take()` found nothing.
  private func wait(_ continuation: CheckedContinuation<[UInt8]?, any Error>) {
    switch take() {
    case .chunk(let chunk, let resume):
      resume?()
      continuation.resume(returning: chunk)
    case .end: continuation.resume(returning: nil)
    case .error(let error): continuation.resume(throwing: error)
    case .empty:
      let parked = state.withLock { state -> Bool in
        // A chunk or the end may have slipped in between `take()` and here; retry then.
        guard state.head == state.chunks.count, state.end == nil else { return false }
        state.waiter = continuation
        return true
      }
      if !parked { wait(continuation) }
    }
  }

  /// The waiting consumer was cancelled: it gets `error` now, buffered chunks are dropped (it
  /// asked to stop), and the producer is told to abort.
  private func cancel(_ error: any Error) {
    typealias Outcome = (CheckedContinuation<[UInt8]?, any Error>?, (@Sendable () -> Void)?)
    let (waiter, onCancel): Outcome = state.withLock { state -> Outcome in
      let waiter = state.waiter
      state.waiter = nil
      guard state.end == nil, !state.consumerGone else { return (waiter, nil) }
      state.end = .failed(error)
      state.chunks = []
      state.head = 0
      state.bufferedBytes = 0
      defer {
        state.onResume = nil
        state.onCancel = nil
      }
      return (waiter, state.onCancel)
    }
    waiter?.resume(throwing: error)
    onCancel?()
  }

  /// The last owner of the consumer side is gone (loop left early, response dropped).
  func consumerGone() {
    let onCancel: (@Sendable () -> Void)? = state.withLock { state in
      guard !state.consumerGone else { return nil }
      state.consumerGone = true
      state.chunks = []
      state.head = 0
      state.bufferedBytes = 0
      defer {
        state.onResume = nil
        state.onCancel = nil
      }
      return state.end == nil ? state.onCancel : nil
    }
    onCancel?()
  }
}
