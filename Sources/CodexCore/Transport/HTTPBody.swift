/// A response body: the chunks as the network delivers them, read with
/// `for try await chunk in response.body`.
///
/// `CurlTransport` bodies are bounded: when the reader falls behind, the transfer pauses instead
/// of piling the stream up in memory, and resumes as the reader catches up. Cancelling the
/// reading task, or dropping the last copy of the body and its iterators, aborts the transfer.
/// Bodies made from an `AsyncThrowingStream` (wrappers, tests) behave as that stream does.
public struct HTTPBody: AsyncSequence, Sendable {
  public typealias Element = [UInt8]

  private enum Source: Sendable {
    case stream(AsyncThrowingStream<[UInt8], any Error>)
    case channel(Owner)
  }

  private let source: Source

  public init(_ stream: AsyncThrowingStream<[UInt8], any Error>) {
    source = .stream(stream)
  }

  /// A body fed by a producer through `channel`. Only the first body made from a channel may
  /// be read: the channel has one consumer.
  init(channel: HTTPBodyChannel) {
    source = .channel(Owner(channel))
  }

  /// A body that yields `chunks` and ends.
  public init(chunks: [[UInt8]]) {
    let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
    for chunk in chunks { continuation.yield(chunk) }
    continuation.finish()
    source = .stream(stream)
  }

  /// The bounded channel behind a transport's body (nil for stream bodies), for tests.
  var channel: HTTPBodyChannel? {
    if case .channel(let owner) = source { return owner.channel }
    return nil
  }

  public func makeAsyncIterator() -> AsyncIterator {
    switch source {
    case .stream(let stream): return AsyncIterator(.stream(stream.makeAsyncIterator()))
    case .channel(let owner): return AsyncIterator(.channel(owner))
    }
  }

  public struct AsyncIterator: AsyncIteratorProtocol {
    fileprivate enum Base {
      case stream(AsyncThrowingStream<[UInt8], any Error>.AsyncIterator)
      case channel(Owner)
    }

    private var base: Base

    fileprivate init(_ base: Base) {
      self.base = base
    }

    public mutating func next() async throws -> [UInt8]? {
      switch base {
      case .stream(var iterator):
        defer { base = .stream(iterator) }
        return try await iterator.next()
      case .channel(let owner):
        return try await owner.channel.next()
      }
    }
  }

  /// Shared by every copy of the body and its iterators: when the last one goes, nobody can
  /// read any more, so the producer is told to stop (as `AsyncThrowingStream.onTermination`
  /// does when its last reference goes).
  fileprivate final class Owner: Sendable {
    let channel: HTTPBodyChannel

    init(_ channel: HTTPBodyChannel) {
      self.channel = channel
    }

    deinit {
      channel.consumerGone()
    }
  }
}
