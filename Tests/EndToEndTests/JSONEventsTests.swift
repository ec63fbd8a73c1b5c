import CodexCore
import CodexTestSupport
import Foundation
import Testing

@Suite(.serialized) struct JSONEventsTests {
  /// The JSONL stream for a scripted tool-calling turn, with the random thread id replaced.
  @Test func execJSONGolden() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer(handler: ScriptedModel.handler(wire: .chat, script: "echo hi"))
    defer { server.stop() }
    let out = s.root + "/last.txt"
    let r = try await s.run([
      "exec", "--json", "--provider-url", server.baseURL + "/v1", "-m", "m", "--full-auto", "-o",
      out, "say hi",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    var lines = r.stdout.split(separator: "\n").map(String.init)
    let first = try JSON.parse(try #require(lines.first))
    #expect(first["type"] == "thread.started")
    #expect(first["thread_id"]?.stringValue?.count == 36)
    lines[0] = #"{"type":"thread.started","thread_id":"<id>"}"#
    let golden = [
      #"{"type":"thread.started","thread_id":"<id>"}"#,
      #"{"type":"turn.started"}"#,
      #"{"type":"item.started","item":{"id":"item_0","type":"command_execution","command":"echo hi","aggregated_output":"","exit_code":null,"status":"in_progress"}}"#,
      #"{"type":"item.completed","item":{"id":"item_0","type":"command_execution","command":"echo hi","aggregated_output":"hi\n","exit_code":0,"status":"completed"}}"#,
      #"{"type":"item.completed","item":{"id":"item_1","type":"agent_message","text":"Done: ok"}}"#,
      // A server on this machine costs nothing.
      #"{"type":"turn.completed","usage":{"input_tokens":5,"cached_input_tokens":0,"output_tokens":3,"cost_usd":0.0}}"#,
    ]
    #expect(lines == golden)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "Done: ok")
  }

  @Test func failureIsATurnFailedEvent() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .json(500, #"{"error":{"message":"boom"}}"#) }
    defer { server.stop() }
    try s.write("home/.codex/config.toml", "[model_providers.vllm]\nrequest_max_retries = 0\n")
    let r = try await s.run([
      "--json", "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m", "x",
    ])
    #expect(r.exitCode == 1)
    let last = try JSON.parse(try #require(r.stdout.split(separator: "\n").last.map(String.init)))
    #expect(last["type"] == "turn.failed")
    #expect(last["error"]?["message"]?.stringValue?.contains("boom") == true)
  }
}
