import CodexTestSupport
import Synchronization
import Testing

@testable import CodexCore

/// A one-shot signal between a test and a handler: `wait` returns once `open` was called.
final class AsyncLatch: Sendable {
  private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>(
    (false, []))

  func open() {
    let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
      s.open = true
      defer { s.waiters = [] }
      return s.waiters
    }
    for w in waiters { w.resume() }
  }

  var isOpen: Bool { state.withLock { $0.open } }

  func wait() async {
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let ready = state.withLock { s -> Bool in
        if s.open { return true }
        s.waiters.append(c)
        return false
      }
      if ready { c.resume() }
    }
  }
}

/// Counts and flags shared between a test and its handlers.
final class Probe: Sendable {
  let values = Mutex<[String: Int]>([:])

  func add(_ key: String, _ n: Int = 1) { values.withLock { $0[key, default: 0] += n } }
  func set(_ key: String, _ n: Int) { values.withLock { $0[key] = n } }
  subscript(_ key: String) -> Int { values.withLock { $0[key] ?? 0 } }
}

/// A started server on 127.0.0.1 that is shut down by `stop()`.
func startServer(
  limits: HTTPServerLimits = HTTPServerLimits(),
  _ handler: @escaping HTTPServer.Handler
) throws -> HTTPServer {
  let server = try HTTPServer(host: "127.0.0.1", port: 0, limits: limits, handler: handler)
  try server.start()
  return server
}

/// Sends `request` on a new connection and reads one response.
func exchange(_ port: Int, _ request: String, timeoutMs: Int32 = RawHTTPConnection.hangGuardMs)
  async throws
  -> RawHTTPResponse
{
  try await RawHTTPConnection.run {
    let c = try RawHTTPConnection(port: port)
    try c.send(request)
    return try c.readResponse(timeoutMs: timeoutMs)
  }
}
