import Foundation
import Testing

@testable import CodexCore

@Suite struct SSEFramerTests {
  static let fixtures = [
    "llama-gemma-chat-stream.sse",
    "llama-gemma-native-completion-stream.sse",
    "llama-gemma-tools-fewshot-required.sse",
  ]

  /// The events a fixture holds, worked out naively (these files use `\n\n` between events and
  /// one `data: ` line per event), to check the framer against something independent.
  static func naiveEvents(_ bytes: [UInt8]) -> [SSEEvent] {
    String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n")
      .filter { !$0.isEmpty }
      .map { SSEEvent(data: String($0.dropFirst("data: ".count))) }
  }

  static func frame(_ chunks: [ArraySlice<UInt8>]) -> [SSEEvent] {
    var framer = SSEFramer()
    var events: [SSEEvent] = []
    for chunk in chunks { events += framer.feed(chunk) }
    return events + framer.finish()
  }

  static func frameWhole(_ text: String) -> [SSEEvent] {
    frame([ArraySlice(Array(text.utf8))])
  }

  /// Every way of cutting `bytes` in two, each must give `expected`.
  static func expectEverySplit(_ bytes: [UInt8], give expected: [SSEEvent]) {
    for cut in 0...bytes.count {
      let events = frame([bytes[..<cut], bytes[cut...]])
      #expect(events == expected, "split at byte \(cut)")
      if events != expected { return }
    }
  }

  @Test(arguments: fixtures)
  func recordedTranscriptWholeMatchesNaiveSplit(_ name: String) throws {
    let bytes = try fixtureBytes(name)
    let events = Self.frame([bytes[...]])
    #expect(events.count > 5)
    #expect(events == Self.naiveEvents(bytes))
  }

  @Test(arguments: fixtures)
  func recordedTranscriptByteByByte(_ name: String) throws {
    let bytes = try fixtureBytes(name)
    #expect(Self.frame(bytes.indices.map { bytes[$0...$0] }) == Self.naiveEvents(bytes))
  }

  @Test(arguments: fixtures)
  func recordedTranscriptSplitAtEveryByte(_ name: String) throws {
    let bytes = try fixtureBytes(name)
    Self.expectEverySplit(bytes, give: Self.naiveEvents(bytes))
  }

  @Test(arguments: ["\r\n", "\r"])
  func otherLineEndingsGiveTheSameEvents(_ lineEnd: String) throws {
    let bytes = try fixtureBytes("llama-gemma-native-completion-stream.sse")
    let converted = Array(
      String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\n", with: lineEnd).utf8)
    let expected = Self.naiveEvents(bytes)
    #expect(Self.frame([converted[...]]) == expected)
    Self.expectEverySplit(converted, give: expected)
  }

  @Test func crAtTheEndOfAChunkAndLFAtTheStartOfTheNextAreOneLineEnd() {
    var framer = SSEFramer()
    var events = framer.feed(Array("data: a\r".utf8))
    events += framer.feed(Array("\ndata: b\r\n".utf8))
    events += framer.feed(Array("\r\n".utf8))
    // Two line ends there would have made a blank line, splitting "a" and "b" into two events.
    #expect(events == [SSEEvent(data: "a\nb")])
  }

  @Test func loneCRBetweenLinesEndsALine() {
    #expect(
      Self.frameWhole("data: a\rdata: b\r\rdata: c\r\r") == [
        SSEEvent(data: "a\nb"), SSEEvent(data: "c"),
      ])
  }

  @Test func commentsAndKeepAlivesAreIgnored() {
    let text = ": OPENROUTER PROCESSING\n\n:ping\ndata: x\n: inside\ndata: y\n\n:\n\n"
    #expect(Self.frameWhole(text) == [SSEEvent(data: "x\ny")])
  }

  @Test func multiLineDataIsJoinedWithNewlines() {
    #expect(
      Self.frameWhole("data: {\"a\":\ndata:  1}\ndata\n\n") == [
        SSEEvent(data: "{\"a\":\n 1}\n")
      ])
  }

  @Test func onlyOneSpaceAfterTheColonIsStripped() {
    #expect(
      Self.frameWhole("data:x\n\ndata:  y\n\ndata: \n\n") == [
        SSEEvent(data: "x"), SSEEvent(data: " y"), SSEEvent(data: ""),
      ])
  }

  @Test func eventNameAndIDAreKept() {
    let text = "event: response.created\nid: 7\ndata: {}\n\ndata: next\n\n"
    #expect(
      Self.frameWhole(text) == [
        SSEEvent(event: "response.created", data: "{}", id: "7"),
        SSEEvent(event: nil, data: "next", id: "7"),
      ])
  }

  @Test func eventsWithoutDataAreNotEmitted() {
    #expect(Self.frameWhole("event: ping\n\nid: 1\n\nretry: 10\n\nunknown: x\n\n").isEmpty)
  }

  @Test func utf8SplitAcrossChunksComesOutIntact() {
    let bytes = Array("data: héllo 😀 世界\n\n".utf8)
    let expected = [SSEEvent(data: "héllo 😀 世界")]
    Self.expectEverySplit(bytes, give: expected)
    #expect(Self.frame(bytes.indices.map { bytes[$0...$0] }) == expected)
  }

  @Test func llamaCppErrorLinesBecomeErrorEvents() {
    let text = "data: {\"content\":\"hi\"}\n\nerror: {\"code\":500,\"message\":\"boom\"}\n\n"
    #expect(
      Self.frameWhole(text) == [
        SSEEvent(data: "{\"content\":\"hi\"}"),
        SSEEvent(event: "error", data: "{\"code\":500,\"message\":\"boom\"}"),
      ])
  }

  @Test func finishFlushesAnEventWithoutItsBlankLine() {
    var framer = SSEFramer()
    #expect(framer.feed(Array("data: one\n\ndata: two\n".utf8)) == [SSEEvent(data: "one")])
    #expect(framer.finish() == [SSEEvent(data: "two")])

    var unterminated = SSEFramer()
    #expect(unterminated.feed(Array("data: three".utf8)).isEmpty)
    #expect(unterminated.finish() == [SSEEvent(data: "three")])
  }

  @Test func byteOrderMarkAtTheStartIsSkipped() {
    var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
    bytes += Array("data: a\n\n".utf8)
    Self.expectEverySplit(bytes, give: [SSEEvent(data: "a")])
  }

  @Test func acceptsNonContiguousCollections() {
    var framer = SSEFramer()
    let events = framer.feed("data: lazy\n\n".utf8.lazy.map { $0 })
    #expect(events == [SSEEvent(data: "lazy")])
  }
}
