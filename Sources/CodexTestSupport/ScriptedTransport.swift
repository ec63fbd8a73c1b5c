import CodexCore
import Synchronization

/// An in-process `HTTPTransport` that answers with the same scripts as `FakeHTTPServer`
/// (`FakeResponse`), so the engine can be tested without sockets: `.send` steps become body
/// chunks, `.close` a dropped connection, `.hang` silence until the reader gives up, `.sleep` a
/// pause. Every request is recorded.
public final class ScriptedTransport: HTTPTransport {
  private let handler: @Sendable (RecordedRequest) -> FakeResponse
  private let recorded = Mutex<[RecordedRequest]>([])

  public init(_ handler: @escaping @Sendable (RecordedRequest) -> FakeResponse) {
    self.handler = handler
  }

  /// Every request so far, in order.
  public var requests: [RecordedRequest] { recorded.withLock { $0 } }

  public func send(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
    try Task.checkCancellation()
    var path = request.url
    if let scheme = path.firstRange(of: "://") {
      let rest = path[scheme.upperBound...]
      path = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }
    let recordedRequest = recorded.withLock { list -> RecordedRequest in
      let r = RecordedRequest(
        method: request.method, path: path,
        headers: request.headers.map {
          (name: $0.name.lowercased(), value: $0.value)
        }, body: request.body, index: list.count, connectionID: list.count)
      list.append(r)
      return r
    }
    let response = handler(recordedRequest)
    let url = request.url
    let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
    let player = Task {
      for step in response.steps {
        switch step {
        case .send(let bytes):
          continuation.yield(bytes)
        case .sleep(let ms):
          try? await Task.sleep(for: .milliseconds(ms))
        case .wait(let gate):
          while !gate.isOpen && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        case .close:
          continuation.finish(throwing: TransportError.connectionLost(url: url, detail: "closed"))
          return
        case .hang:
          // Silence until the reader stops listening (idle timeout or cancel).
          while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
          continuation.finish(throwing: CancellationError())
          return
        }
      }
      continuation.finish()
    }
    continuation.onTermination = { _ in player.cancel() }
    let headers = response.headers.map { (name: $0.name.lowercased(), value: $0.value) }
    return HTTPStreamingResponse(
      head: HTTPResponseHead(status: response.status, headers: headers), body: stream)
  }
}
