import Testing

@testable import CodexCore

@Suite struct NDJSONFramerTests {
  static let transcript = """
    {"model":"m","message":{"role":"assistant","content":"Hé"},"done":false}
    {"model":"m","message":{"role":"assistant","content":"llo 😀"},"done":false}\r

    {"model":"m","done":true,"eval_count":3}
    """

  static var expected: [String] {
    [
      #"{"model":"m","message":{"role":"assistant","content":"Hé"},"done":false}"#,
      #"{"model":"m","message":{"role":"assistant","content":"llo 😀"},"done":false}"#,
      #"{"model":"m","done":true,"eval_count":3}"#,
    ]
  }

  static func frame(_ chunks: [ArraySlice<UInt8>]) -> [String] {
    var framer = NDJSONFramer()
    var lines: [[UInt8]] = []
    for chunk in chunks { lines += framer.feed(chunk) }
    lines += framer.finish()
    return lines.map { String(decoding: $0, as: UTF8.self) }
  }

  @Test func wholeTranscript() {
    #expect(Self.frame([ArraySlice(Array(Self.transcript.utf8))]) == Self.expected)
  }

  @Test func splitAtEveryByteAndByteByByte() {
    let bytes = Array((Self.transcript + "\n").utf8)
    for cut in 0...bytes.count {
      #expect(Self.frame([bytes[..<cut], bytes[cut...]]) == Self.expected, "split at \(cut)")
    }
    #expect(Self.frame(bytes.indices.map { bytes[$0...$0] }) == Self.expected)
  }

  @Test func linesComeOutAsSoonAsTheirNewlineArrives() {
    var framer = NDJSONFramer()
    #expect(framer.feed(Array("{\"a\":1}\n{\"b\"".utf8)) == [Array("{\"a\":1}".utf8)])
    #expect(framer.feed(Array(":2}".utf8)).isEmpty)
    #expect(framer.feed(Array("\r\n".utf8)) == [Array("{\"b\":2}".utf8)])
    #expect(framer.finish().isEmpty)
  }

  @Test func blankLinesAreSkipped() {
    #expect(Self.frame([ArraySlice(Array("\n\r\n  \n{}\n\n".utf8))]) == ["{}"])
  }

  @Test func linesParseAsJSON() throws {
    var framer = NDJSONFramer()
    let lines = framer.feed(Array(Self.transcript.utf8)) + framer.finish()
    #expect(try lines.map { try JSON.parse($0)["done"]?.boolValue } == [false, false, true])
  }
}
