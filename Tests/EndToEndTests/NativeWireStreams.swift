import CodexCore
import CodexTestSupport

/// Streams as the native Anthropic and Gemini APIs send them, for the fake server.
enum NativeWireStreams {
  /// Anthropic SSE: each payload as an event named after its `type`, as the API names them.
  static func anthropic(_ payloads: [String], then: [FakeStep] = []) -> FakeResponse {
    let steps: [FakeStep] = payloads.map { p in
      let type = (try? JSON.parse(p))?["type"]?.stringValue ?? "message"
      return .send("event: \(type)\ndata: \(p)\n\n")
    }
    return .stream(
      status: 200, headers: [("Content-Type", "text/event-stream")], steps: steps + then)
  }

  /// An Anthropic answer of `text`, after optional signed thinking.
  static func anthropicText(
    _ text: String, thinking: String? = nil, signature: String = "sig-1",
    usage: String = #"{"input_tokens":12,"cache_read_input_tokens":30,"output_tokens":1}"#
  ) -> FakeResponse {
    var events = [
      #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"usage":\#(usage)}}"#,
      #"{"type":"ping"}"#,
    ]
    var index = 0
    if let thinking {
      events += [
        #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":\#(JSON.quoted(thinking))}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":\#(JSON.quoted(signature))}}"#,
        #"{"type":"content_block_stop","index":0}"#,
      ]
      index = 1
    }
    events += [
      #"{"type":"content_block_start","index":\#(index),"content_block":{"type":"text","text":""}}"#,
      #"{"type":"content_block_delta","index":\#(index),"delta":{"type":"text_delta","text":\#(JSON.quoted(text))}}"#,
      #"{"type":"content_block_stop","index":\#(index)}"#,
      #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}"#,
      #"{"type":"message_stop"}"#,
    ]
    return anthropic(events)
  }

  /// An Anthropic turn that calls `shell` once per entry of `calls` (ids `toolu_0`, …), with
  /// signed thinking first; each call's input arrives in two fragments.
  static func anthropicCalls(_ calls: [JSON], thinking: String = "I should run it.")
    -> FakeResponse
  {
    anthropicCalls(named: calls.map { ("shell", $0) }, thinking: thinking)
  }

  /// The same, for calls of any tools.
  static func anthropicCalls(
    named calls: [(name: String, arguments: JSON)], thinking: String = "I should run it."
  ) -> FakeResponse {
    var events = [
      #"{"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"usage":{"input_tokens":20,"output_tokens":1}}}"#,
      #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#,
      #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":\#(JSON.quoted(thinking))}}"#,
      #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBsig=="}}"#,
      #"{"type":"content_block_stop","index":0}"#,
    ]
    for (n, call) in calls.enumerated() {
      let text = call.arguments.serialized()
      let cut = text.index(text.startIndex, offsetBy: text.count / 2)
      events += [
        #"{"type":"content_block_start","index":\#(n + 1),"content_block":{"type":"tool_use","id":"toolu_\#(n)","name":\#(JSON.quoted(call.name)),"input":{}}}"#,
        #"{"type":"content_block_delta","index":\#(n + 1),"delta":{"type":"input_json_delta","partial_json":""}}"#,
        #"{"type":"content_block_delta","index":\#(n + 1),"delta":{"type":"input_json_delta","partial_json":\#(JSON.quoted(String(text[..<cut])))}}"#,
        #"{"type":"content_block_delta","index":\#(n + 1),"delta":{"type":"input_json_delta","partial_json":\#(JSON.quoted(String(text[cut...])))}}"#,
        #"{"type":"content_block_stop","index":\#(n + 1)}"#,
      ]
    }
    events += [
      #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":40}}"#,
      #"{"type":"message_stop"}"#,
    ]
    return anthropic(events)
  }

  /// Gemini `alt=sse`: one `data:` line per chunk, no event names, no end marker.
  static func gemini(_ chunks: [String], then: [FakeStep] = []) -> FakeResponse {
    .sse(chunks, then: then)
  }

  static let geminiUsage =
    #""usageMetadata": {"promptTokenCount": 40,"candidatesTokenCount": 5,"totalTokenCount": 61,"cachedContentTokenCount": 16,"thoughtsTokenCount": 16},"modelVersion": "gemini-2.5-flash","responseId": "resp-1""#

  /// A Gemini answer of `text` in two chunks, the second with the finish reason.
  static func geminiText(_ text: String) -> FakeResponse {
    let cut = text.index(text.startIndex, offsetBy: text.count / 2)
    return gemini([
      #"{"candidates": [{"content": {"parts": [{"text": \#(JSON.quoted(String(text[..<cut])))}],"role": "model"},"index": 0}],\#(geminiUsage)}"#,
      #"{"candidates": [{"content": {"parts": [{"text": \#(JSON.quoted(String(text[cut...])))}],"role": "model"},"finishReason": "STOP","index": 0}],\#(geminiUsage)}"#,
    ])
  }

  /// A Gemini turn calling `shell` once per entry of `calls`, in one chunk (parallel calls are
  /// several parts); only the first call carries the thought signature, as Gemini 3 sends it.
  static func geminiCalls(_ calls: [JSON], ids: Bool = false) -> FakeResponse {
    geminiCalls(named: calls.map { ("shell", $0) }, ids: ids)
  }

  /// The same, for calls of any tools.
  static func geminiCalls(named calls: [(name: String, arguments: JSON)], ids: Bool = false)
    -> FakeResponse
  {
    let parts = calls.enumerated().map { n, call in
      let id = ids ? #","id": "fc-\#(n)""# : ""
      let sig = n == 0 ? #","thoughtSignature": "CiQBsig/0+=""# : ""
      return
        #"{"functionCall": {"name": \#(JSON.quoted(call.name)),"args": \#(call.arguments.serialized())\#(id)}\#(sig)}"#
    }
    return gemini([
      #"{"candidates": [{"content": {"parts": [\#(parts.joined(separator: ","))],"role": "model"},"finishReason": "STOP","index": 0,"finishMessage": "Model generated function call(s)."}],\#(geminiUsage)}"#
    ])
  }

  /// The tool output the request carries back to the model, on either wire.
  static func toolOutputs(_ body: JSON) -> [String] {
    var out: [String] = []
    for m in body["messages"]?.arrayValue ?? [] where m["role"] == "user" {
      for b in m["content"]?.arrayValue ?? [] where b["type"] == "tool_result" {
        out.append(b["content"]?.stringValue ?? "")
      }
    }
    for c in body["contents"]?.arrayValue ?? [] where c["role"] == "user" {
      for p in c["parts"]?.arrayValue ?? [] {
        guard let r = p["functionResponse"]?["response"] else { continue }
        out.append(r["output"]?.stringValue ?? r["error"]?.stringValue ?? "")
      }
    }
    return out
  }
}
