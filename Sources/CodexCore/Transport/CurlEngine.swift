import CCurl
import Synchronization

/// One dedicated I/O thread running a `curl_multi` loop for all transfers of one transport.
///
/// Other threads never touch the multi handle except through `curl_multi_wakeup`, which is
/// thread-safe: they queue work under `shared`'s lock and wake the loop, so a new transfer
/// starts, and a cancelled one is removed, within a fraction of a millisecond (a cancel flag
/// polled by curl's progress callback would take up to a second).
final class CurlEngine: Sendable {
  private struct Shared {
    /// Non-nil while the I/O thread runs. Wakeups are only issued under the lock, and the
    /// thread clears this under the lock before it frees the handle.
    nonisolated(unsafe) var multi: UnsafeMutableRawPointer?
    var started = false
    var stopping = false
    var incoming: [CurlTransfer] = []
    var cancelling: [CurlTransfer] = []
    var resuming: [CurlTransfer] = []
  }

  private let shared = Mutex(Shared())
  let tracker = CurlTransferTracker()

  /// Hands a configured transfer to the I/O thread, starting the thread on first use.
  func submit(_ transfer: CurlTransfer) throws {
    try shared.withLock { state in
      if !state.started {
        state.started = true
        guard let multi = ccurl_multi_init() else {
          throw TransportError.other(url: transfer.url, detail: "curl_multi_init failed")
        }
        nonisolated(unsafe) let loopMulti = multi
        guard startDetachedThread({ [self] in run(loopMulti) }) else {
          ccurl_multi_cleanup(multi)
          throw TransportError.other(url: transfer.url, detail: "cannot start the HTTP I/O thread")
        }
        state.multi = multi
      }
      guard let multi = state.multi else {
        throw TransportError.other(url: transfer.url, detail: "the HTTP transport was shut down")
      }
      state.incoming.append(transfer)
      ccurl_multi_wakeup(multi)
    }
  }

  /// Aborts a transfer from any thread: the loop removes it from the multi handle at once.
  func cancel(_ transfer: CurlTransfer) {
    guard !transfer.ended.load(ordering: .acquiring) else { return }
    transfer.cancelRequested.store(true, ordering: .releasing)
    shared.withLock { state in
      guard let multi = state.multi else { return }
      state.cancelling.append(transfer)
      ccurl_multi_wakeup(multi)
    }
  }

  /// The reader has caught up with a transfer it paused: the loop unpauses it.
  func resume(_ transfer: CurlTransfer) {
    guard !transfer.ended.load(ordering: .acquiring) else { return }
    shared.withLock { state in
      guard let multi = state.multi else { return }
      state.resuming.append(transfer)
      ccurl_multi_wakeup(multi)
    }
  }

  /// The owner is gone: the thread exits once the transfers still streaming have ended.
  func shutdown() {
    shared.withLock { state in
      state.stopping = true
      if let multi = state.multi { ccurl_multi_wakeup(multi) }
    }
  }

  // MARK: The I/O thread

  private func run(_ multi: UnsafeMutableRawPointer) {
    var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    var running: Int32 = 0
    while true {
      guard adoptQueuedWork(into: &active, multi: multi) else { break }
      ccurl_multi_perform(multi, &running)
      for transfer in active.values { transfer.flushBody() }
      var queued: Int32 = 0
      while let message = ccurl_multi_info_read(multi, &queued) {
        guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else {
          continue
        }
        // Read the result before removing the handle: removal invalidates the message.
        let result = ccurl_msg_result(message)
        ccurl_multi_remove_handle(multi, easy)
        if let transfer = active.removeValue(forKey: easy) {
          transfer.complete(result)
          transfer.cleanup()
        }
      }

      let waitMilliseconds = expireIdleTransfers(&active, multi: multi)
      ccurl_multi_poll(multi, waitMilliseconds)
    }
    ccurl_multi_cleanup(multi)
  }

  /// Starts newly submitted transfers, removes cancelled ones and unpauses resumed ones. Returns false when the loop
  /// should end (shut down, nothing left). A separate function so the queued references are
  /// released before the loop sleeps.
  private func adoptQueuedWork(
    into active: inout [UnsafeMutableRawPointer: CurlTransfer], multi: UnsafeMutableRawPointer
  ) -> Bool {
    let activeCount = active.count
    let (incoming, cancelling, resuming, exit) = shared.withLock { state in
      let work = (state.incoming, state.cancelling, state.resuming)
      state.incoming = []
      state.cancelling = []
      state.resuming = []
      let exit = state.stopping && activeCount == 0 && work.0.isEmpty
      if exit { state.multi = nil }
      return (work.0, work.1, work.2, exit)
    }
    if exit { return false }

    for transfer in incoming {
      if transfer.cancelRequested.load(ordering: .acquiring) {
        transfer.fail(CancellationError())
        transfer.cleanup()
        continue
      }
      let rc = ccurl_multi_add_handle(multi, transfer.easy)
      guard rc == CURLM_OK else {
        let reason = String(cString: ccurl_multi_strerror(rc))
        transfer.fail(TransportError.other(url: transfer.url, detail: reason))
        transfer.cleanup()
        continue
      }
      transfer.lastActivity = .now
      active[transfer.easy] = transfer
    }
    for transfer in cancelling {
      guard let found = active[transfer.easy], found === transfer else { continue }
      active.removeValue(forKey: transfer.easy)
      ccurl_multi_remove_handle(multi, transfer.easy)
      transfer.fail(CancellationError())
      transfer.cleanup()
    }
    for transfer in resuming {
      guard let found = active[transfer.easy], found === transfer else { continue }
      let rc = transfer.resumeAfterPause()
      guard rc == CURLE_OK else {
        active.removeValue(forKey: transfer.easy)
        ccurl_multi_remove_handle(multi, transfer.easy)
        let reason = String(cString: ccurl_easy_strerror(rc))
        transfer.fail(TransportError.other(url: transfer.url, detail: "cannot resume: \(reason)"))
        transfer.cleanup()
        continue
      }
    }
    return true
  }

  /// Fails transfers that have been silent for longer than their idle timeout, and returns how
  /// long the loop may sleep before the next one could expire (curl shortens it further when it
  /// has timers of its own).
  private func expireIdleTransfers(
    _ active: inout [UnsafeMutableRawPointer: CurlTransfer], multi: UnsafeMutableRawPointer
  ) -> Int32 {
    let now = ContinuousClock.now
    var nextDeadline: ContinuousClock.Instant?
    var expired: [CurlTransfer] = []
    for transfer in active.values {
      guard let idleTimeout = transfer.idleTimeout, !transfer.pausedForReader else { continue }
      let deadline = transfer.lastActivity + idleTimeout
      if deadline <= now {
        expired.append(transfer)
      } else if nextDeadline.map({ deadline < $0 }) ?? true {
        nextDeadline = deadline
      }
    }
    for transfer in expired {
      active.removeValue(forKey: transfer.easy)
      ccurl_multi_remove_handle(multi, transfer.easy)
      let seconds = transfer.idleTimeout.map(CurlTransfer.seconds) ?? 0
      transfer.fail(TransportError.idleTimeout(url: transfer.url, seconds: seconds))
      transfer.cleanup()
    }
    let idleWait: Int32 = 60_000  // wakeups interrupt it; this is only a safety net
    guard let nextDeadline else { return idleWait }
    return Int32(
      clamping: max(1, min(Int(idleWait), CurlTransfer.milliseconds(nextDeadline - now))))
  }
}
