import Testing

@testable import CodexCore

/// The Anthropic decoder's fast path (text and thinking deltas) against its general path.
extension FastPathTests {
  @Test func anthropicThinkingDeltasKeepTheBlockTextOnTheFastPath() throws {
    var d = AnthropicDecoder()
    var events: [ChatEvent] = []
    events += try d.decode(
      .event(
        name: "content_block_start",
        data:
          #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#
      ))
    Self.raw(
      #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"a\nb"}}"#,
      event: "content_block_delta"
    ) { #expect(d.decodeFast($0, into: &events)) }
    #expect(events == [.reasoningDelta("a\nb")])
    #expect(d.blocks[0]?.thinking == "a\nb")
    Self.raw(
      #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"s"}}"#,
      event: "content_block_delta"
    ) { #expect(!d.decodeFast($0, into: &events), "signatures take the general path") }
  }

  static let anthropicFrames: [(event: String?, data: String)] = [
    (
      "content_block_delta",
      #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}"#
    ),
    (
      nil,
      #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"no name"}}"#
    ),
    ("content_block_delta", #"{"index":0,"delta":{"type":"text_delta","text":"name only"}}"#),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","text":"b"}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","index":0,"index":1,"delta":{"type":"text_delta","text":"a"}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","delta":{"type":"text_delta","thinking":"wrong key"}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","delta":{"type":"thinking_delta","text":"wrong key"}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"t"}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","index":"0","delta":{"type":"thinking_delta","thinking":"t"}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"s"}}"#
    ),
    ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":null}"#),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","index":0,"delta":{"type":null,"text":"x"}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":null}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":5}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_b\u006cock_delta","delta":{"type":"text_delta","text":"esc"}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","error":{"message":"x"},"delta":{"type":"text_delta","text":"e"}}"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","delta":{"type":"text_delta","text":"a"}} junk"#
    ),
    (
      "content_block_delta",
      #"{"type":"content_block_delta","delta":{"type":"text_delta","text":"a"},}"#
    ),
    ("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
    ("ping", #"{"type":"ping"}"#), (nil, #"{"type":"message_stop"}"#), (nil, "[]"), (nil, "{}"),
    (
      "message_delta",
      #"{"type":"message_delta","delta":{"stop_reason":"end_turn","type":"text_delta","text":"x"}}"#
    ),
  ]

  static func anthropicStream(_ event: String?, _ data: String) -> [UInt8] {
    let head = event.map { "event: \($0)\n" } ?? ""
    let start =
      #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#
    let stop = #"{"type":"content_block_stop","index":0}"#
    return Array(
      ("data: " + start + "\n\n" + head + "data: " + data + "\n\ndata: " + stop
        + "\n\ndata: {\"type\":\"message_stop\"}\n\n").utf8)
  }

  @Test(arguments: anthropicFrames.indices)
  func anthropicFramesDecodeTheSameBothWays(_ index: Int) {
    let (event, data) = Self.anthropicFrames[index]
    let bytes = Self.anthropicStream(event, data)
    #expect(
      Self.outcome(AnthropicWire(), [bytes], fast: true)
        == Self.outcome(AnthropicWire(), [bytes], fast: false))
  }

  @Test(arguments: texts)
  func anthropicTextValuesDecodeTheSameBothWays(_ text: String) {
    for data in [
      #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(text)}}"#,
      #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":\#(text)}}"#,
      #"{"type":"content_block_delta","index":\#(text),"delta":{"type":"thinking_delta","thinking":"x"}}"#,
    ] {
      let bytes = Self.anthropicStream("content_block_delta", data)
      #expect(
        Self.outcome(AnthropicWire(), [bytes], fast: true)
          == Self.outcome(AnthropicWire(), [bytes], fast: false), "\(data)")
    }
  }
}
