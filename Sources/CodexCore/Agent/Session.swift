/// Tools the model may call, as the session sees them: specs to offer, and a way to run a call.
/// Whatever happens (bad arguments, a refusal, a failure) comes back as text for the model.
public protocol ToolRunner: Sendable {
  var specs: [ToolSpec] { get }
  /// The specs in the form `wire` accepts (schemas cleaned of what it rejects).
  func specs(for wire: WireAPI) -> [ToolSpec]
  /// Called before each model request: tools that start in the background (MCP servers) wait
  /// for their startup here and report what changed since the last request.
  func prepare(emit: @escaping @Sendable (AgentEvent) -> Void) async
  func run(_ call: ToolCall, context: ToolContext) async throws -> String
}

extension ToolRunner {
  public func specs(for wire: WireAPI) -> [ToolSpec] { specs }
  public func prepare(emit: @escaping @Sendable (AgentEvent) -> Void) async {}
}

/// What a tool needs from the session while it runs.
public struct ToolContext: Sendable {
  public var emit: @Sendable (AgentEvent) -> Void
  public var approvals: any ApprovalHandler

  public init(emit: @escaping @Sendable (AgentEvent) -> Void, approvals: any ApprovalHandler) {
    self.emit = emit
    self.approvals = approvals
  }
}

/// The user stopped the turn at an approval prompt ("abort").
public struct TurnAborted: Error, Equatable, CustomStringConvertible {
  public var reason: String
  public init(_ reason: String) { self.reason = reason }
  public var description: String { reason }
}

/// One conversation: the history, and the turn loop — ask the model, run the tools it calls,
/// send their output back, until it answers without calling a tool.
public actor Session {
  public nonisolated let id: String
  public private(set) var client: ModelClient
  public private(set) var model: String
  let instructions: String?
  let tools: any ToolRunner
  public private(set) var history: [ChatMessage]
  public private(set) var totalUsage = TokenUsage(inputTokens: 0, outputTokens: 0)
  /// Stops a model that calls tools forever (small local models like to repeat themselves).
  public var maxToolRounds = 100
  /// Saves each history item as it is added (`codex resume`); nil: not saved.
  let recorder: RolloutRecorder?
  /// A recorder failure is reported once, then the session goes on unsaved.
  var recorderFailed = false

  public init(
    id: String, client: ModelClient, model: String, instructions: String?, tools: any ToolRunner,
    history: [ChatMessage] = [], recorder: RolloutRecorder? = nil
  ) {
    self.id = id
    self.client = client
    self.model = model
    self.instructions = instructions
    self.tools = tools
    self.history = history
    self.recorder = recorder
  }

  public func setModel(_ model: String) { self.model = model }
  public func setClient(_ client: ModelClient, model: String) {
    self.client = client
    self.model = model
  }
  public func reset() {
    history = []
    totalUsage = TokenUsage(inputTokens: 0, outputTokens: 0)
  }

  func append(_ m: ChatMessage, emit: @Sendable (AgentEvent) -> Void) {
    history.append(m)
    guard let recorder, !recorderFailed else { return }
    do {
      try recorder.record([m])
    } catch {
      recorderFailed = true
      emit(.warning("this session is no longer being saved: \(error)"))
    }
  }

  /// Runs one user turn to completion. Events arrive in order on `emit`.
  public func submit(
    _ text: String, approvals: any ApprovalHandler, emit: @escaping @Sendable (AgentEvent) -> Void
  ) async throws -> TurnSummary {
    append(.user(text), emit: emit)
    emit(.turnStarted)
    var turnUsage = TokenUsage(inputTokens: 0, outputTokens: 0)
    var rounds = 0
    var lastCallKey = ""
    var repeats = 0
    while true {
      await tools.prepare(emit: emit)
      try Task.checkCancellation()
      let request = ChatRequest(
        model: model, instructions: instructions, messages: history,
        tools: tools.specs(for: client.provider.wire), options: client.provider.modelOptions)
      let result = try await streamOnce(request, emit: emit)
      if let u = result.usage {
        turnUsage = turnUsage + u
        totalUsage = totalUsage + u
        emit(.usage(u))
      }
      append(.assistant(result.message), emit: emit)
      emit(.messageComplete(result.message.text))
      if result.message.toolCalls.isEmpty {
        let summary = TurnSummary(
          lastMessage: result.message.text, usage: turnUsage, finishReason: result.finish)
        emit(.turnComplete(summary))
        return summary
      }
      rounds += 1
      let key = result.message.toolCalls.map { "\($0.name)\u{1}\($0.arguments)" }.joined()
      repeats = key == lastCallKey ? repeats + 1 : 0
      lastCallKey = key
      let context = ToolContext(emit: emit, approvals: approvals)
      for (n, call) in result.message.toolCalls.enumerated() {
        let output: String
        if repeats >= 2 {
          output =
            "This exact call was already made \(repeats + 1) times in a row with the "
            + "same result. Do not repeat it; answer the user or try something different."
        } else {
          do {
            output = try await tools.run(call, context: context)
          } catch {
            // Every call must have an answer or the next request is invalid (OpenAI and
            // others reject unanswered calls), so an interrupted turn answers the rest.
            for rest in result.message.toolCalls[n...] {
              append(
                .toolResult(
                  ToolResult(
                    callID: rest.id, name: rest.name,
                    output: "The user interrupted this command; it did not finish.")),
                emit: emit)
            }
            throw error
          }
        }
        append(
          .toolResult(ToolResult(callID: call.id, name: call.name, output: output)), emit: emit)
      }
      if rounds >= maxToolRounds || repeats >= 4 {
        let why =
          repeats >= 4
          ? "the model repeated the same tool call \(repeats + 1) times"
          : "the model made \(rounds) rounds of tool calls"
        emit(.warning("stopped: \(why) in one turn"))
        let summary = TurnSummary(
          lastMessage: result.message.text, usage: turnUsage, finishReason: .other("tool_limit"))
        emit(.turnComplete(summary))
        return summary
      }
    }
  }

  struct StreamResult {
    var message: AssistantMessage
    var usage: TokenUsage?
    var finish: FinishReason
  }

  /// One model request: streams text and reasoning out as they arrive, collects tool calls.
  /// For providers whose models print tool calls as text, text that may be a call is held back
  /// until it is clearly not one, so the user does not see raw JSON.
  ///
  /// The client hands over the events of each network chunk together; consecutive deltas of
  /// one kind in a batch go out as one event, so a front end writes once per chunk rather than
  /// once per token, and text still appears the moment its bytes arrive.
  func streamOnce(_ request: ChatRequest, emit: @Sendable (AgentEvent) -> Void) async throws
    -> StreamResult
  {
    var message = AssistantMessage()
    var usage: TokenUsage?
    var finish = FinishReason.stop
    let detectTextCalls = client.provider.textToolCalls && !request.tools.isEmpty
    var holding = detectTextCalls
    var held = ""
    // Text not yet passed on: it is the tail of `message.text` from this UTF-8 offset, so a
    // token is appended once, not also to a separate buffer.
    var unsentTextFrom: Int?
    var unsentReasoning = ""
    func flushText() {
      guard let from = unsentTextFrom else { return }
      unsentTextFrom = nil
      let start = message.text.utf8.index(message.text.utf8.startIndex, offsetBy: from)
      emit(.textDelta(String(message.text[start...])))
    }
    func flushReasoning() {
      guard !unsentReasoning.isEmpty else { return }
      emit(.reasoningDelta(unsentReasoning))
      unsentReasoning = ""
    }
    try await client.run(request) { batch in
      for event in batch {
        switch event {
        case .textDelta(let t):
          if holding {
            // Held text is all the text so far: it starts at offset 0.
            message.text += t
            held += t
            if !TextToolCalls.mightBeCall(prefix: held) {
              holding = false
              held = ""
              flushReasoning()
              unsentTextFrom = 0
            }
          } else {
            flushReasoning()
            if unsentTextFrom == nil { unsentTextFrom = message.text.utf8.count }
            message.text += t
          }
        case .reasoningDelta(let r):
          message.reasoning += r
          flushText()
          unsentReasoning += r
        case .toolCall(let c):
          message.toolCalls.append(c)
        case .usage(let u):
          usage = (usage.map { $0 + u }) ?? u
        case .finished(let f):
          finish = f
        }
      }
      flushReasoning()
      flushText()
    }
    // An AsyncStream ends quietly (returns nil) when the task is cancelled: without this check
    // an interrupted answer would look complete and its tool calls would run.
    try Task.checkCancellation()
    if detectTextCalls, message.toolCalls.isEmpty,
      let calls = TextToolCalls.extract(from: message.text, offered: request.tools.map(\.name))
    {
      message.toolCalls = calls
      message.text = ""
      finish = .toolCalls
      held = ""
    }
    if !held.isEmpty { emit(.textDelta(held)) }
    return StreamResult(message: message, usage: usage, finish: finish)
  }
}
