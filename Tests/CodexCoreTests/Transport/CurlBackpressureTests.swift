import CodexTestSupport
import Foundation
import Synchronization
import Testing

@testable import CodexCore

/// A fast server and a slow reader: curl pauses instead of buffering the whole body.
@Suite struct CurlBackpressureTests {
  let transport = CurlTransport()

  /// The byte at `offset` of the test bodies: a period (251) that no chunk size divides, so a
  /// lost, repeated or reordered chunk shows up.
  static func pattern(at offset: Int) -> UInt8 { UInt8(offset % 251) }

  /// `count` chunks of `size` bytes following `pattern`, as scripted server steps.
  static func patternSteps(count: Int, size: Int) -> [FakeStep] {
    let period = (0..<(size + 251)).map { pattern(at: $0) }
    return (0..<count).map { index in
      let start = (index * size) % 251
      return .send(Array(period[start..<(start + size)]))
    }
  }

  /// The largest chunk curl hands the write callback (CURLOPT_BUFFERSIZE in CurlTransfer).
  static let curlBuffer = 128 * 1024

  /// Reads `body` to the end, checking every byte against `pattern`; sleeps `pause` each time
  /// another `every` bytes have come, to be slower than loopback. Returns the byte count.
  static func readSlowly(
    _ body: HTTPBody, every: Int, pause: Duration
  ) async throws -> Int {
    let reference = (0..<(curlBuffer * 2 + 251)).map { pattern(at: $0) }
    var offset = 0
    var nextNap = every
    for try await chunk in body {
      let start = offset % 251
      let matches =
        chunk.count <= reference.count - start
        && chunk.withUnsafeBytes { got in
          reference.withUnsafeBytes { want in
            guard let got = got.baseAddress, let want = want.baseAddress else { return true }
            return memcmp(got, want + start, chunk.count) == 0
          }
        }
      guard matches else {
        Issue.record("bytes differ in the chunk at offset \(offset) (\(chunk.count) bytes)")
        return offset
      }
      offset += chunk.count
      if offset >= nextNap {
        nextNap += every
        try await Task.sleep(for: pause)
      }
    }
    return offset
  }

  @Test func aSlowReaderGetsEveryByteWithABoundedBuffer() async throws {
    let chunkSize = 64 * 1024
    let chunkCount = 640  // 40 MiB
    let steps = Self.patternSteps(count: chunkCount, size: chunkSize)
    let server = try FakeHTTPServer { _ in .stream(steps: steps) }
    defer { server.stop() }
    let response = try await transport.send(
      HTTPRequest(method: "GET", url: server.baseURL, idleTimeout: .seconds(30)))
    let channel = try #require(response.body.channel)
    let received = try await Self.readSlowly(
      response.body, every: 256 * 1024, pause: .milliseconds(1))
    #expect(received == chunkSize * chunkCount)
    #expect(channel.pauseCount > 0, "the reader was slow enough for curl to pause")
    #expect(
      channel.maxBufferedBytes <= channel.highWatermark + Self.curlBuffer,
      "buffered at most \(channel.maxBufferedBytes) bytes")
    #expect(await eventually { transport.liveTransferCount == 0 })
  }

  @Test func aPauseLongerThanTheIdleTimeoutIsNotATimeout() async throws {
    let chunkSize = 64 * 1024
    let chunkCount = 64  // 4 MiB: several pauses' worth
    let steps = Self.patternSteps(count: chunkCount, size: chunkSize)
    let server = try FakeHTTPServer { _ in .stream(steps: steps) }
    defer { server.stop() }
    let response = try await transport.send(
      HTTPRequest(method: "GET", url: server.baseURL, idleTimeout: .milliseconds(200)))
    let channel = try #require(response.body.channel)
    // Each nap is longer than the idle timeout and long enough for the buffer to fill, so the
    // transfer sits paused across it: the silence is ours, not the server's.
    let received = try await Self.readSlowly(
      response.body, every: 1536 * 1024, pause: .milliseconds(600))
    #expect(received == chunkSize * chunkCount)
    #expect(channel.pauseCount > 0)
  }

  @Test func cancellingAPausedReaderAbortsAndFreesTheTransfer() async throws {
    let steps = Self.patternSteps(count: 256, size: 64 * 1024)  // 16 MiB, never all read
    let server = try FakeHTTPServer { _ in .stream(steps: steps) }
    defer { server.stop() }
    let transport = transport
    let seen = ChannelBox()
    let reader = Task {
      let response = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL))
      seen.set(response.body.channel)
      for try await _ in response.body {
        // Stop reading: the buffer fills and curl pauses; then wait to be cancelled.
        try await Task.sleep(for: .seconds(600))
      }
    }
    #expect(await eventually { (seen.get()?.pauseCount ?? 0) > 0 }, "the transfer paused")
    reader.cancel()
    let outcome = await result(of: reader)
    guard case .failure(let error)? = outcome else {
      Issue.record("expected a cancelled reader, got \(String(describing: outcome))")
      return
    }
    #expect(error is CancellationError)
    #expect(await server.wait { $0.openConnectionCount == 0 }, "curl closed the connection")
    #expect(await eventually { transport.liveTransferCount == 0 }, "handle and context freed")
  }

  @Test func droppingAPausedResponseAbortsAndFreesTheTransfer() async throws {
    let steps = Self.patternSteps(count: 256, size: 64 * 1024)
    let server = try FakeHTTPServer { _ in .stream(steps: steps) }
    defer { server.stop() }
    func readOneChunkThenWaitForThePause() async throws -> Bool {
      let response = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL))
      let channel = try #require(response.body.channel)
      var iterator = response.body.makeAsyncIterator()
      _ = try await iterator.next()
      return await eventually { channel.pauseCount > 0 }
    }
    #expect(try await readOneChunkThenWaitForThePause())
    #expect(await server.wait { $0.openConnectionCount == 0 })
    #expect(await eventually { transport.liveTransferCount == 0 })
  }
}

/// Hands a channel out of a task to the test.
private final class ChannelBox: Sendable {
  private let value = Mutex<HTTPBodyChannel?>(nil)
  func set(_ channel: HTTPBodyChannel?) { value.withLock { $0 = channel } }
  func get() -> HTTPBodyChannel? { value.withLock { $0 } }
}
