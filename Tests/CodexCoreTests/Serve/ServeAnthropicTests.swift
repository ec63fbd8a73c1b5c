import CodexTestSupport
import Testing

@testable import CodexCore

/// `POST /v1/messages`: Anthropic's API in front of providers of other wires.
@Suite struct ServeAnthropicTests {
  static let request = """
    {"model":"m1","max_tokens":100,"system":[{"type":"text","text":"Be brief."}],
     "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object",
       "properties":{"city":{"type":"string"}}}}],
     "messages":[{"role":"user","content":"weather in Oslo?"},
       {"role":"assistant","content":[{"type":"thinking","thinking":"use the tool","signature":"s"},
         {"type":"text","text":"Checking."},
         {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo"}}]},
       {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"rain"},
         {"type":"text","text":"and Paris?"}]}],
     "stop_sequences":["END"],"temperature":0.3,"STREAM":0}
    """

  static func body(stream: Bool) -> String {
    request.replacing(#""STREAM":0"#, with: #""stream":\#(stream)"#)
  }

  @Test func theHistoryReachesAChatProviderInItsWire() async throws {
    let upstream = try FakeHTTPServer { _ in
      FakeUpstreamWire.chat.stream(FakeAnswer(text: ["Sunny."]), nil, [])
    }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL))
    let r = try await proxy.post("/v1/messages", Self.body(stream: false))
    await proxy.stop()
    #expect(r.status == 200)
    let sent = try #require(upstream.requests.first?.bodyJSON)
    let messages = sent["messages"]?.arrayValue ?? []
    #expect(
      messages.map { $0["role"]?.stringValue ?? "" } == [
        "system", "user", "assistant", "tool", "user",
      ])
    #expect(messages[0]["content"] == "Be brief.")
    #expect(messages[2]["content"] == "Checking.")
    #expect(messages[2]["tool_calls"]?[0]?["id"] == "toolu_1")
    #expect(
      try JSON.parse(messages[2]["tool_calls"]?[0]?["function"]?["arguments"]?.stringValue ?? "")
        == ["city": "Oslo"])
    #expect(messages[3]["tool_call_id"] == "toolu_1")
    #expect(messages[3]["content"] == "rain")
    #expect(messages[4]["content"] == "and Paris?")
    #expect(sent["tools"]?[0]?["function"]?["name"] == "get_weather")
    #expect(sent["max_tokens"] == 100)
    #expect(sent["stop"] == ["END"])
    #expect(sent["temperature"] == 0.3)
  }

  @Test(arguments: FakeUpstreamWire.all.map(\.name))
  func aWholeMessageFromEveryWire(_ wireName: String) async throws {
    let wire = try #require(FakeUpstreamWire.all.first { $0.name == wireName })
    let answer = FakeAnswer(
      reasoning: ["hmm"], text: ["It is ", "sunny."],
      toolCalls: wire.supportsTools ? [("call_7", "get_weather", #"{"city":"Paris"}"#)] : [])
    let upstream = try FakeHTTPServer { _ in wire.stream(answer, nil, []) }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n" + wire.providerTOML(id: "up", root: upstream.baseURL))
    let r = try await proxy.post("/v1/messages", Self.body(stream: false))
    await proxy.stop()
    let json = try #require(r.bodyJSON)
    #expect(json["type"] == "message")
    #expect(json["role"] == "assistant")
    #expect(json["model"] == "m1")
    let content = json["content"]?.arrayValue ?? []
    #expect(content.first { $0["type"] == "text" }?["text"] == "It is sunny.")
    if wire.supportsReasoning {
      #expect(content.first?["type"] == "thinking")
      #expect(content.first?["thinking"] == "hmm")
    }
    if wire.supportsTools {
      let use = try #require(content.first { $0["type"] == "tool_use" })
      #expect(use["id"] == "call_7")
      #expect(use["input"] == ["city": "Paris"])
      #expect(json["stop_reason"] == "tool_use")
    } else {
      #expect(json["stop_reason"] == "end_turn")
    }
    #expect(json["usage"]?["input_tokens"] == 11)
    #expect(json["usage"]?["output_tokens"] == 7)
  }

  @Test func theEventStreamHasEveryBlockInOrder() async throws {
    let answer = FakeAnswer(
      reasoning: ["a", "b"], text: ["It is ", "sunny."],
      toolCalls: [("call_7", "get_weather", #"{"city":"Paris"}"#)])
    let upstream = try FakeHTTPServer { _ in FakeUpstreamWire.chat.stream(answer, nil, []) }
    defer { upstream.stop() }
    let proxy = try ProxyFixture(
      "model_provider = \"up\"\n"
        + FakeUpstreamWire.chat.providerTOML(id: "up", root: upstream.baseURL))
    let r = try await proxy.post("/v1/messages", Self.body(stream: true))
    await proxy.stop()
    #expect(r.header("content-type") == "text/event-stream")
    let events = sseEvents(r.bodyText)
    // Every event's name is its data's type.
    for e in events {
      #expect(e.event == (try? JSON.parse(e.data))?["type"]?.stringValue)
    }
    let kinds = events.map { e -> String in
      let json = (try? JSON.parse(e.data)) ?? .null
      let detail =
        json["content_block"]?["type"]?.stringValue ?? json["delta"]?["type"]?.stringValue ?? ""
      return [e.event ?? "", detail].filter { !$0.isEmpty }.joined(separator: ":")
    }
    #expect(
      kinds == [
        "message_start",
        "content_block_start:thinking", "content_block_delta:thinking_delta",
        "content_block_delta:thinking_delta", "content_block_stop",
        "content_block_start:text", "content_block_delta:text_delta",
        "content_block_delta:text_delta", "content_block_stop",
        "content_block_start:tool_use", "content_block_delta:input_json_delta",
        "content_block_stop",
        "message_delta", "message_stop",
      ])
    let json = events.compactMap { try? JSON.parse($0.data) }
    #expect(json.map { $0["index"]?.intValue ?? -1 }.filter { $0 >= 0 }.max() == 2)
    let delta = try #require(json.first { $0["type"] == "message_delta" })
    #expect(delta["delta"]?["stop_reason"] == "tool_use")
    #expect(delta["usage"]?["output_tokens"] == 7)
  }

  @Test(arguments: [
    (#"{"model":"m","messages":[]}"#, "max_tokens"),
    (
      #"{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}]}"#, "role 'system'"
    ),
    (
      #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{}}]}]}"#,
      "type 'image'"
    ),
    (
      #"{"model":"m","max_tokens":5,"tools":[{"type":"web_search_20250305","name":"s"}],"messages":[]}"#,
      "server tool"
    ),
    (#"{"model":"m","max_tokens":0,"messages":[]}"#, "max_tokens"),
  ])
  func badRequestsAre400InAnthropicsShape(_ body: String, _ says: String) async throws {
    let proxy = try ProxyFixture("")
    let r = try await proxy.post("/v1/messages", body)
    await proxy.stop()
    #expect(r.status == 400)
    #expect(r.bodyJSON?["type"] == "error")
    #expect(r.bodyJSON?["error"]?["type"] == "invalid_request_error")
    let message = r.bodyJSON?["error"]?["message"]?.stringValue ?? ""
    #expect(message.contains(says), "\(message)")
  }
}
