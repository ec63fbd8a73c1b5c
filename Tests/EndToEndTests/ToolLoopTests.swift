import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// One fake model per wire that, on the first request, calls `shell` with `script`, and on the
/// next (which must carry the command's output) answers `Done: <output>`.
enum ScriptedModel {
  static func toolOutput(_ req: RecordedRequest) -> String? {
    req.bodyJSON.flatMap { WireScript.toolOutputs($0).last }
  }

  static func handler(wire: WireAPI, script: String, textCall: Bool = false)
    -> @Sendable (RecordedRequest) -> FakeResponse
  {
    let args: JSON = ["command": ["bash", "-lc", .string(script)]]
    return { req in
      if let out = toolOutput(req) {
        let exit = (try? JSON.parse(out))?["metadata"]?["exit_code"]
        return WireScript.answer(wire, "Done: " + (exit == 0 ? "ok" : "failed"))
      }
      if textCall {
        let call =
          "<tool_call>\n{\"name\": \"shell\", \"arguments\": \(args.serialized())}\n</tool_call>"
        return WireScript.answer(wire, call)
      }
      return WireScript.calls(wire, [("shell", args)])
    }
  }
}

/// What the last request told the model about its tool call.
func lastToolOutput(_ server: FakeHTTPServer) throws -> String {
  let last = try #require(server.modelRequests.last)
  return try #require(ScriptedModel.toolOutput(last))
}

@Suite(.serialized) struct ToolLoopTests {
  func config(_ wire: WireAPI, _ base: String) -> (String, [String]) {
    WireScript.provider(wire, base)
  }

  @Test(arguments: WireAPI.allCases)
  func fullAutoCreatesTheFileAndAnswers(_ wire: WireAPI) async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer(
      handler: ScriptedModel.handler(wire: wire, script: "echo hi > hello.txt"))
    defer { server.stop() }
    let (toml, args) = config(wire, server.baseURL)
    try s.write("home/.codex/config.toml", toml)
    let r = try await s.run(
      args + ["-m", "m", "--full-auto", "create a file hello.txt containing hi"],
      environment: ["OPENAI_API_KEY": "sk-x"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("work/hello.txt") == "hi\n")
    #expect(r.stdout.hasSuffix("Done: ok\n"), "\(r.stdout)")
    // Ollama is also asked about the model's context once (/api/show, /api/ps).
    #expect(server.modelRequests.filter { !["/api/show", "/api/ps"].contains($0.path) }.count == 2)
    #expect(r.stderr.contains("$ echo hi > hello.txt"))
    #expect(r.stderr.contains("exit 0"))
  }

  @Test func textToolCallFromALocalModel() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer(
      handler: ScriptedModel.handler(wire: .chat, script: "echo hi > t.txt", textCall: true))
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "llamacpp", "--provider-url", server.baseURL + "/v1", "-m", "m", "--full-auto",
      "go",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("work/t.txt") == "hi\n")
    // The call's JSON is not shown as the answer.
    #expect(!r.stdout.contains("tool_call"))
    let second = try #require(server.modelRequests.last?.bodyJSON)
    #expect(second["messages"]?[2]?["tool_calls"]?[0]?["function"]?["name"] == "shell")
  }

  @Test func writeOutsideTheWorkspaceIsDeniedBySandbox() async throws {
    let s = try Scratch(base: "/var/tmp")
    defer { s.cleanUp() }
    let outside = s.home + "/outside.txt"
    let server = try FakeHTTPServer(
      handler: ScriptedModel.handler(wire: .chat, script: "echo x > \(outside)"))
    defer { server.stop() }
    let r = try await s.run([
      "--provider-url", server.baseURL + "/v1", "-m", "m", "--full-auto", "go",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: outside))
    #expect(r.stdout.hasSuffix("Done: failed\n"))
    let out = try lastToolOutput(server)
    // Read-only mounts outside the roots (EROFS), or Landlock where namespaces are unavailable.
    #expect(out.contains("Read-only file system") || out.contains("Permission denied"))
  }

  @Test func untrustedWithoutATerminalDeclinesAndTellsTheModel() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer(
      handler: ScriptedModel.handler(wire: .chat, script: "touch made.txt"))
    defer { server.stop() }
    let r = try await s.run([
      "--provider-url", server.baseURL + "/v1", "-m", "m", "-a", "untrusted", "go",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: s.work + "/made.txt"))
    let out = try lastToolOutput(server)
    #expect(out.contains("not run"))
    #expect(out.contains("declined"))
  }

  @Test func untrustedRunsKnownSafeCommands() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer(
      handler: ScriptedModel.handler(wire: .chat, script: "ls -la && pwd"))
    defer { server.stop() }
    let r = try await s.run([
      "--provider-url", server.baseURL + "/v1", "-m", "m", "-a", "untrusted", "go",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout.hasSuffix("Done: ok\n"))
  }

  @Test func dangerousCommandRefusedUnderNever() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/keep/file.txt", "precious")
    let server = try FakeHTTPServer(
      handler: ScriptedModel.handler(wire: .chat, script: "rm -rf keep"))
    defer { server.stop() }
    let r = try await s.run([
      "--provider-url", server.baseURL + "/v1", "-m", "m", "-a", "never", "-s", "workspace-write",
      "clean up",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("work/keep/file.txt") == "precious")
    let out = try lastToolOutput(server)
    #expect(out.contains("rm -rf"))
    #expect(out.contains("approval policy is never"))
  }

  @Test func timeoutKillsTheCommandAndIsReported() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let args = JSON.object(["command": ["bash", "-lc", "sleep 30"], "timeout_ms": 300]).serialized()
    let server = try FakeHTTPServer { req in
      if ScriptedModel.toolOutput(req) != nil { return .sse(chatSSE(["noted"])) }
      return .sse([
        #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"shell","arguments":\#(JSON.quoted(args))}}]}}]}"#,
        "[DONE]",
      ])
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider-url", server.baseURL + "/v1", "-m", "m", "--full-auto", "go",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    let out = try lastToolOutput(server)
    #expect(out.contains("timed out"))
    #expect(r.stderr.contains("timed out"))
  }

  @Test func malformedArgumentsGoBackToTheModel() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      if ScriptedModel.toolOutput(req) != nil { return .sse(chatSSE(["sorry"])) }
      return .sse([
        #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"shell","arguments":"{\"command\": [\"ls\""}}]}}]}"#,
        "[DONE]",
      ])
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider-url", server.baseURL + "/v1", "-m", "m", "--full-auto", "go",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    let out = try lastToolOutput(server)
    #expect(out.contains("not valid JSON"))
    #expect(r.stdout.hasSuffix("sorry\n"))
    // The broken arguments never go back to the server (llama.cpp answers them with 500).
    let msgs = try #require(server.modelRequests.last?.bodyJSON?["messages"]?.arrayValue)
    let replayed = msgs.compactMap { $0["tool_calls"]?[0]?["function"]?["arguments"]?.stringValue }
    #expect(replayed == ["{}"])
  }

  @Test func severalCallsInOneTurnAllRunInOrderAndAreAnswered() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let a1 = JSON.object(["command": ["bash", "-lc", "echo one >> log.txt"]]).serialized()
    let a2 = JSON.object(["command": ["bash", "-lc", "echo two >> log.txt"]]).serialized()
    let server = try FakeHTTPServer { req in
      if ScriptedModel.toolOutput(req) != nil { return .sse(chatSSE(["both done"])) }
      return .sse([
        #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"shell","arguments":\#(JSON.quoted(a1))}},{"index":1,"id":"c2","function":{"name":"shell","arguments":\#(JSON.quoted(a2))}}]}}]}"#,
        "[DONE]",
      ])
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider-url", server.baseURL + "/v1", "-m", "m", "--full-auto", "go",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("work/log.txt") == "one\ntwo\n")
    let msgs = try #require(server.modelRequests.last?.bodyJSON?["messages"]?.arrayValue)
    let toolIDs = msgs.filter { $0["role"] == "tool" }.map { $0["tool_call_id"]?.stringValue }
    #expect(toolIDs == ["c1", "c2"])
  }
}
