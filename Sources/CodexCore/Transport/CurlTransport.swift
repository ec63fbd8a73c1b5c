import CCurl

/// The real `HTTPTransport`: libcurl driven by one `curl_multi` loop on a dedicated I/O thread.
///
/// - `send` returns as soon as the final status line and headers are in (1xx heads are
///   skipped); body chunks are yielded the moment curl delivers them.
/// - The body is bounded (`HTTPBodyChannel`): a reader slower than the network pauses the
///   transfer above 256 KiB buffered and resumes it below 64 KiB, so memory stays flat however
///   long the stream; the idle timeout does not count the time paused.
/// - Cancelling the task that awaits `send` or reads the body, or dropping the response, aborts
///   the transfer at once (the I/O loop is woken, not polled); `send` then throws
///   `CancellationError`. Leaving a `for try await` loop early aborts it as soon as the last
///   reference to the response goes (the body learns nothing from a `break` while the body
///   value is still held), so read the body in its own function.
/// - `connectTimeout` bounds the TCP/TLS connect; `idleTimeout` bounds every silence, before the
///   first byte too, and fails with `TransportError.idleTimeout`. There is no overall timeout:
///   a model may legitimately stream for many minutes.
/// - Proxies come from the environment exactly as the curl tool reads them (`http_proxy`,
///   `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`). TLS verification is always on. Redirects are not
///   followed. Keep-alive connections are reused across requests of one transport.
///
/// The I/O thread starts with the first request and ends after the transport is released and
/// its last streaming body has ended, so a response may outlive the transport that sent it.
public final class CurlTransport: HTTPTransport, Sendable {
  private let engine = CurlEngine()

  public init() {}

  /// Starts loading libcurl in the background (it takes ~6 ms: the library and the ~25 it
  /// depends on), for a process that will make a request soon: call it as early as that is
  /// known, and the load overlaps with the start-up work in between.
  public static func preload() {
    ccurl_preload()
  }

  deinit {
    engine.shutdown()
  }

  /// Transfer contexts not yet freed (for leak tests).
  var liveTransferCount: Int { engine.tracker.live.load(ordering: .acquiring) }

  public func send(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
    try Task.checkCancellation()
    let channel = HTTPBodyChannel()
    let transfer = try CurlTransfer(request: request, body: channel, tracker: engine.tracker)
    let engine = self.engine
    // Weak: the channel keeps these closures until the body ends, and the transfer keeps the
    // channel; a strong capture would be a cycle.
    channel.setHandlers(
      onResume: { [weak transfer] in
        if let transfer { engine.resume(transfer) }
      },
      onCancel: { [weak transfer] in
        if let transfer { engine.cancel(transfer) }
      })
    let head = try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { headContinuation in
        transfer.headContinuation = headContinuation
        do {
          try engine.submit(transfer)
        } catch {
          transfer.fail(error)
          transfer.cleanup()
        }
      }
    } onCancel: {
      engine.cancel(transfer)
    }
    return HTTPStreamingResponse(head: head, body: HTTPBody(channel: channel))
  }
}
