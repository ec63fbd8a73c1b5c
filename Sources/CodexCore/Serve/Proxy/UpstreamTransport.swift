import Synchronization

/// The transport one proxied request uses: the shared one, plus three things the proxy needs
/// from the exchange with the provider.
///
/// - The status and headers of the provider's answer are kept, so an error reaches the client
///   with the provider's own status (a 429 stays a 429, with its `Retry-After`).
/// - A 429 is handed to the client at once instead of being waited out here: the client's SDK
///   honours `Retry-After` itself (and a failover chain can move on to the next provider).
///   This is said with `x-should-retry: false`, the header `ModelClient` already obeys.
/// - Each body chunk is pulled only once `pace` lets it: the proxy waits there while its client
///   is slow, so the provider's stream pauses (curl's bounded body) instead of piling up here.
struct UpstreamTransport: HTTPTransport {
  /// What this request's exchange with the provider looked like.
  final class Exchange: Sendable {
    private let state = Mutex<HTTPResponseHead?>(nil)

    /// The head of the last answer to a model request (not to a model listing made to explain
    /// a 404).
    var lastHead: HTTPResponseHead? { state.withLock { $0 } }

    func record(_ head: HTTPResponseHead) { state.withLock { $0 = head } }
  }

  let inner: any HTTPTransport
  let exchange: Exchange
  let pace: @Sendable () async throws -> Void

  func send(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
    let response = try await inner.send(request)
    guard request.method == "POST" else { return response }
    exchange.record(response.head)
    var head = response.head
    if head.status == 429, head.header("x-should-retry") == nil {
      head.headers.append(("x-should-retry", "false"))
    }
    guard (200..<300).contains(head.status) else {
      return HTTPStreamingResponse(head: head, body: response.body)
    }
    let paced = PacedBody(response.body, pace: pace)
    return HTTPStreamingResponse(
      head: head,
      body: HTTPBody(AsyncThrowingStream<[UInt8], any Error>(unfolding: { try await paced.next() }))
    )
  }
}

/// One reader's view of a body that waits for `pace` before each chunk.
private final class PacedBody: @unchecked Sendable {
  // One reader at a time (the unfolding stream calls `next` sequentially).
  private var iterator: HTTPBody.AsyncIterator
  private let pace: @Sendable () async throws -> Void

  init(_ body: HTTPBody, pace: @escaping @Sendable () async throws -> Void) {
    iterator = body.makeAsyncIterator()
    self.pace = pace
  }

  func next() async throws -> [UInt8]? {
    try await pace()
    return try await iterator.next()
  }
}
