import CodexCore
import CodexTestSupport

/// What a fake model says and reads, on every wire: an answer, tool calls, the tool outputs and
/// tool names a request carries, and how to point codex at a fake server of that wire. The
/// scripted models of the tool-loop and MCP tests are built on it, so a new wire is one case in
/// each function here.
enum WireScript {
  static func answer(_ wire: WireAPI, _ text: String) -> FakeResponse {
    switch wire {
    case .chat: return .sse(chatSSE([text]))
    case .ollama:
      return .ndjson([
        #"{"message":{"role":"assistant","content":\#(JSON.quoted(text))},"done":false}"#,
        #"{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#,
      ])
    case .responses:
      return .sse([
        #"{"type":"response.output_text.delta","delta":\#(JSON.quoted(text))}"#,
        #"{"type":"response.completed","response":{"usage":{"input_tokens":1,"output_tokens":1}}}"#,
      ])
    case .tgi:
      return .sse([
        #"{"token":{"id":1,"text":\#(JSON.quoted(text)),"special":false},"generated_text":\#(JSON.quoted(text)),"details":null}"#
      ])
    case .anthropic: return NativeWireStreams.anthropicText(text)
    case .gemini: return NativeWireStreams.geminiText(text)
    }
  }

  /// One answer that calls each tool of `calls`, as the wire streams calls (in fragments where
  /// it does). `id` prefixes the call ids.
  static func calls(
    _ wire: WireAPI, _ calls: [(name: String, arguments: JSON)], id: String = "call"
  )
    -> FakeResponse
  {
    switch wire {
    case .chat:
      var events: [String] = []
      for (n, call) in calls.enumerated() {
        events += [
          #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":\#(n),"id":"\#(id)_\#(n)","type":"function","function":{"name":\#(JSON.quoted(call.name)),"arguments":""}}]}}]}"#,
          #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":\#(n),"function":{"arguments":\#(JSON.quoted(call.arguments.serialized()))}}]}}]}"#,
        ]
      }
      return .sse(
        events + [#"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#, "[DONE]"])
    case .ollama:
      let list = calls.map {
        #"{"function":{"name":\#(JSON.quoted($0.name)),"arguments":\#($0.arguments.serialized())}}"#
      }
      return .ndjson([
        #"{"message":{"role":"assistant","content":"","tool_calls":[\#(list.joined(separator: ","))]},"done":false}"#,
        #"{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#,
      ])
    case .responses:
      var events: [String] = []
      for (n, call) in calls.enumerated() {
        let args = JSON.quoted(call.arguments.serialized())
        events += [
          #"{"type":"response.output_item.added","item":{"id":"fc_\#(n)","type":"function_call","call_id":"\#(id)_\#(n)","name":\#(JSON.quoted(call.name)),"arguments":""}}"#,
          #"{"type":"response.function_call_arguments.delta","item_id":"fc_\#(n)","delta":\#(args)}"#,
          #"{"type":"response.output_item.done","item":{"id":"fc_\#(n)","type":"function_call","call_id":"\#(id)_\#(n)","name":\#(JSON.quoted(call.name)),"arguments":\#(args)}}"#,
        ]
      }
      return .sse(events + [#"{"type":"response.completed","response":{}}"#])
    case .tgi:
      // TGI's native wire has no tool calls: the model prints them (one per answer).
      let call =
        calls.first.map {
          "<tool_call>\n{\"name\": \"\($0.name)\", \"arguments\": \($0.arguments.serialized())}\n</tool_call>"
        } ?? ""
      return .sse([
        #"{"token":{"id":1,"text":\#(JSON.quoted(call)),"special":false},"generated_text":\#(JSON.quoted(call)),"details":null}"#
      ])
    case .anthropic: return NativeWireStreams.anthropicCalls(named: calls)
    case .gemini: return NativeWireStreams.geminiCalls(named: calls)
    }
  }

  /// Every tool output the request carries back to the model, in order.
  static func toolOutputs(_ body: JSON) -> [String] {
    var out: [String] = []
    // chat + ollama: `tool` messages; responses: function_call_output items.
    for m in body["messages"]?.arrayValue ?? [] where m["role"] == "tool" {
      out.append(m["content"]?.stringValue ?? "")
    }
    for item in body["input"]?.arrayValue ?? [] where item["type"] == "function_call_output" {
      out.append(item["output"]?.stringValue ?? "")
    }
    // anthropic: tool_result blocks; gemini: functionResponse parts.
    out += NativeWireStreams.toolOutputs(body)
    // tgi: in the prompt.
    if var prompt = body["inputs"]?.stringValue {
      while let r = prompt.firstRange(of: "<tool_response>\n"),
        let end = prompt[r.upperBound...].firstRange(of: "\n</tool_response>")
      {
        out.append(String(prompt[r.upperBound..<end.lowerBound]))
        prompt = String(prompt[end.upperBound...])
      }
    }
    return out
  }

  /// The names of the tools a request offers.
  static func toolNames(_ body: JSON) -> [String] {
    var names: [String] = []
    for t in body["tools"]?.arrayValue ?? [] {
      if let n = t["function"]?["name"]?.stringValue ?? t["name"]?.stringValue { names.append(n) }
      // gemini: functionDeclarations inside one tools entry.
      for d in t["functionDeclarations"]?.arrayValue ?? [] {
        if let n = d["name"]?.stringValue { names.append(n) }
      }
    }
    if let prompt = body["inputs"]?.stringValue {
      for line in prompt.split(separator: "\n") {
        if let j = try? JSON.parse(String(line)), let n = j["function"]?["name"]?.stringValue {
          names.append(n)
        }
      }
    }
    return names
  }

  /// The config and flags that point codex at a fake server of `wire` at `base`.
  static func provider(_ wire: WireAPI, _ base: String) -> (toml: String, args: [String]) {
    switch wire {
    case .chat: return ("", ["--provider", "vllm", "--provider-url", base + "/v1"])
    case .ollama: return ("", ["--provider", "ollama", "--provider-url", base])
    case .responses:
      return ("[model_providers.openai]\nbase_url = \"\(base)/v1\"\n", ["--provider", "openai"])
    case .tgi:
      return (
        "[model_providers.huggingface]\nwire_api = \"tgi\"\n",
        ["--provider", "huggingface", "--provider-url", base]
      )
    case .anthropic: return ("", ["--provider", "anthropic", "--provider-url", base])
    case .gemini: return ("", ["--provider", "gemini", "--provider-url", base])
    }
  }
}
