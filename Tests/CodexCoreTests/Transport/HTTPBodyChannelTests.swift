import Synchronization
import Testing

@testable import CodexCore

/// The bounded channel alone: ordering, watermarks, waking the reader, cancellation.
@Suite struct HTTPBodyChannelTests {
  /// Counts how often the producer's hooks ran.
  final class Hooks: Sendable {
    let resumes = Atomic<Int>(0)
    let cancels = Atomic<Int>(0)

    func install(on channel: HTTPBodyChannel) {
      channel.setHandlers(
        onResume: { self.resumes.add(1, ordering: .relaxed) },
        onCancel: { self.cancels.add(1, ordering: .relaxed) })
    }
  }

  let a: [UInt8] = Array("alpha".utf8)
  let b: [UInt8] = Array("beta".utf8)

  @Test func chunksThenEndInOrder() async throws {
    let channel = HTTPBodyChannel()
    #expect(channel.offer(a) == .taken)
    #expect(channel.offer(b) == .taken)
    channel.finish()
    #expect(try await channel.next() == a)
    #expect(try await channel.next() == b)
    #expect(try await channel.next() == nil)
    #expect(try await channel.next() == nil, "the end is sticky")
    #expect(channel.offer(a) == .consumerGone, "nothing is taken after the end")
  }

  @Test func errorComesAfterTheBufferedChunks() async throws {
    let channel = HTTPBodyChannel()
    _ = channel.offer(a)
    channel.fail(TransportError.idleTimeout(url: "u", seconds: 1))
    channel.finish()  // a later end changes nothing
    #expect(try await channel.next() == a)
    await #expect(throws: TransportError.idleTimeout(url: "u", seconds: 1)) {
      _ = try await channel.next()
    }
  }

  @Test func aWaitingReaderIsWokenByEachChunkAndByTheEnd() async throws {
    let channel = HTTPBodyChannel()
    let reader = Task {
      var chunks: [[UInt8]] = []
      while let chunk = try await channel.next() { chunks.append(chunk) }
      return chunks
    }
    #expect(await eventually { channel.isWaiting })
    #expect(channel.offer(a) == .taken)
    #expect(await eventually { channel.isWaiting })
    #expect(channel.offer(b) == .taken)
    #expect(await eventually { channel.isWaiting })
    channel.finish()
    let outcome = try #require(await result(of: reader))
    #expect(try outcome.get() == [a, b])
    #expect(channel.maxBufferedBytes == 0, "a waiting reader gets chunks without queueing")
  }

  @Test func aWaitingReaderGetsTheError() async throws {
    let channel = HTTPBodyChannel()
    let reader = Task { try await channel.next() }
    #expect(await eventually { channel.isWaiting })
    channel.fail(TransportError.connectionLost(url: "u", detail: "reset"))
    guard case .failure(let error)? = await result(of: reader) else {
      Issue.record("the reader should have failed")
      return
    }
    #expect(error as? TransportError == .connectionLost(url: "u", detail: "reset"))
  }

  @Test func refusesAboveTheHighWatermarkAndResumesBelowTheLow() async throws {
    let channel = HTTPBodyChannel(highWatermark: 10, lowWatermark: 4)
    let hooks = Hooks()
    hooks.install(on: channel)
    let six: [UInt8] = Array(repeating: 6, count: 6)
    #expect(channel.offer(six) == .taken)
    #expect(channel.offer(six) == .taken, "under the mark before the chunk: taken whole")
    #expect(channel.offer([1]) == .full)
    #expect(channel.offer([1]) == .full, "refused again until the reader drains")
    #expect(channel.pauseCount == 1)
    #expect(try await channel.next() == six)
    #expect(hooks.resumes.load(ordering: .relaxed) == 0, "6 buffered is not below 4")
    #expect(try await channel.next() == six)
    #expect(hooks.resumes.load(ordering: .relaxed) == 1)
    #expect(channel.offer([1]) == .taken, "the refused chunk comes again after resume")
    #expect(try await channel.next() == [1])
    #expect(hooks.resumes.load(ordering: .relaxed) == 1, "one resume per pause")
    #expect(channel.maxBufferedBytes == 12)
    #expect(hooks.cancels.load(ordering: .relaxed) == 0)
  }

  @Test func theLastBytesOfAnEndedBodyAreTakenEvenWhenFull() async throws {
    let channel = HTTPBodyChannel(highWatermark: 4, lowWatermark: 2)
    #expect(channel.offer([1, 2, 3, 4]) == .taken)
    #expect(channel.offer([5]) == .full)
    #expect(channel.offer([5], evenIfFull: true) == .taken, "nothing is left to pause")
    channel.finish()
    #expect(try await channel.next() == [1, 2, 3, 4])
    #expect(try await channel.next() == [5])
    #expect(try await channel.next() == nil)
  }

  @Test func cancellingAWaitingReaderThrowsAndTellsTheProducer() async throws {
    let channel = HTTPBodyChannel()
    let hooks = Hooks()
    hooks.install(on: channel)
    let reader = Task { try await channel.next() }
    #expect(await eventually { channel.isWaiting })
    reader.cancel()
    guard case .failure(let error)? = await result(of: reader) else {
      Issue.record("the reader should have thrown")
      return
    }
    #expect(error is CancellationError)
    #expect(hooks.cancels.load(ordering: .relaxed) == 1)
    #expect(channel.offer(a) == .consumerGone)
    await #expect(throws: CancellationError.self) { _ = try await channel.next() }
  }

  @Test func aReaderCancelledBeforeWaitingStillGetsBufferedChunks() async throws {
    let channel = HTTPBodyChannel()
    let hooks = Hooks()
    hooks.install(on: channel)
    _ = channel.offer(a)
    let reader = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      var chunks: [[UInt8]] = []
      do {
        while let chunk = try await channel.next() { chunks.append(chunk) }
      } catch is CancellationError {
        return chunks
      }
      return []
    }
    let outcome = try #require(await result(of: reader))
    #expect(try outcome.get() == [a])
    #expect(hooks.cancels.load(ordering: .relaxed) == 1)
  }

  @Test func droppingTheLastBodyAndIteratorTellsTheProducer() async throws {
    let channel = HTTPBodyChannel()
    let hooks = Hooks()
    hooks.install(on: channel)
    _ = channel.offer(a)
    _ = channel.offer(b)
    func readFirst() async throws -> [UInt8]? {
      let body = HTTPBody(channel: channel)
      for try await chunk in body { return chunk }
      return nil
    }
    #expect(try await readFirst() == a)
    #expect(hooks.cancels.load(ordering: .relaxed) == 1)
    #expect(channel.bufferedBytes == 0, "the unread chunks are dropped")
    #expect(channel.offer(a) == .consumerGone)
  }

  @Test func anIteratorKeepsTheBodyAliveAfterTheBodyValueGoes() async throws {
    let channel = HTTPBodyChannel()
    let hooks = Hooks()
    hooks.install(on: channel)
    var iterator = HTTPBody(channel: channel).makeAsyncIterator()
    #expect(channel.offer(a) == .taken)
    channel.finish()
    #expect(try await iterator.next() == a)
    #expect(try await iterator.next() == nil)
    #expect(hooks.cancels.load(ordering: .relaxed) == 0, "ended normally: nothing to abort")
  }

  @Test func streamBodiesStillIterate() async throws {
    let body = HTTPBody(chunks: [a, b])
    #expect(try await collect(body) == a + b)
    #expect(body.channel == nil)
  }
}
