import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

@Suite(.serialized) struct SessionTests {
  func sessionFiles(_ s: Scratch) -> [String] {
    Rollout.list(codexHome: s.codexHome)
  }

  @Test func oneShotIsSavedAndResumeLastContinuesWithFullHistory() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let calls = Counter()
    let server = try FakeHTTPServer { req in
      guard req.method == "POST" else { return .json(404, "{}") }
      return .sse(chatSSE([calls.next() == 0 ? "first answer" : "second answer"]))
    }
    defer { server.stop() }
    let base = ["--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m"]
    let r1 = try await s.run(base + ["first question"])
    #expect(r1.exitCode == 0, "\(r1.stderr)")
    let files = sessionFiles(s)
    #expect(files.count == 1)
    let first = try #require(files.first)
    let saved = try #require(Rollout.load(path: first))
    #expect(
      saved.history == [
        .user("first question"), .assistant(AssistantMessage(text: "first answer")),
      ])

    let r2 = try await s.run(base + ["resume", "--last", "second question"])
    #expect(r2.exitCode == 0, "\(r2.stderr)")
    #expect(r2.stdout == "second answer\n")
    let msgs = try #require(server.modelRequests.last?.bodyJSON?["messages"]?.arrayValue)
    #expect(
      msgs.map { $0["content"]?.stringValue ?? "" }.suffix(3) == [
        "first question", "first answer", "second question",
      ])
    // Still one session: the resumed one grew.
    #expect(sessionFiles(s).count == 1)
    #expect(Rollout.load(path: files[0])?.history.count == 4)

    let id = saved.meta.id
    let r3 = try await s.run(base + ["resume", String(id.prefix(8)), "third"])
    #expect(r3.exitCode == 0, "\(r3.stderr)")
    #expect(server.modelRequests.last?.bodyJSON?["messages"]?.arrayValue?.count == 6)  // system + 5
  }

  @Test func aTruncatedSessionFileStillResumes() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .sse(chatSSE(["ok"])) }
    defer { server.stop() }
    let base = ["--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m"]
    _ = try await s.run(base + ["hello"])
    let path = try #require(sessionFiles(s).first)
    // A crash mid-write: the last line is cut in half.
    let handle = try #require(FileHandle(forWritingAtPath: path))
    handle.seekToEndOfFile()
    handle.write(
      Data(
        #"{"timestamp":"2026-01-01T00:00:00.000Z","type":"response_item","payload":{"type":"mess"#
          .utf8))
    handle.closeFile()
    let r = try await s.run(base + ["resume", "--last", "again"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    let msgs = try #require(server.modelRequests.last?.bodyJSON?["messages"]?.arrayValue)
    #expect(msgs.map { $0["content"]?.stringValue ?? "" }.suffix(3) == ["hello", "ok", "again"])
  }

  @Test func resumeWithNothingSavedIsAClearError() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let r = try await s.run(["resume", "--last", "x"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("no saved sessions"))
  }

  @Test func unansweredToolCallsGetAResultOnResume() {
    let history: [ChatMessage] = [
      .user("go"),
      .assistant(AssistantMessage(toolCalls: [ToolCall(id: "c1", name: "shell", arguments: "{}")])),
    ]
    let fixed = Rollout.completed(history)
    #expect(fixed.count == 3)
    if case .toolResult(let r) = fixed[2] {
      #expect(r.callID == "c1")
    } else {
      Issue.record("no result added")
    }
  }
}

@Suite(.serialized) struct NotifyTests {
  @Test func notifyProgramGetsTheTurnAsJSON() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .sse(chatSSE(["the answer"])) }
    defer { server.stop() }
    let out = s.root + "/notified.json"
    try s.write(
      "home/.codex/config.toml",
      "notify = [\"/bin/bash\", \"-c\", \"printf '%s' \\\"$1\\\" > \(out)\", \"notify\"]\n")
    let r = try await s.run([
      "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m", "question",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    let json = try JSON.parse(try String(contentsOfFile: out, encoding: .utf8))
    #expect(json["type"] == "agent-turn-complete")
    #expect(json["input-messages"] == ["question"])
    #expect(json["last-assistant-message"] == "the answer")
  }
}
