import CodexTestSupport
import Synchronization
import Testing

@testable import CodexCore

/// A tool whose output the test chooses: `text` for every call, failing when `fails`.
struct CannedTool: Tool {
  var name = "probe"
  var text: @Sendable (ToolInvocation) -> String
  var fails = false

  var spec: ToolSpec {
    ToolSpec(
      name: name, description: "test tool",
      parameters: [
        "type": "object", "properties": ["n": ["type": "integer"], "note": ["type": "string"]],
        "required": ["n"], "additionalProperties": false,
      ])
  }

  func run(_ call: ToolInvocation, context: ToolContext) async throws -> ToolOutput {
    ToolOutput(text(call), isError: fails)
  }
}

/// Collects a session's events for assertions.
final class EventLog: Sendable {
  let events = Mutex<[AgentEvent]>([])
  var all: [AgentEvent] { events.withLock { $0 } }
  var emit: @Sendable (AgentEvent) -> Void { { e in self.events.withLock { $0.append(e) } } }
  var warnings: [String] {
    all.compactMap {
      if case .warning(let w) = $0 { return w }
      return nil
    }
  }
  var compactions: [ContextCompaction] {
    all.compactMap {
      if case .contextCompacted(let c) = $0 { return c }
      return nil
    }
  }
}

func makeSession(
  _ transport: ScriptedTransport, tools: [any Tool], window: Int? = nil,
  streamMaxRetries: Int = 2, recorder: RolloutRecorder? = nil
) -> Session {
  let provider = ProviderInfo(
    id: "test", name: "Test server", baseURL: "http://model.test/v1", wire: .chat,
    flavor: .llamacpp, requestMaxRetries: 4, streamMaxRetries: streamMaxRetries, isLocal: true)
  let client = ModelClient(provider: provider, transport: transport, environment: [:])
  return Session(
    id: "s", client: client, model: "m", instructions: "You are a test.", tools: Toolbox(tools),
    recorder: recorder, contextSettings: ContextSettings(window: window))
}

@Suite struct SessionLoopTests {
  @Test func aCallThatBreaksTheSchemaIsNotRunAndTheModelIsToldWhy() async throws {
    let ran = Mutex(0)
    let model = ScriptedChatModel { turn in
      switch turn.index {
      case 0: return .calls([("probe", #"{"n":"three","extra":1}"#)])
      case 1: return .calls([("nonexistent", "{}")])
      default: return .text("ok")
      }
    }
    let transport = ScriptedTransport(model.handle)
    let tool = CannedTool { _ in
      ran.withLock { $0 += 1 }
      return "ran"
    }
    let session = makeSession(transport, tools: [tool])
    let log = EventLog()
    let summary = try await session.submit("go", approvals: FixedApproval(.no), emit: log.emit)
    #expect(summary.lastMessage == "ok")
    #expect(ran.withLock { $0 } == 0)
    let outputs = try #require(transport.requests.last?.bodyJSON).toolOutputs
    #expect(outputs[0].contains("'n' must be an integer (got a string)"))
    #expect(outputs[0].contains("unknown field 'extra'"))
    #expect(outputs[0].contains(#""required":["n"]"#))
    #expect(outputs[1].contains("there is no tool named 'nonexistent'"))
    #expect(outputs[1].contains("'probe'"))
  }

  @Test func argumentsCutOffAtTheTokenLimitAreNeverReplayed() async throws {
    let model = ScriptedChatModel { turn in
      if turn.index == 0 {
        return .response(
          .sse([
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"probe","arguments":"{\"n\": 1, \"note\": \"a very long"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#, "[DONE]",
          ]))
      }
      return .text("shorter next time")
    }
    let transport = ScriptedTransport(model.handle)
    let session = makeSession(transport, tools: [CannedTool { _ in "ran" }])
    _ = try await session.submit("go", approvals: FixedApproval(.no), emit: EventLog().emit)
    let body = try #require(transport.requests.last?.bodyJSON)
    #expect(body.toolOutputs.first?.contains("cut off at the output token limit") == true)
    let replayed = body.messages.compactMap {
      $0["tool_calls"]?[0]?["function"]?["arguments"]?.stringValue
    }
    #expect(replayed == ["{}"])
  }

  @Test func theSameFailingCallThreeTimesStopsTheTurn() async throws {
    let model = ScriptedChatModel { _ in .calls([("probe", #"{"n":1}"#)]) }
    let transport = ScriptedTransport(model.handle)
    let session = makeSession(transport, tools: [CannedTool(text: { _ in "boom" }, fails: true)])
    let log = EventLog()
    let summary = try await session.submit("go", approvals: FixedApproval(.no), emit: log.emit)
    #expect(summary.finishReason == .other("tool_loop"))
    #expect(transport.requests.count == 3)
    #expect(log.warnings.contains { $0.contains("same failing call 3 times") })
    // The second repeat was told to change course before the stop.
    #expect(try #require(transport.requests.last?.bodyJSON).toolOutputs[1].contains("Repeating it"))
  }

  @Test func theSameCallWithTheSameOutputFiveTimesStopsTheTurn() async throws {
    let model = ScriptedChatModel { _ in .calls([("probe", #"{"n":1}"#)]) }
    let transport = ScriptedTransport(model.handle)
    let session = makeSession(transport, tools: [CannedTool { _ in "same" }])
    let summary = try await session.submit(
      "go", approvals: FixedApproval(.no), emit: EventLog().emit)
    #expect(summary.finishReason == .other("tool_loop"))
    #expect(transport.requests.count == 5)
  }

  @Test func differentCallsAreNotALoop() async throws {
    let model = ScriptedChatModel { turn in
      turn.index < 8 ? .calls([("probe", #"{"n":\#(turn.index)}"#)]) : .text("done")
    }
    let session = makeSession(ScriptedTransport(model.handle), tools: [CannedTool { _ in "same" }])
    let summary = try await session.submit(
      "go", approvals: FixedApproval(.no), emit: EventLog().emit)
    #expect(summary.lastMessage == "done")
  }

  @Test func aStreamDroppedAfterTextIsSentAgainAndStartsOver() async throws {
    let model = ScriptedChatModel { turn in
      if turn.index == 0 {
        return .response(
          .sse([#"{"choices":[{"index":0,"delta":{"content":"Hello wor"}}]}"#], then: [.close]))
      }
      return .text("Hello world")
    }
    let transport = ScriptedTransport(model.handle)
    let session = makeSession(transport, tools: [])
    let log = EventLog()
    let summary = try await session.submit("hi", approvals: FixedApproval(.no), emit: log.emit)
    #expect(summary.lastMessage == "Hello world")
    #expect(transport.requests.count == 2)
    let restarts = log.all.filter {
      if case .streamRestarted = $0 { return true }
      return false
    }
    #expect(restarts.count == 1)
    // The history has the one complete answer, not the broken one glued to it.
    guard case .assistant(let a)? = await session.history.last else {
      Issue.record("no answer in the history")
      return
    }
    #expect(a.text == "Hello world")
  }

  @Test func aStreamDroppedAfterACompleteToolCallKeepsTheCall() async throws {
    let model = ScriptedChatModel { turn in
      if turn.index == 0 {
        return .response(
          .sse(
            [
              #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"probe","arguments":"{\"n\":1}"}}]}}]}"#,
              // A second call starts, so the first is complete in the assembler.
              #"{"choices":[{"index":0,"delta":{"content":"x"}}]}"#,
            ], then: [.close]))
      }
      return .text("done")
    }
    let transport = ScriptedTransport(model.handle)
    let ran = Mutex(0)
    let session = makeSession(
      transport,
      tools: [
        CannedTool { _ in
          ran.withLock { $0 += 1 }
          return "ran"
        }
      ])
    let summary = try await session.submit(
      "go", approvals: FixedApproval(.no), emit: EventLog().emit)
    #expect(summary.lastMessage == "done")
  }

  @Test func aServerErrorRepeatedVerbatimIsNotRetriedAsTransient() async throws {
    let transport = ScriptedTransport { _ in
      .json(
        500,
        #"{"error":{"code":500,"message":"Failed to parse tool call arguments as JSON","type":"server_error"}}"#
      )
    }
    let session = makeSession(transport, tools: [])
    await #expect(throws: ProviderError.self) {
      _ = try await session.submit("go", approvals: FixedApproval(.no), emit: EventLog().emit)
    }
    #expect(transport.requests.count == 2)
  }

  @Test func compactionKeepsALongSessionInsideASmallWindow() async throws {
    let big = String(repeating: "line of tool output that takes room\n", count: 40)
    let calls = Mutex(0)
    let model = ScriptedChatModel(contextLimit: 1500) { turn in
      if turn.isSummaryRequest { return .text("Goal: probe 12 times. Done: some probes.") }
      return calls.withLock { $0 } < 40
        ? .calls([("probe", #"{"n":\#(turn.index)}"#)]) : .text("finished")
    }
    let transport = ScriptedTransport(model.handle)
    let session = makeSession(
      transport,
      tools: [
        CannedTool { _ in
          let n = calls.withLock { c -> Int in
            c += 1
            return c
          }
          return n >= 12 ? "enough: \(n)" : big
        }
      ], window: 1500)
    let log = EventLog()
    let summary = try await session.submit(
      "probe a lot", approvals: FixedApproval(.no), emit: log.emit)
    #expect(summary.lastMessage == "finished")
    #expect(calls.withLock { $0 } == 40)
    #expect(!log.compactions.isEmpty)
    #expect(log.compactions.allSatisfy { $0.tokensAfter < $0.tokensBefore })
    // Compaction kept the requests under the server's limit, but for the odd one this server
    // counted more tokens for than the estimate did (it counts differently on purpose); each
    // of those recovered.
    #expect(model.overflowCount <= 3, "\(model.promptSizes)")
  }

  @Test func anOverflowErrorTeachesTheWindowCompactsAndRetriesOnce() async throws {
    // The window is unknown to the session; the server enforces 900 tokens.
    let calls = Mutex(0)
    let model = ScriptedChatModel(contextLimit: 900) { turn in
      if turn.isSummaryRequest { return .text("Goal: keep going. Done: lots.") }
      return calls.withLock { $0 } < 6
        ? .calls([("probe", #"{"n":\#(turn.index)}"#)]) : .text("finished")
    }
    let transport = ScriptedTransport(model.handle)
    let filler = String(repeating: "x y z ", count: 150)
    let session = makeSession(
      transport,
      tools: [
        CannedTool { _ in
          calls.withLock { $0 += 1 }
          return filler
        }
      ])
    let log = EventLog()
    let summary = try await session.submit("go", approvals: FixedApproval(.no), emit: log.emit)
    #expect(summary.lastMessage == "finished")
    #expect(model.overflowCount >= 1)
    #expect(log.compactions.contains { $0.trigger == .overflow })
    let status = await session.contextStatus()
    #expect(status.window?.tokens == 900)
  }

  @Test func anOverflowThatCompactionCannotFixFailsOnceWithoutLooping() async throws {
    // Nothing fits: even the instructions and tools are over the limit.
    let model = ScriptedChatModel(contextLimit: 20) { _ in .text("never") }
    let transport = ScriptedTransport(model.handle)
    let session = makeSession(transport, tools: [CannedTool { _ in "x" }])
    await #expect {
      _ = try await session.submit("go", approvals: FixedApproval(.no), emit: EventLog().emit)
    } throws: { error in
      if case ProviderError.contextOverflow = error { return true }
      return false
    }
    #expect(transport.requests.count <= 4)
  }

  @Test func theRequestPrefixStaysByteStableBetweenToolRounds() async throws {
    let model = ScriptedChatModel { turn in
      turn.index < 4 ? .calls([("probe", #"{"n":\#(turn.index)}"#)]) : .text("done")
    }
    let transport = ScriptedTransport(model.handle)
    let session = makeSession(transport, tools: [CannedTool { call in "out \(call.arguments)" }])
    _ = try await session.submit("go", approvals: FixedApproval(.no), emit: EventLog().emit)
    let bodies = transport.requests.map { $0.bodyText }
    for (earlier, later) in zip(bodies, bodies.dropFirst()) {
      let earlierMessages = try #require(
        earlier.firstRange(of: #""messages":"#).map { earlier[$0.lowerBound...] })
      // Everything up to the end of the earlier request's messages array is repeated verbatim.
      let prefix = earlierMessages.prefix { $0 != "]" }
      #expect(later.contains(String(prefix)))
      #expect(earlier[..<earlierMessages.startIndex] == later[..<earlierMessages.startIndex])
    }
  }

  @Test func aCompactedSessionResumesFromTheCompactedHistory() async throws {
    let dir = try TemporaryDirectory("codex-compact")
    defer { dir.remove() }
    let recorder = try RolloutRecorder(
      codexHome: dir.path,
      meta: RolloutMeta(id: "s", cwd: "/", provider: "test", model: "m", cliVersion: "t"))
    let model = ScriptedChatModel { turn in
      if turn.isSummaryRequest { return .text("Goal: test. Done: two probes.") }
      return turn.toolOutputs.count < 2
        ? .calls([("probe", #"{"n":\#(turn.index)}"#)]) : .text("done")
    }
    let session = makeSession(
      ScriptedTransport(model.handle), tools: [CannedTool { _ in "ran" }], recorder: recorder)
    _ = try await session.submit("go", approvals: FixedApproval(.no), emit: EventLog().emit)
    let log = EventLog()
    try await session.compactNow(emit: log.emit)
    #expect(log.compactions.first?.summarized == true)
    let saved = try #require(Rollout.load(path: recorder.path))
    #expect(saved.history == (await session.history))
    guard case .user(let text)? = saved.history.first else {
      Issue.record("the compacted history starts with the summary")
      return
    }
    #expect(text.contains("Goal: test. Done: two probes."))
  }
}

extension JSON {
  fileprivate var messages: [JSON] { self["messages"]?.arrayValue ?? [] }
  fileprivate var toolOutputs: [String] {
    messages.filter { $0["role"] == "tool" }.compactMap { $0["content"]?.stringValue }
  }
}
