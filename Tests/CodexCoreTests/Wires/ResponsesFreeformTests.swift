import Testing

@testable import CodexCore

/// apply_patch as OpenAI's freeform ("custom") tool on the Responses wire, as codex-rs offers it
/// to OpenAI models: the grammar goes out, the raw patch text comes back, and the history
/// replays it the same way.
@Suite struct ResponsesFreeformTests {
  let wire = OpenAIResponsesWire()
  let patch = ToolSpec(
    name: "apply_patch", description: "Edit files.",
    parameters: ["type": "object", "properties": ["input": ["type": "string"]]],
    grammar: "start: /(.+)/")

  @Test func openAIGetsACustomToolOthersAFunction() {
    let request = ChatRequest(model: "m", messages: [.user("hi")], tools: [patch])
    let openai = wire.body(request, freeformTools: true)["tools"]?[0]
    #expect(openai?["type"] == "custom")
    #expect(
      openai?["format"] == ["type": "grammar", "syntax": "lark", "definition": "start: /(.+)/"])
    #expect(openai?["parameters"] == nil)
    let other = wire.body(request, freeformTools: false)["tools"]?[0]
    #expect(other?["type"] == "function")
    #expect(other?["parameters"]?["properties"]?["input"] != nil)
  }

  @Test func aCustomToolCallArrivesAsItsRawInput() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/responses-custom-tool-call.sse"))
    let input = "*** Begin Patch\n*** Add File: é.txt\n+hi \"there\"\n*** End Patch\n"
    #expect(
      events.contains(
        .toolCall(
          ToolCall(
            id: "call_P1", name: "apply_patch",
            arguments: JSON.object(["input": .string(input)]).serialized(), freeform: true))))
    #expect(events.last == .finished(.toolCalls))
  }

  @Test func theFastPathLeavesCustomCallsToTheGeneralOne() throws {
    let bytes = try Fixture.bytes("wires/responses-custom-tool-call.sse")
    var fast = StreamDecoder(wire: wire, fastPath: true)
    var slow = StreamDecoder(wire: wire, fastPath: false)
    var a: [ChatEvent] = []
    var b: [ChatEvent] = []
    try fast.feed(bytes, into: &a)
    try fast.finish(into: &a)
    try slow.feed(bytes, into: &b)
    try slow.finish(into: &b)
    #expect(a == b)
  }

  @Test func theHistoryReplaysCustomCallsAndTheirOutputs() {
    let call = ToolCall(
      id: "call_P1", name: "apply_patch", arguments: #"{"input":"*** Begin Patch\n"}"#,
      freeform: true)
    let plain = ToolCall(id: "call_F", name: "shell", arguments: #"{"command":["ls"]}"#)
    let items = wire.input([
      .assistant(AssistantMessage(toolCalls: [call, plain])),
      .toolResult(ToolResult(callID: "call_P1", name: "apply_patch", output: "Success.")),
      .toolResult(ToolResult(callID: "call_F", name: "shell", output: "a")),
    ])
    #expect(
      items[0]
        == [
          "type": "custom_tool_call", "call_id": "call_P1", "name": "apply_patch",
          "input": "*** Begin Patch\n",
        ])
    #expect(items[1]["type"] == "function_call")
    #expect(
      items[2] == ["type": "custom_tool_call_output", "call_id": "call_P1", "output": "Success."])
    #expect(items[3]["type"] == "function_call_output")
  }

  @Test func aFreeformCallSurvivesTheSessionFile() {
    let message = ChatMessage.assistant(
      AssistantMessage(
        toolCalls: [
          ToolCall(id: "c", name: "apply_patch", arguments: #"{"input":"x"}"#, freeform: true)
        ]))
    #expect(Rollout.decode(Rollout.encode(message)) == message)
  }
}
