import Testing

@testable import CodexCore

/// The wires' byte-level fast paths must give exactly what the general `JSON` path gives: the
/// same events, the same errors and the same decoder state afterwards, on the recorded
/// transcripts cut every way and on payloads chosen to break a hand-written scanner.
@Suite struct FastPathTests {
  /// What a whole stream decodes to through `StreamDecoder` (the client's path), in chunks.
  static func outcome(_ wire: any Wire, _ chunks: [[UInt8]], fast: Bool) -> Outcome {
    var decoder = StreamDecoder(wire: wire, fastPath: fast)
    var events: [ChatEvent] = []
    do {
      for c in chunks { try decoder.feed(c, into: &events) }
      try decoder.finish(into: &events)
      return Outcome(events: events, error: nil)
    } catch let e as WireError {
      return Outcome(events: events, error: e)
    } catch {
      return Outcome(events: events, error: .malformed("unexpected \(error)"))
    }
  }

  struct Outcome: Equatable, CustomStringConvertible {
    var events: [ChatEvent]
    var error: WireError?
    var description: String { "\(events) \(error.map { "\($0)" } ?? "no error")" }
  }

  /// Both paths on `bytes` fed whole, byte by byte and split at every boundary.
  static func expectSameEveryWay(_ wire: any Wire, _ bytes: [UInt8]) -> Outcome {
    let general = outcome(wire, [bytes], fast: false)
    #expect(outcome(wire, [bytes], fast: true) == general)
    #expect(outcome(wire, bytes.map { [$0] }, fast: true) == general)
    for cut in 1..<max(1, bytes.count) {
      let split = outcome(wire, [Array(bytes[..<cut]), Array(bytes[cut...])], fast: true)
      #expect(split == general, "split at byte \(cut)")
      if split != general { break }
    }
    return general
  }

  static let transcripts: [(String, any Wire)] = [
    ("llama-gemma-chat-stream.sse", OpenAIChatWire()),
    ("llama-gemma-tools-fewshot-required.sse", OpenAIChatWire()),
    ("wires/chat-vllm-reasoning-tools.sse", OpenAIChatWire()),
    ("wires/chat-tgi-tool-call.sse", OpenAIChatWire()),
    ("wires/ollama-tool-call.ndjson", OllamaWire()),
    ("wires/tgi-generate-stream.sse", TGIWire()),
    ("wires/responses-tool-call.sse", OpenAIResponsesWire()),
    ("wires/anthropic-thinking-tools.sse", AnthropicWire()),
    ("wires/anthropic-redacted-max-tokens.sse", AnthropicWire()),
    ("wires/llama-anthropic-tool-call.sse", AnthropicWire()),
    ("wires/llama-anthropic-text.sse", AnthropicWire()),
    ("wires/gemini-thoughts-parallel-calls.sse", GeminiWire()),
    ("wires/gemini-text-signature-call-id.sse", GeminiWire()),
  ]

  @Test(arguments: transcripts.indices)
  func recordedTranscriptsDecodeTheSameEveryWay(_ index: Int) throws {
    let (name, wire) = Self.transcripts[index]
    let bytes = try Fixture.bytes(name)
    let general = Self.expectSameEveryWay(wire, bytes)
    #expect(general.error == nil)
    // And the same as the general decoder driven frame by frame (the wire tests' helper).
    #expect(general.events == (try decodeStream(wire, [bytes])))
  }

  // MARK: The fast path is really taken

  static func raw(
    _ payload: String, event: String? = nil, framing: Framing = .sse,
    _ body: (RawWireFrame) -> Void
  ) {
    var data = Array(payload.utf8)
    var name = event.map { Array($0.utf8) }
    data.withUnsafeMutableBufferPointer { d in
      if var n = name {
        n.withUnsafeMutableBufferPointer { n in
          body(
            RawWireFrame(
              eventName: UnsafeBufferPointer(n), data: UnsafeBufferPointer(d), framing: framing))
        }
        name = n
      } else {
        body(RawWireFrame(eventName: nil, data: UnsafeBufferPointer(d), framing: framing))
      }
    }
  }

  @Test func responsesEventsThatCarryTheWholeTextAreCheckedNotBuilt() {
    var responses = OpenAIResponsesDecoder()
    var events: [ChatEvent] = []
    Self.raw(
      #"{"type":"response.output_text.done","sequence_number":9,"text":"the whole answer"}"#,
      event: "response.output_text.done"
    ) { #expect(responses.decodeFast($0, into: &events)) }
    Self.raw(
      #"{"type":"response.output_item.done","item":{"id":"m","type":"message","content":[{"type":"output_text","text":"the whole answer"}]}}"#
    ) { #expect(responses.decodeFast($0, into: &events)) }
    #expect(events.isEmpty)
    Self.raw(
      #"{"type":"response.output_item.done","item":{"type":"function_call","call_id":"c","name":"shell","arguments":"{}"}}"#
    ) { #expect(!responses.decodeFast($0, into: &events), "a call takes the general path") }
    Self.raw(
      #"{"type":"response.completed","response":{"id":"r","output":[{"type":"message","content":[{"type":"output_text","text":"the whole answer"}]}],"usage":{"input_tokens":3,"output_tokens":4}}}"#
    ) { #expect(responses.decodeFast($0, into: &events)) }
    #expect(events == [.usage(TokenUsage(inputTokens: 3, outputTokens: 4)), .finished(.stop)])
    #expect(responses.completed)
  }

  @Test func tgiFinalEventIsReadWithoutBuildingTheText() {
    var tgi = TGIDecoder()
    var events: [ChatEvent] = []
    Self.raw(
      #"{"index":9,"token":{"id":2,"text":"</s>","special":true},"generated_text":"the whole answer","details":{"finish_reason":"eos_token","generated_tokens":9,"seed":null}}"#
    ) { #expect(tgi.decodeFast($0, into: &events)) }
    #expect(events == [.usage(TokenUsage(inputTokens: 0, outputTokens: 9)), .finished(.stop)])
    #expect(tgi.finished)
  }

  @Test func eachWireTakesItsCommonDeltaOnTheFastPath() {
    var chat: any WireDecoder = OpenAIChatDecoder()
    var events: [ChatEvent] = []
    Self.raw(
      #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi \"x\" \u00e9"},"finish_reason":null}]}"#
    ) { #expect(chat.decodeFast($0, into: &events)) }
    var ollama: any WireDecoder = OllamaDecoder()
    Self.raw(
      #"{"model":"m","created_at":"t","message":{"role":"assistant","content":" there"},"done":false}"#,
      framing: .ndjson
    ) { #expect(ollama.decodeFast($0, into: &events)) }
    var tgi: any WireDecoder = TGIDecoder()
    Self.raw(
      #"{"index":1,"token":{"id":450,"text":" now","logprob":-0.3,"special":false},"generated_text":null,"details":null}"#
    ) { #expect(tgi.decodeFast($0, into: &events)) }
    var responses: any WireDecoder = OpenAIResponsesDecoder()
    Self.raw(
      #"{"type":"response.output_text.delta","sequence_number":4,"item_id":"m","output_index":0,"content_index":0,"delta":"!"}"#,
      event: "response.output_text.delta"
    ) { #expect(responses.decodeFast($0, into: &events)) }
    var anthropic: any WireDecoder = AnthropicDecoder()
    Self.raw(
      #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" ok"}}"#,
      event: "content_block_delta"
    ) { #expect(anthropic.decodeFast($0, into: &events)) }
    #expect(
      events == [
        .textDelta("Hi \"x\" é"), .textDelta(" there"), .textDelta(" now"), .textDelta("!"),
        .textDelta(" ok"),
      ])
  }

  @Test func framesTheGeneralPathOwnsAreDeclinedWithoutChangingState() {
    var chat = OpenAIChatDecoder()
    var events: [ChatEvent] = []
    for payload in [
      #"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"a"}]}}]}"#,
      #"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#,
      #"{"error":{"message":"boom"}}"#, "[DONE]",
    ] {
      Self.raw(payload) { #expect(!chat.decodeFast($0, into: &events)) }
    }
    #expect(events.isEmpty)
    #expect(!chat.sawAnything)
    #expect(chat.calls.isEmpty)
  }

  // MARK: Adversarial payloads: same outcome both ways

  /// Payloads for the field the fast path reads, each tried in every wire's delta shape.
  static let texts: [String] = [
    #""plain""#, #""""#, "null", #""esc \" \\ \/ \b \f \n \r \t""#, #""\u00e9\u65e5\u672c""#,
    #""\ud83d\ude00 pair""#, #""lone \ud800 high""#, #""lone \udc00 low""#,
    #""high then char \ud800\u0041""#, #""bad hex \u12G4""#, #""short \u12""#,
    #""bad escape \x""#, "\"raw control \u{01}\"", #""日本語 ☀️ naïve 🎉""#, "42", "true",
    #"{"nested":"object"}"#, #"["array"]"#, #""unterminated"#, "\"tab\tinside\"",
  ]

  /// Whole frames around the common shape: missing, duplicated, reordered and odd fields,
  /// errors, junk around the value.
  static let chatFrames: [String] = [
    #"{"choices":[{"delta":{"content":"a"}}]}"#,
    #"{"choices":[{"delta":{"content":"a","content":"b"}}]}"#,
    #"{"choices":[{"delta":{"content":"a"}}],"choices":[{"delta":{"content":"b"}}]}"#,
    #"{"choices":[{"delta":{"content":"a"},"delta":{"content":"b"}}]}"#,
    #"{"choices":[{"delta":{"reasoning":"r","reasoning_content":"r"}}]}"#,
    #"{"choices":[{"delta":{"reasoning_content":"r2"}}]}"#,
    #"{"choices":[{"delta":{"reasoning":"","reasoning_content":"r3","content":"c"}}]}"#,
    #"{"choices":[{"delta":{"content":"a","tool_calls":null}}]}"#,
    #"{"choices":[{"delta":{"content":"a","tool_calls":[]}}]}"#,
    #"{"choices":[{"delta":{},"finish_reason":"length"}]}"#,
    #"{"choices":[{"delta":{},"finish_reason":7}]}"#,
    #"{"choices":[{"message":{"content":"m"}}]}"#,
    #"{"choices":[{"delta":{"content":"a"}},{"delta":{"content":"second"}}]}"#,
    #"{"choices":[]}"#, #"{"choices":null}"#, #"{"choices":{}}"#, #"{"choices":[1]}"#,
    #"{"choices":[{"delta":null}]}"#, #"{"usage":null,"choices":[{"delta":{"content":"u"}}]}"#,
    #"{"error":null,"choices":[{"delta":{"content":"e"}}]}"#,
    #"{"error":{"message":"boom","code":400}}"#, #"{"object":"error","message":"flat"}"#,
    #"{"ch\u006fices":[{"delta":{"content":"escaped key"}}]}"#,
    #"  {"choices":[{"delta":{"content":"spaces"}}]}  "#,
    #"{"choices":[{"delta":{"content":"a"}}]} trailing"#,
    #"{"choices":[{"delta":{"content":"a"}}]"#,
    #"{"id":01,"choices":[]}"#, #"{"id":1.,"choices":[]}"#, #"{"id":-,"choices":[]}"#,
    #"{"id":1e5,"x":[[[{"y":[true,false,null,-0.5e-3]}]]],"choices":[{"delta":{"content":"n"}}]}"#,
    #"{"choices":[{"delta":{"content":"a"}}],}"#, #"{,}"#, "{}", "[]", #""str""#, "",
    "[DONE]", #"{"choices":[{"delta":{"content":"a"}}]}{}"#,
  ]

  static func chatStream(_ frame: String) -> [UInt8] {
    Array(("data: " + frame + "\n\ndata: [DONE]\n\n").utf8)
  }

  @Test(arguments: chatFrames)
  func chatFramesDecodeTheSameBothWays(_ frame: String) {
    let bytes = Self.chatStream(frame)
    #expect(
      Self.outcome(OpenAIChatWire(), [bytes], fast: true)
        == Self.outcome(OpenAIChatWire(), [bytes], fast: false))
  }

  @Test(arguments: texts)
  func chatTextValuesDecodeTheSameBothWays(_ text: String) {
    for frame in [
      #"{"id":"c","choices":[{"index":0,"delta":{"content":\#(text)},"finish_reason":null}]}"#,
      #"{"choices":[{"delta":{"reasoning":\#(text)}}]}"#,
      #"{"id":\#(text),"choices":[{"delta":{"content":"skipped id"}}]}"#,
    ] {
      let bytes = Self.chatStream(frame)
      #expect(
        Self.outcome(OpenAIChatWire(), [bytes], fast: true)
          == Self.outcome(OpenAIChatWire(), [bytes], fast: false), "\(frame)")
    }
  }

  static let ollamaFrames: [String] = [
    #"{"message":{"content":"a"},"done":false}"#, #"{"message":{"content":"a"}}"#,
    #"{"message":{"thinking":"t","content":"c"},"done":false}"#,
    #"{"message":{"content":"a","content":"b"},"done":false}"#,
    #"{"message":{"content":"a"},"message":{"content":"b"},"done":false}"#,
    #"{"message":{"content":"a","tool_calls":null},"done":false}"#,
    #"{"message":{"content":"","tool_calls":[{"function":{"name":"f","arguments":{}}}]},"done":false}"#,
    #"{"message":{"content":"a"},"done":true,"done_reason":"length","eval_count":3}"#,
    #"{"message":{"content":"a"},"done":"no"}"#, #"{"message":null,"done":false}"#,
    #"{"error":"model crashed"}"#, #"{"error":null,"message":{"content":"x"}}"#,
    #"{"message":{"content":"a"},"done":false} x"#, "[1]", "{}",
  ]

  @Test(arguments: ollamaFrames)
  func ollamaFramesDecodeTheSameBothWays(_ frame: String) {
    let bytes = Array((frame + "\n" + #"{"message":{"content":""},"done":true}"# + "\n").utf8)
    #expect(
      Self.outcome(OllamaWire(), [bytes], fast: true)
        == Self.outcome(OllamaWire(), [bytes], fast: false))
  }

  @Test(arguments: texts)
  func ollamaTextValuesDecodeTheSameBothWays(_ text: String) {
    for frame in [
      #"{"model":"m","message":{"role":"assistant","content":\#(text)},"done":false}"#,
      #"{"message":{"thinking":\#(text)},"done":false}"#,
      #"{"created_at":\#(text),"message":{"content":"c"},"done":false}"#,
    ] {
      let bytes = Array((frame + "\n" + #"{"done":true}"# + "\n").utf8)
      #expect(
        Self.outcome(OllamaWire(), [bytes], fast: true)
          == Self.outcome(OllamaWire(), [bytes], fast: false), "\(frame)")
    }
  }

  static let tgiFrames: [String] = [
    #"{"index":1,"token":{"id":1,"text":"a","special":false},"generated_text":null}"#,
    #"{"token":{"text":"</s>","special":true},"generated_text":null}"#,
    #"{"token":{"text":"a","special":null}}"#, #"{"token":{"text":"a","text":"b"}}"#,
    #"{"token":{"text":"a"},"generated_text":"a","details":{"finish_reason":"length","generated_tokens":1}}"#,
    #"{"error":"overloaded","error_type":"overloaded"}"#, #"{"object":"error","message":"m"}"#,
    #"{"detail":"bad"}"#, #"{"token":null}"#, #"{"token":{"text":"a"}} junk"#, "[DONE]",
    #"{"token":{"text":"a"},"generated_text":"a\"b","details":{"finish_reason":"eos_token","generated_tokens":2,"input_length":5}}"#,
    #"{"token":{"text":"a"},"generated_text":"a","details":null}"#,
    #"{"token":{"text":"a"},"generated_text":"a"}"#,
    #"{"token":{"text":"a"},"generated_text":"a","details":[1]}"#,
    #"{"token":{"text":"a"},"generated_text":"a","details":{"generated_tokens":"x"}}"#,
    #"{"token":{"text":"a"},"generated_text":"a","details":{"generated_tokens":1},"details":null}"#,
    #"{"token":{"text":"a"},"generated_text":"a","generated_text":null}"#,
    #"{"token":{"text":"a"},"generated_text":5}"#,
    #"{"token":{"text":"a"},"generated_text":"bad \x","details":null}"#,
    #"{"token":{"text":"a"},"generated_text":"a","details":{"generated_tokens":1,}}"#,
  ]

  @Test(arguments: tgiFrames)
  func tgiFramesDecodeTheSameBothWays(_ frame: String) {
    let end = #"{"token":{"text":"","special":true},"generated_text":"x","details":null}"#
    let bytes = Array(("data:" + frame + "\n\ndata:" + end + "\n\n").utf8)
    #expect(
      Self.outcome(TGIWire(), [bytes], fast: true) == Self.outcome(TGIWire(), [bytes], fast: false))
  }

  @Test(arguments: texts)
  func tgiTextValuesDecodeTheSameBothWays(_ text: String) {
    let frame =
      #"{"index":1,"token":{"id":2,"text":\#(text),"special":false},"generated_text":null}"#
    let bytes = Array(("data:" + frame + "\n\n").utf8)
    #expect(
      Self.outcome(TGIWire(), [bytes], fast: true) == Self.outcome(TGIWire(), [bytes], fast: false))
  }

  static let responsesFrames: [(event: String?, data: String)] = [
    ("response.output_text.delta", #"{"type":"response.output_text.delta","delta":"a"}"#),
    ("response.output_text.delta", #"{"delta":"no type, event name says"}"#),
    (nil, #"{"delta":"no type, no name"}"#),
    ("response.refusal.delta", #"{"type":"response.refusal.delta","delta":"no"}"#),
    ("response.output_text.delta", #"{"type":"response.reasoning_text.delta","delta":"r"}"#),
    (
      "response.output_text.delta",
      #"{"type":"response.output_text.delta","delta":"a","delta":"b"}"#
    ),
    ("response.output_text.delta", #"{"type":"response.output_text.delta","type":"error"}"#),
    ("response.output_text.delta", #"{"type":"response.output_text.del\u0074a","delta":"x"}"#),
    ("response.output_text.delta", #"{"type":null,"delta":"null type"}"#),
    ("error", #"{"type":"error","message":"bad"}"#),
    ("response.output_text.delta", #"{"type":"response.output_text.delta","delta":5}"#),
    ("response.output_text.done", #"{"type":"response.output_text.done","text":"all \"of\" it"}"#),
    ("response.content_part.done", #"{"type":"response.content_part.done","part":{"text":"x"}}"#),
    ("response.created", #"{"type":"response.created","response":{"id":"r","output":[]}}"#),
    ("response.output_text.done", #"{"type":"response.output_text.done","text":"bad \x"}"#),
    ("response.output_text.done", #"{"type":"response.completed","response":{"usage":null}}"#),
    (nil, #"{"type":"response.in_progress","delta":{"not":"text"}}"#),
    (
      nil,
      #"{"type":"response.output_item.done","item":{"type":"message","content":[{"text":"t"}]}}"#
    ),
    (nil, #"{"type":"response.output_item.done","item":{"type":"reasoning","summary":[]}}"#),
    (nil, #"{"type":"response.output_item.done","item":"odd"}"#),
    (nil, #"{"type":"response.output_item.done"}"#),
    (
      nil, #"{"type":"response.output_item.done","item":{"type":"message","type":"function_call"}}"#
    ),
    (
      nil,
      #"{"type":"response.output_item.done","item":{"type":"function_call","id":"f","call_id":"c","name":"shell","arguments":"{}"}}"#
    ),
    (nil, #"{"type":"response.output_item.done","item":{"type":"message"},"item":null}"#),
    ("response.output_item.done", #"{"item":{"type":"message","content":[{"text":"bad \x"}]}}"#),
    (
      nil,
      #"{"type":"response.completed","response":{"output":[{"type":"message"}],"usage":{"input_tokens":7,"output_tokens":8,"output_tokens_details":{"reasoning_tokens":2}}}}"#
    ),
    (nil, #"{"type":"response.completed","response":{"usage":null}}"#),
    (nil, #"{"type":"response.completed","response":[]}"#),
    (nil, #"{"type":"response.completed"}"#),
    (nil, #"{"type":"response.completed","response":{"usage":{"input_tokens":1},"usage":null}}"#),
    (nil, #"{"type":"response.completed","response":{"usage":{"input_tokens":1,}}}"#),
    (
      "response.completed",
      #"{"response":{"output":[],"usage":{"input_tokens":1,"output_tokens":1}}}"#
    ),
    ("response.created", #"{"sequence_number":1}"#),
    (
      "response.output_item.added",
      #"{"type":"response.output_item.added","item":{"type":"function_call","id":"fc","call_id":"c","name":"shell"}}"#
    ),
  ]

  @Test(arguments: responsesFrames.indices)
  func responsesFramesDecodeTheSameBothWays(_ index: Int) {
    let (event, data) = Self.responsesFrames[index]
    let completed =
      #"{"type":"response.completed","response":{"usage":{"input_tokens":1,"output_tokens":2}}}"#
    let head = event.map { "event: \($0)\n" } ?? ""
    let bytes = Array(
      (head + "data: " + data + "\n\nevent: response.completed\ndata: " + completed + "\n\n").utf8)
    #expect(
      Self.outcome(OpenAIResponsesWire(), [bytes], fast: true)
        == Self.outcome(OpenAIResponsesWire(), [bytes], fast: false))
  }

  @Test(arguments: texts)
  func responsesTextValuesDecodeTheSameBothWays(_ text: String) {
    let data = #"{"type":"response.output_text.delta","sequence_number":1,"delta":\#(text)}"#
    let bytes = Array(("event: response.output_text.delta\ndata: " + data + "\n\n").utf8)
    #expect(
      Self.outcome(OpenAIResponsesWire(), [bytes], fast: true)
        == Self.outcome(OpenAIResponsesWire(), [bytes], fast: false))
  }

  @Test func invalidUTF8InsideAndAroundTextIsRepairedTheSameWay() {
    let pieces: [[UInt8]] = [
      [0xE6, 0x97], [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98],
    ]
    for bad in pieces {
      for (prefix, suffix) in [
        (#"{"choices":[{"delta":{"content":"a"#, #"b"}}]}"#),
        (#"{"choices":[{"delta":{"content":""#, #"\n"}}]}"#),
        (#"{"choices":[{"delta":{"content":"x\"#, #"u00e9"}}]}"#),
        (#"{"id":"x"#, #"","choices":[{"delta":{"content":"ok"}}]}"#),
      ] {
        let frame = Array(prefix.utf8) + bad + Array(suffix.utf8)
        let bytes = Array("data: ".utf8) + frame + Array("\n\ndata: [DONE]\n\n".utf8)
        #expect(
          Self.outcome(OpenAIChatWire(), [bytes], fast: true)
            == Self.outcome(OpenAIChatWire(), [bytes], fast: false), "\(bad) in \(prefix)")
      }
    }
  }

  // MARK: Seeded mutations of real frames

  /// SplitMix64: a small deterministic generator, so a failure reproduces.
  struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static let mutationBases: [(String, any Wire, String, String)] = [
    (
      #"{"id":"c","object":"chat.completion.chunk","created":1,"choices":[{"index":0,"delta":{"content":"Hi \"q\" \u00e9"},"finish_reason":null}]}"#,
      OpenAIChatWire(), "data: ", "\n\ndata: [DONE]\n\n"
    ),
    (
      #"{"model":"m","created_at":"t","message":{"role":"assistant","content":"x\ny"},"done":false}"#,
      OllamaWire(), "", "\n{\"done\":true}\n"
    ),
    (
      #"{"index":1,"token":{"id":450,"text":" The","logprob":-0.3,"special":false},"generated_text":null,"details":null}"#,
      TGIWire(), "data:", "\n\n"
    ),
    (
      #"{"type":"response.output_text.delta","sequence_number":4,"item_id":"m","delta":"d\u00e9"}"#,
      OpenAIResponsesWire(), "event: response.output_text.delta\ndata: ", "\n\n"
    ),
    (
      #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"x\u00e9 \"q\""}}"#,
      AnthropicWire(),
      "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\"}}\n\nevent: content_block_delta\ndata: ",
      "\n\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\ndata: {\"type\":\"message_stop\"}\n\n"
    ),
  ]

  @Test(arguments: mutationBases.indices)
  func mutatedFramesDecodeTheSameBothWays(_ index: Int) {
    let (base, wire, head, tail) = Self.mutationBases[index]
    var rng = Seeded(state: UInt64(index + 1) * 7919)
    let alphabet = Array(#"{}[]":,\"u0aA ntfe-.1"#.utf8) + [0x00, 0x0A, 0x1F, 0x80, 0xC3, 0xFF]
    var mismatches = 0
    for _ in 0..<1500 {
      var bytes = Array(base.utf8)
      for _ in 0..<Int.random(in: 1...3, using: &rng) {
        let at = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: bytes[at] = alphabet.randomElement(using: &rng) ?? 0
        case 1: bytes.insert(alphabet.randomElement(using: &rng) ?? 0, at: at)
        default: if bytes.count > 1 { bytes.remove(at: at) }
        }
      }
      // A line end inside the frame would change the framing, not the decoding.
      bytes = bytes.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }
      let stream = Array(head.utf8) + bytes + Array(tail.utf8)
      let fast = Self.outcome(wire, [stream], fast: true)
      let general = Self.outcome(wire, [stream], fast: false)
      if fast != general {
        mismatches += 1
        Issue.record("\(String(decoding: bytes, as: UTF8.self)): \(fast) vs \(general)")
        if mismatches > 3 { break }
      }
    }
  }
}
