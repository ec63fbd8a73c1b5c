import Foundation
import Testing

@testable import CodexCore

/// The opaque per-wire state rides on the assistant message into session files and back.
@Suite struct WireStateTests {
  @Test func savedAndLoadedWithTheSessionAndUnknownWiresDropped() throws {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent(
      "wirestate-\(UUID().uuidString)"
    ).path
    defer { try? FileManager.default.removeItem(atPath: home) }
    let recorder = try RolloutRecorder(
      codexHome: home,
      meta: RolloutMeta(
        id: UUID().uuidString, cwd: "/", provider: "anthropic", model: "m", cliVersion: "t"))
    let signed = AssistantMessage(
      text: "ok", reasoning: "plan",
      toolCalls: [ToolCall(id: "toolu_1", name: "shell", arguments: "{}")],
      wireState: WireState(
        wire: .anthropic,
        data: ["thinking_blocks": [["type": "thinking", "thinking": "plan", "signature": "s=="]]]))
    let gemini = AssistantMessage(
      text: "hi", wireState: WireState(wire: .gemini, data: ["text_signature": "t"]))
    try recorder.record([
      .user("go"), .assistant(signed),
      .toolResult(ToolResult(callID: "toolu_1", name: "shell", output: "x")), .assistant(gemini),
    ])
    // A later build's wire: its state means nothing to this one and is dropped, the message kept.
    let line =
      #"{"timestamp":"t","type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"future"}],"wire_state":{"wire":"someday","data":{"x":1}}}}"#
    let handle = try #require(FileHandle(forWritingAtPath: recorder.path))
    handle.seekToEndOfFile()
    handle.write(Data((line + "\n").utf8))
    handle.closeFile()

    let loaded = try #require(Rollout.load(path: recorder.path))
    #expect(
      loaded.history == [
        .user("go"), .assistant(signed),
        .toolResult(ToolResult(callID: "toolu_1", name: "shell", output: "x")), .assistant(gemini),
        .assistant(AssistantMessage(text: "future")),
      ])
    #expect(Rollout.encode(.assistant(AssistantMessage(text: "plain")))["wire_state"] == nil)
  }
}
